import { creditRisk } from '../support/ml-data';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';
import { creditDataset, DAY_MS, endEvents, openTask, processesDir, startedInstance } from './lifecycle-fixtures';

/**
 * processes/on-model-changed.bpmn end to end through REST: a submitted version
 * is trained, tested, approved by the routed group and deployed; rejections,
 * failed thresholds and missing runtimes end in support review items.
 */
describe('processes/on-model-changed.bpmn', () => {
  let server: TestServer;
  let scientist: TestUser;
  let reviewer: TestUser;
  let committee: TestUser;
  let supporter: TestUser;
  let datasetId: string;
  let instances = 0;
  let runtimeId: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { PROCESSES_DIR: processesDir('on-model-changed'), SUPPORT_GROUP: 'support' } });
    scientist = await createUser(server, ['experiment_contributor'], ['data-science']);
    reviewer = await createUser(server, ['model_approver'], ['model-approvers']);
    committee = await createUser(server, ['model_approver'], ['risk-committee']);
    supporter = await createUser(server, ['model_approver'], ['support']);
    const runtime = await server.api.post('/api/runtimes', { name: 'prod-1', kind: 'embedded', tags: ['prod', 'eu'] });
    expect(runtime.status).toBe(201);
    runtimeId = runtime.body.id;
    const end = new Date(Date.now() - DAY_MS);
    datasetId = await creditDataset(server, 'credit', 2500, 11, { start: new Date(end.getTime() - 60 * DAY_MS), end }, scientist.token);
  }, 60000);
  afterAll(() => server.close());

  const createModel = async (name: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => {
    const model = await scientist.api.post('/api/models', {
      name,
      type: 'classification',
      importance: 'moderate',
      ...extra,
      metadata: { train: true, datasetId, algorithm: 'logistic-regression', thresholds: [{ metric: 'rocAuc', min: 0.6 }], ...metadata },
    });
    expect(model.status).toBe(201);
    return model.body.id as string;
  };

  /** Submits an external version as the scientist: the model-changed event starts the process. */
  const submit = async (modelId: string) => {
    const version = await scientist.api.post(`/api/models/${modelId}/versions`, { source: 'external', uri: 'https://models.example.com/v1', description: 'notebook' });
    expect(version.status).toBe(201);
    instances += 1;
    return startedInstance(server.api, 'on-model-changed', instances);
  };

  it('trains, tests, routes the approval to model-approvers, deploys on approval, and the deployment predicts', async () => {
    const modelId = await createModel('credit-default');
    const instance = await submit(modelId);
    const task = await openTask(reviewer.api, instance.id);
    expect(task).toMatchObject({ name: 'Approve classification model', candidateGroups: ['model-approvers'] });
    expect(task.context).toMatchObject({ modelName: 'credit-default', importance: 'moderate', versionNumber: 2, testResult: { schema: 'stagegate-test-result/1' } });
    expect(task.context.testResult.metrics.rocAuc).toBeGreaterThan(0.6);

    // The submitter may not approve their own change; others outside the group may not either.
    expect((await committee.api.post(`/api/tasks/${task.id}/complete`, { decision: 'approved' })).status).toBe(403);
    const done = await reviewer.api.post(`/api/tasks/${task.id}/complete`, { decision: 'approved', comment: 'holdout looks fine' });
    expect(done.status).toBe(200);

    const ended = await server.waitForStatus(instance.id, 'completed', 30000);
    expect(endEvents(ended)).toEqual(expect.arrayContaining(['train', 'describeTrained', 'test', 'check', 'modelApproval', 'deploy', 'deployed']));
    expect(ended.variables).toMatchObject({ trainRequested: true, passed: true, decision: 'approved', versionNumber: 2, deploymentName: 'credit-default' });
    // Trained on the rows before the holdout, tested on the holdout.
    const holdoutFrom = new Date(ended.variables.holdoutFrom).getTime();
    expect(ended.variables.trainingMetrics.rows).toBeLessThan(2500);
    expect(ended.variables.testResult.rows).toBe(2500 - ended.variables.trainingMetrics.rows);
    expect(holdoutFrom).toBeGreaterThan(Date.now() - 60 * DAY_MS);

    const deployment = (await server.api.get(`/api/deployments/${ended.variables.deploymentId}`)).body;
    const v2 = (await server.api.get(`/api/models/${modelId}/versions/2`)).body;
    expect(deployment).toMatchObject({ name: 'credit-default', status: 'active', championVersionId: v2.id, access: 'instance', approvalStatus: 'approved' });
    // The decision is the version's status, recorded by the approver.
    expect(v2.status).toBe('approved');
    expect(v2.statusHistory.at(-1)).toMatchObject({ status: 'approved', by: reviewer.id, comment: expect.stringContaining('holdout looks fine') });
    // Two new applicants, without the label and the timestamp.
    const rows = creditRisk(2, 99).rows.map(({ default: _label, applied_at: _at, ...features }) => features);
    const predicted = await scientist.api.post(`/api/deployments/${deployment.id}/predict`, { rows });
    expect(predicted).toMatchObject({ status: 200 });
    expect(predicted.body).toMatchObject({ championVersion: 2, approvalStatus: 'approved', predictions: [expect.anything(), expect.anything()] });
  }, 90000);

  it('routes a high-importance model to the risk committee; a rejection opens a review item for the support group', async () => {
    const modelId = await createModel('credit-limit', { importance: 'high' });
    const instance = await submit(modelId);
    const task = await openTask(committee.api, instance.id);
    expect(task).toMatchObject({ name: 'Risk committee approval', candidateGroups: ['risk-committee'] });
    expect((await reviewer.api.post(`/api/tasks/${task.id}/complete`, { decision: 'approved' })).status).toBe(403);
    expect((await committee.api.post(`/api/tasks/${task.id}/complete`, { decision: 'maybe' })).status).toBe(400);
    expect((await committee.api.post(`/api/tasks/${task.id}/complete`, { decision: 'rejected', comment: 'recall too low for this portfolio' })).status).toBe(200);

    const review = await openTask(supporter.api, instance.id, 'Review rejected version');
    expect(review.candidateGroups).toEqual(['support']);
    expect((await supporter.api.post(`/api/tasks/${review.id}/complete`, { decision: 'acknowledged', comment: 'told the owner' })).status).toBe(200);
    const ended = await server.waitForStatus(instance.id, 'completed');
    expect(endEvents(ended)).toContain('rejectedEnd');
    expect(endEvents(ended)).not.toContain('deploy');
    expect((await server.api.get(`/api/deployments?modelId=${modelId}`)).body.total).toBe(0);
    const rejected = (await server.api.get(`/api/models/${modelId}/versions/${ended.variables.versionNumber}`)).body;
    expect(rejected.statusHistory.at(-1)).toMatchObject({ status: 'rejected', by: committee.id, comment: expect.stringContaining('recall too low') });
  }, 90000);

  it('opens a support review with the breaches when the thresholds are not met, without asking approvers', async () => {
    const modelId = await createModel('credit-strict', {}, { thresholds: [{ metric: 'rocAuc', min: 0.99 }] });
    const instance = await submit(modelId);
    const review = await openTask(supporter.api, instance.id, 'Review failed thresholds');
    expect(review.candidateGroups).toEqual(['support']);
    expect(review.context.breaches).toEqual([expect.objectContaining({ metric: 'rocAuc', min: 0.99 })]);
    await supporter.api.post(`/api/tasks/${review.id}/complete`, { decision: 'acknowledged' });
    const ended = await server.waitForStatus(instance.id, 'completed');
    expect(endEvents(ended)).toContain('thresholdsFailedEnd');
    expect(endEvents(ended)).not.toContain('modelApproval');
  }, 90000);

  it('opens a support review when no runtime has the tags (NO_RUNTIME)', async () => {
    const modelId = await createModel('credit-gpu', {}, { algorithm: 'decision-tree', hyperparameters: { maxDepth: 4 } });
    const instance = await submit(modelId);
    const task = await openTask(reviewer.api, instance.id);
    // The only prod runtime loses its tag before the approval releases the deploy.
    expect((await server.api.request('PATCH', `/api/runtimes/${runtimeId}`, { tags: ['staging'] })).status).toBe(200);
    await reviewer.api.post(`/api/tasks/${task.id}/complete`, { decision: 'approved' });
    const review = await openTask(supporter.api, instance.id, 'Review failed deployment');
    expect(review.candidateGroups).toEqual(['support']);
    await supporter.api.post(`/api/tasks/${review.id}/complete`, { decision: 'acknowledged' });
    const ended = await server.waitForStatus(instance.id, 'completed');
    expect(endEvents(ended)).toEqual(expect.arrayContaining(['noRuntime', 'deployFailedEnd']));
  }, 90000);
});
