import path from 'node:path';
import { waitFor } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { trainTestGateProcess } from '../support/ml-processes';
import { startTestServer, TestServer } from '../support/server';

const CUTOFF = '2025-02-15T00:00:00Z';
const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'command-model', 'model.js');
const fixture = (mode: string) => [process.execPath, FIXTURE, mode];

/** train → test → check-thresholds → gateway; failed or cancelled jobs take boundary events. */
const lifecycle = trainTestGateProcess('command-lifecycle', CUTOFF, { catchTestFailure: true });

describe('the train and test topics with a command model', () => {
  let server: TestServer;
  let datasetId: string;
  const data = creditRisk(1200, 43, { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') });

  const createModel = async (name: string, command: Record<string, unknown>, thresholds: unknown[] = []) => {
    const created = await server.api.post('/api/models', { name, type: 'classification', metadata: { thresholds, command, features: ['age', 'income', 'debt_ratio', 'credit_score'] } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const start = async (variables: Record<string, unknown>) => {
    const started = await server.api.post('/api/process-definitions/command-lifecycle/start', { variables });
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

  it('trains with the train command, tests with the score command, and gates on the thresholds', async () => {
    const modelId = await createModel('command-gate', { train: fixture('train'), score: fixture('score'), timeoutMs: 20000 }, [{ metric: 'rocAuc', min: 0.6 }]);
    const id = await start({ modelId, datasetId });
    const ended = await server.waitForStatus(id, 'completed', 45000);
    expect(endEvents(ended)).toContain('approved');
    expect(ended.variables).toMatchObject({ versionNumber: 1, passed: true, breaches: [] });
    expect(ended.variables.trainingMetrics).toMatchObject({ algorithm: 'command', training: { trainingAccuracy: expect.any(Number) } });
    expect(ended.variables.testResult).toMatchObject({ schema: 'stagegate-test-result/1', type: 'classification', metrics: { rocAuc: expect.any(Number) } });
    const jobs = (await server.api.get(`/api/jobs?modelId=${modelId}`)).body.items;
    expect(jobs.map((j: any) => [j.type, j.status, j.params.command.argv[2]])).toEqual([
      ['test', 'succeeded', 'score'],
      ['train', 'succeeded', 'train'],
    ]);
  });

  it('raises JOB_FAILED with the command\'s reason when the score command fails', async () => {
    const modelId = await createModel('command-score-fails', { train: fixture('train'), score: fixture('fail'), timeoutMs: 20000 });
    const id = await start({ modelId, datasetId });
    const ended = await server.waitForStatus(id, 'completed', 45000);
    expect(endEvents(ended)).toContain('failed');
    const [test] = (await server.api.get(`/api/jobs?modelId=${modelId}&type=test`)).body.items;
    expect(test).toMatchObject({ status: 'failed', error: expect.stringMatching(/^the score command exited with code 3: .*ValueError: label column has NaN$/) });
  });

  it('raises JOB_CANCELLED when the running command job is cancelled', async () => {
    const modelId = await createModel('command-cancelled', { train: fixture('hang'), timeoutMs: 60000 });
    const id = await start({ modelId, datasetId });
    const job = await waitFor(async () => {
      const [running] = (await server.api.get(`/api/jobs?modelId=${modelId}&status=running`)).body.items;
      if (!running) return null;
      const full = (await server.api.get(`/api/jobs/${running.id}`)).body;
      return full.log.some((line: any) => /fixture: child/.test(line.message)) ? full : null;
    }, 20000, 'the train command to run');
    const t = performance.now();
    const cancelled = await server.api.post(`/api/jobs/${job.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(performance.now() - t).toBeLessThan(2000);
    const ended = await server.waitForStatus(id, 'completed', 15000);
    expect(endEvents(ended)).toContain('cancelled');
  });
});
