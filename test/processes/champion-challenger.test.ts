import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';
import { appendCredit, creditDataset, DAY_MS, deployVersion, endEvents, openTask, processesDir, startedInstance, trainVersion } from './lifecycle-fixtures';

/**
 * processes/champion-challenger.bpmn end to end through REST: new labeled data
 * retrains the model of the deployment using it; a better candidate replaces
 * the champion after approval, a worse one does not.
 */
describe('processes/champion-challenger.bpmn', () => {
  let server: TestServer;
  let reviewer: TestUser;
  let datasetId: string;
  let modelId: string;
  let deploymentId: string;
  let instances = 0;
  const weakTree = { algorithm: 'decision-tree', hyperparameters: { maxDepth: 1 } };

  beforeAll(async () => {
    server = await startTestServer({ env: { PROCESSES_DIR: processesDir('champion-challenger'), SUPPORT_GROUP: 'support' } });
    reviewer = await createUser(server, ['model_approver'], ['model-approvers']);
    const runtime = await server.api.post('/api/runtimes', { name: 'prod-1', kind: 'embedded', tags: ['prod'] });
    const end = new Date(Date.now() - 2 * DAY_MS);
    datasetId = await creditDataset(server, 'loans', 2000, 21, { start: new Date(end.getTime() - 60 * DAY_MS), end });
    // Its first rows are already a data-arrived event: with nothing deployed yet, that run ends at once.
    instances = 1;
    const first = await server.waitForStatus((await startedInstance(server.api, 'champion-challenger', 1)).id, 'completed');
    expect(endEvents(first)).toContain('nothingDeployed');
    // The champion: a one-split tree, easy to beat.
    modelId = (await server.api.post('/api/models', { name: 'loan-default', type: 'classification', metadata: { datasetId, ...weakTree } })).body.id;
    const champion = await trainVersion(server.api, modelId);
    deploymentId = await deployVersion(server.api, 'loan-default-prod', modelId, champion, runtime.body.id);
  }, 90000);
  afterAll(() => server.close());

  /** New labeled rows arrive; the data-arrived event starts the process. */
  const dataArrives = async (seed: number) => {
    await appendCredit(server, datasetId, 400, seed, { start: new Date(Date.now() - 2 * DAY_MS), end: new Date(Date.now() - DAY_MS) });
    instances += 1;
    return startedInstance(server.api, 'champion-challenger', instances);
  };
  const champion = async () => {
    const deployment = (await server.api.get(`/api/deployments/${deploymentId}`)).body;
    const versions = (await server.api.get(`/api/models/${modelId}/versions?limit=50`)).body.items;
    return versions.find((v: any) => v.id === deployment.championVersionId).number as number;
  };

  it('a better candidate reaches approval and replaces the champion once approved', async () => {
    expect((await server.api.put(`/api/models/${modelId}`, { metadata: { algorithm: 'logistic-regression', hyperparameters: null } })).status).toBe(200);
    const instance = await dataArrives(31);
    const task = await openTask(reviewer.api, instance.id, 'Approve replacing the champion', 90000);
    expect(task.candidateGroups).toEqual(['model-approvers']);
    const waiting = (await server.api.get(`/api/process-instances/${instance.id}`)).body;
    expect(waiting.variables).toMatchObject({ found: true, deploymentId, championVersion: 1, versionNumber: 2, candidateWins: true, metric: 'rocAuc' });
    expect(waiting.variables.candidateMetric).toBeGreaterThan(waiting.variables.championMetric);
    // Both were tested on the same holdout rows.
    expect(waiting.variables.candidateTestResult.rows).toBe(waiting.variables.championTestResult.rows);
    expect(await champion()).toBe(1);

    expect((await reviewer.api.post(`/api/tasks/${task.id}/complete`, { decision: 'approved', comment: 'clearly better' })).status).toBe(200);
    const ended = await server.waitForStatus(instance.id, 'completed', 30000);
    expect(endEvents(ended)).toEqual(expect.arrayContaining(['replace', 'replaced']));
    expect(await champion()).toBe(2);
  }, 120000);

  it('a worse candidate does not reach approval and the champion stays', async () => {
    expect((await server.api.put(`/api/models/${modelId}`, { metadata: weakTree })).status).toBe(200);
    const instance = await dataArrives(41);
    const ended = await server.waitForStatus(instance.id, 'completed', 90000);
    expect(endEvents(ended)).toContain('kept');
    expect(endEvents(ended)).not.toContain('approveChallenger');
    expect(ended.variables).toMatchObject({ candidateWins: false, championVersion: 2, versionNumber: 3 });
    expect(ended.variables.candidateMetric).toBeLessThan(ended.variables.championMetric);
    expect(await champion()).toBe(2);
    expect((await server.api.get(`/api/tasks?processInstanceId=${instance.id}`)).body.total).toBe(0);
  }, 120000);

  it('ends without retraining when no active deployment uses the dataset', async () => {
    await creditDataset(server, 'unused', 200, 51, { start: new Date(Date.now() - 10 * DAY_MS), end: new Date(Date.now() - DAY_MS) });
    instances += 1;
    const instance = await startedInstance(server.api, 'champion-challenger', instances);
    const ended = await server.waitForStatus(instance.id, 'completed');
    expect(endEvents(ended)).toContain('nothingDeployed');
    expect(ended.variables.found).toBe(false);
  }, 60000);
});
