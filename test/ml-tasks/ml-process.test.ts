import { waitFor } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { trainTestGateProcess } from '../support/ml-processes';
import { startTestServer, TestServer } from '../support/server';

const CUTOFF = '2025-02-15T00:00:00Z';

/** train → test → check-thresholds → gateway; failed or cancelled jobs take boundary events. */
const lifecycle = trainTestGateProcess('train-test-gate', CUTOFF);

describe('the train, test and check-thresholds topics in a BPMN process', () => {
  let server: TestServer;
  let datasetId: string;
  const data = creditRisk(2500, 41, { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') });

  const createModel = async (name: string, metadata: Record<string, unknown>) => (await server.api.post('/api/models', { name, type: 'classification', metadata })).body.id as string;
  const start = async (variables: Record<string, unknown>) => {
    const started = await server.api.post('/api/process-definitions/train-test-gate/start', { variables });
    expect(started.status).toBe(201);
    return started.body.id as string;
  };
  const endEvents = (instance: any) => instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);

  beforeAll(async () => {
    server = await startTestServer();
    datasetId = (await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, data.csv)).status).toBe(201);
    expect((await server.api.deploy(lifecycle)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('passes the gate when the test result meets the model\'s thresholds', async () => {
    const modelId = await createModel('good-enough', { thresholds: [{ metric: 'rocAuc', min: 0.6 }, { metric: 'accuracy', min: 0.5 }] });
    const id = await start({ modelId, datasetId });
    const ended = await server.waitForStatus(id, 'completed', 45000);
    expect(endEvents(ended)).toContain('approved');
    expect(ended.variables).toMatchObject({ versionNumber: 1, passed: true, breaches: [], trainJobId: expect.any(String), testJobId: expect.any(String) });
    expect(ended.variables.testResult).toMatchObject({ schema: 'stagegate-test-result/1', type: 'classification' });
    expect(ended.variables.trainingMetrics).toMatchObject({ algorithm: 'logistic-regression', rows: expect.any(Number) });
    const version = (await server.api.get(`/api/models/${modelId}/versions/1`)).body;
    expect(version.testResults[0].jobId).toBe(ended.variables.testJobId);
    const jobs = (await server.api.get(`/api/jobs?modelId=${modelId}`)).body.items;
    expect(jobs.map((j: any) => [j.type, j.status, j.processInstanceId])).toEqual([
      ['test', 'succeeded', id],
      ['train', 'succeeded', id],
    ]);
  });

  it('takes the other branch with the breaches when thresholds are not met', async () => {
    const modelId = await createModel('too-strict', { thresholds: [{ metric: 'rocAuc', min: 0.99 }, { metric: 'rows', min: 1 }] });
    const id = await start({ modelId, datasetId });
    const ended = await server.waitForStatus(id, 'completed', 45000);
    expect(endEvents(ended)).toContain('rejected');
    expect(ended.variables.passed).toBe(false);
    expect(ended.variables.breaches).toEqual([{ metric: 'rocAuc', value: ended.variables.testResult.metrics.rocAuc, min: 0.99, message: expect.stringMatching(/rocAuc .* is below the minimum 0.99/) }]);
  });

  it('raises JOB_FAILED when the training job fails', async () => {
    const modelId = await createModel('bad-knobs', { algorithm: 'random-forest', hyperparameters: { nTrees: 10 } });
    const id = await start({ modelId, datasetId });
    const ended = await server.waitForStatus(id, 'completed', 45000);
    expect(endEvents(ended)).toContain('failed');
    const [job] = (await server.api.get(`/api/jobs?modelId=${modelId}`)).body.items;
    expect(job).toMatchObject({ type: 'train', status: 'failed', error: expect.stringMatching(/^random-forest has no hyperparameter "nTrees"; it has .*nEstimators/) });
  });

  it('raises JOB_CANCELLED when the training job is cancelled', async () => {
    const modelId = await createModel('cancel-me', { algorithm: 'random-forest', hyperparameters: { nEstimators: 1000, maxDepth: 20, minNumSamples: 2 } });
    const id = await start({ modelId, datasetId });
    const job = await waitFor(async () => (await server.api.get(`/api/jobs?modelId=${modelId}&status=running`)).body.items[0], 20000, 'the training job to run');
    const cancelled = await server.api.post(`/api/jobs/${job.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const ended = await server.waitForStatus(id, 'completed', 15000);
    expect(endEvents(ended)).toContain('cancelled');
  });

  it('a re-invoked task finds its job by the idempotency key instead of starting another', async () => {
    const modelId = await createModel('idempotent', { thresholds: [] });
    const handler = server.stagegate.serviceTasks.get('train')!;
    const task = {
      instanceId: '00000000-0000-4000-8000-00000000000a',
      businessKey: null,
      elementId: 'train',
      executionId: 'train_1',
      idempotencyKey: 'instance-a:train_1',
      topic: 'train',
      input: { to: CUTOFF },
      variables: { modelId, datasetId },
      attempt: 1,
    };
    const [first, second] = await Promise.all([handler(task), handler({ ...task, attempt: 2 })]);
    expect(first).toEqual(second);
    const third = await handler({ ...task, attempt: 3 });
    expect(third).toEqual(first);
    expect((await server.api.get(`/api/jobs?modelId=${modelId}`)).body.total).toBe(1);
    expect((await server.api.get(`/api/models/${modelId}/versions`)).body.total).toBe(1);
  });

  it('check-thresholds takes thresholds and a test result from its inputs, and reads the latest stored one otherwise', async () => {
    const check = server.stagegate.serviceTasks.get('check-thresholds')!;
    const base = { instanceId: 'i', businessKey: null, elementId: 'check', executionId: 'c', idempotencyKey: 'i:c', topic: 'check-thresholds', attempt: 1 };
    const testResult = { schema: 'stagegate-test-result/1', type: 'classification', rows: 10, metrics: { accuracy: 0.7 }, evaluatedAt: new Date().toISOString() };
    const fromInputs = await check({ ...base, input: { thresholds: '[{"metric":"accuracy","min":0.8}]' }, variables: { testResult } });
    expect(fromInputs).toEqual({ passed: false, breaches: [expect.objectContaining({ metric: 'accuracy', value: 0.7, min: 0.8 })] });

    const modelId = (await server.api.get('/api/models?q=good-enough')).body.items[0].id;
    const stored = await check({ ...base, input: { versionNumber: '1' }, variables: { modelId } });
    expect(stored).toEqual({ passed: true, breaches: [] });
    await expect(check({ ...base, input: {}, variables: { modelId } })).rejects.toThrow(/needs testResult or versionNumber/);
    await expect(check({ ...base, input: { thresholds: 'nonsense' }, variables: {} })).rejects.toThrow(/bad inputs: thresholds/);
  });

  it('check-thresholds reports a metric of the other model type as a breach naming the metrics there are, never a crash', async () => {
    const check = server.stagegate.serviceTasks.get('check-thresholds')!;
    const base = { instanceId: 'i', businessKey: null, elementId: 'check', executionId: 'm', idempotencyKey: 'i:m', topic: 'check-thresholds', attempt: 1 };
    const testResult = { schema: 'stagegate-test-result/1', type: 'classification', rows: 10, metrics: { accuracy: 0.9, rocAuc: 0.8 }, evaluatedAt: new Date().toISOString() };
    const mismatch = await check({ ...base, input: { thresholds: '[{"metric":"rmse","max":1},{"metric":"accuracy","min":0.5}]' }, variables: { testResult } });
    expect(mismatch).toEqual({
      passed: false,
      breaches: [{ metric: 'rmse', value: null, max: 1, message: expect.stringMatching(/^rmse is not a metric of this test result \(.*accuracy/) }],
    });
    // A model's stored thresholds cannot name such a metric in the first place.
    const model = await server.api.post('/api/models', { name: 'wrong-metric', type: 'classification', metadata: { thresholds: [{ metric: 'r2', min: 0.5 }] } });
    expect(model.status).toBe(400);
    expect(model.body.error.message).toMatch(/"r2" does not apply to a classification model/);
  });

  it('a train task on a dataset without the model\'s label column fails with a readable reason and starts no job', async () => {
    const train = server.stagegate.serviceTasks.get('train')!;
    const unlabeled = (await server.api.post('/api/datasets', { name: 'other-label', labelColumn: 'region' })).body.id;
    expect((await uploadCsv(server.stagegate.url, unlabeled, data.csv)).status).toBe(201);
    const modelId = await createModel('needs-default', { label: 'outcome' });
    const task = { instanceId: 'i', businessKey: null, elementId: 'train', executionId: 'l', idempotencyKey: 'i:l', topic: 'train', attempt: 1, input: {}, variables: { modelId, datasetId: unlabeled } };
    await expect(train(task)).rejects.toThrow(/dataset other-label has no column "outcome"/);
    expect((await server.api.get(`/api/jobs?modelId=${modelId}`)).body.total).toBe(0);
  });
});
