/**
 * Batch predictions (SPEC §8) through REST and the engine on a real server:
 * a credit-risk dataset scored by a deployment's champion as a batch-predict
 * job, on the embedded and the http runtime; the CSV matches POST /predict row
 * for row; window selection; the batch-predict topic in
 * processes/batch-prediction.bpmn, started directly and by a schedule;
 * cancellation; bad inputs refused before any job exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { CREDIT_RISK_COLUMNS, CREDIT_RISK_FEATURES, type Row } from '../../src/ml';
import { TEST_ADMIN_TOKEN, waitFor, waitForJob } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { startTestServer, type TestServer } from '../support/server';
import { createUser } from '../support/users';
import { processesDir } from '../processes/lifecycle-fixtures';
import { modelWithVersions, predict, runtime } from './fixtures';
import { modelServer } from './model-server';

const START = new Date('2025-01-01T00:00:00Z');
const END = new Date('2025-01-11T00:00:00Z');
const ROWS = 2100;

describe('batch predictions', () => {
  let server: TestServer;
  let data: Row[];
  let datasetId: string;
  let modelId: string;
  let versionId: string;
  let embeddedId: string;
  const remote = modelServer();
  let remoteId: string;

  const api = () => server.api;
  const outputDir = () => path.join(server.database.dataDir, 'batch-predictions');
  const finished = (id: string, timeoutMs = 60000) => waitForJob(api(), id, timeoutMs);
  const batchJobs = async () => (await api().get('/api/jobs?type=batch-predict&limit=500')).body.total as number;
  const download = (id: string, token = TEST_ADMIN_TOKEN) => fetch(`${server.stagegate.url}/api/jobs/${id}/output`, { headers: { authorization: `Bearer ${token}` } });
  const features = (row: Row) => Object.fromEntries(CREDIT_RISK_FEATURES.map((name) => [name, row[name]]));

  async function deployment(name: string, runtimeId: string, activate = true): Promise<string> {
    const created = await api().post('/api/deployments', { name, versionId, runtimeId, access: 'public' });
    expect(created.status).toBe(201);
    if (activate) expect((await api().post(`/api/deployments/${created.body.id}/activate`)).status).toBe(200);
    return created.body.id;
  }

  /** Checks a downloaded CSV against POST /predict for the same rows. */
  async function expectSameAsPredict(deploymentId: string, csv: string, rows: Row[], includeInput: boolean): Promise<void> {
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(rows.length);
    const header = csv.slice(0, csv.indexOf('\n')).split(',');
    expect(header).toEqual([...(includeInput ? CREDIT_RISK_COLUMNS : []), 'prediction', 'probability']);
    const answer = await predict(server.stagegate.url, deploymentId, { rows: rows.map(features) });
    expect(answer.status).toBe(200);
    records.forEach((record, index) => {
      const predicted = answer.body.predictions[index];
      expect(record.prediction).toBe(String(predicted));
      expect(Number(record.probability)).toBe(answer.body.probabilities[index][predicted]);
      if (includeInput) expect(record.income).toBe(String(rows[index].income));
    });
  }

  beforeAll(async () => {
    server = await startTestServer({ env: { PROCESSES_DIR: processesDir('batch-prediction') } });
    const credit = creditRisk(ROWS, 11, { start: START, end: END });
    data = credit.rows;
    const dataset = await api().post('/api/datasets', { name: 'applications', labelColumn: 'default', timestampColumn: 'applied_at' });
    datasetId = dataset.body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, credit.csv)).status).toBe(201);
    const model = await modelWithVersions(api(), 'batch-credit');
    modelId = model.modelId;
    versionId = model.versionIds[0];
    embeddedId = await deployment('batch-embedded', await runtime(api(), 'local', ['prod']));
    const url = await remote.listen();
    remoteId = await deployment('batch-remote', await runtime(api(), 'model-server', ['external'], url));
  }, 120000);
  afterAll(async () => {
    await remote.close();
    await server.close();
  });

  it('scores every row of the dataset in a worker and serves the CSV: predictions and probabilities equal POST /predict', async () => {
    const started = await api().post(`/api/deployments/${embeddedId}/batch-predictions`, { datasetId });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ type: 'batch-predict', status: 'queued', modelId, params: { deploymentId: embeddedId, datasetId, from: null, to: null, includeInput: true } });
    const listed = (await api().get('/api/jobs?type=batch-predict')).body.items.map((job: any) => job.id);
    expect(listed).toContain(started.body.id);

    const job = await finished(started.body.id);
    expect(job).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(job.result).toMatchObject({ versionId, versionNumber: 1, runtime: 'embedded', rows: ROWS, outputUrl: `/api/jobs/${job.id}/output` });
    expect(job.log.map((line: any) => line.message).join('\n')).toMatch(/worker process \d+ started/);

    const response = await download(job.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="batch-predictions-${job.id}.csv"`);
    const csv = await response.text();
    expect(Buffer.byteLength(csv)).toBe(job.result.bytes);
    await expectSameAsPredict(embeddedId, csv, data, true);
  }, 90000);

  it('scores only the rows of the window, without the input columns when asked', async () => {
    const window = { from: '2025-01-03T00:00:00Z', to: '2025-01-05T00:00:00Z' };
    const inWindow = data.filter((row) => {
      const at = new Date(row.applied_at as string).getTime();
      return at >= Date.parse(window.from) && at < Date.parse(window.to);
    });
    expect(inWindow.length).toBeGreaterThan(100);
    const started = await api().post(`/api/deployments/${embeddedId}/batch-predictions`, { datasetId, window, includeInput: false });
    expect(started.status).toBe(202);
    const job = await finished(started.body.id);
    expect(job.result).toMatchObject({ rows: inWindow.length, from: '2025-01-03T00:00:00.000Z', to: '2025-01-05T00:00:00.000Z', includeInput: false });
    await expectSameAsPredict(embeddedId, await (await download(job.id)).text(), inWindow, false);

    const empty = await api().post(`/api/deployments/${embeddedId}/batch-predictions`, { datasetId, window: { from: '2030-01-01' } });
    expect((await finished(empty.body.id)).result.rows).toBe(0);
    expect(await (await download(empty.body.id)).text()).toBe(`${CREDIT_RISK_COLUMNS.join(',')},prediction,probability\n`);
  }, 60000);

  it('forwards the rows to an http runtime in chunks', async () => {
    const before = remote.received.filter((line) => line === `POST /models/${remoteId}/predict`).length;
    const started = await api().post(`/api/deployments/${remoteId}/batch-predictions`, { datasetId });
    const job = await finished(started.body.id);
    expect(job).toMatchObject({ status: 'succeeded', result: { runtime: 'http', rows: ROWS, versionId } });
    const requests = remote.received.filter((line) => line === `POST /models/${remoteId}/predict`).length - before;
    expect(requests).toBe(Math.ceil(ROWS / 1000));
    await expectSameAsPredict(remoteId, await (await download(job.id)).text(), data, true);
  }, 60000);

  it('cancels a running batch for real: no more requests, no output, no file left', async () => {
    remote.hold();
    const predictsBefore = remote.received.length;
    const started = await api().post(`/api/deployments/${remoteId}/batch-predictions`, { datasetId });
    await waitFor(async () => remote.received.length > predictsBefore, 15000, 'the first chunk at the model server');
    expect((await download(started.body.id)).status).toBe(404);
    const cancelled = await api().post(`/api/jobs/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const requestsAtCancel = remote.received.length;
    remote.release();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(remote.received.length).toBe(requestsAtCancel);
    expect((await download(started.body.id)).status).toBe(404);
    await waitFor(async () => !readdirSync(outputDir()).some((name) => name.startsWith(started.body.id)), 5000, 'the partial file to be removed');
  }, 60000);

  it('runs the batch-predict topic of processes/batch-prediction.bpmn: the job exists and its CSV downloads', async () => {
    const started = await api().post('/api/process-definitions/batch-prediction/start', { variables: { deploymentId: embeddedId, datasetId, from: '2025-01-10', includeInput: 'false' } });
    expect(started.status).toBe(201);
    const done = await server.waitForStatus(started.body.id, 'completed', 60000);
    const { jobId, rows, outputUrl } = done.variables;
    expect(rows).toBe(data.filter((row) => new Date(row.applied_at as string) >= new Date('2025-01-10T00:00:00Z')).length);
    expect(outputUrl).toBe(`/api/jobs/${jobId}/output`);
    const job = (await api().get(`/api/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ type: 'batch-predict', status: 'succeeded', processInstanceId: started.body.id, params: { includeInput: false } });
    const csv = await (await download(jobId)).text();
    expect(csv.split('\n').filter(Boolean)).toHaveLength(rows + 1);
  }, 90000);

  it('runs on a schedule (POST /api/schedules with the variables)', async () => {
    // A near-term cron: once, three seconds from now (then again only an hour later).
    const at = new Date(Date.now() + 3000);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} * * * *`;
    const schedule = await api().post('/api/schedules', { process: 'batch-prediction', cron, timezone: 'UTC', variables: { deploymentId: embeddedId, datasetId, window: { from: '2025-01-10' } } });
    expect(schedule.status).toBe(201);
    const instance = await waitFor(async () => {
      const items = (await api().get('/api/process-instances?key=batch-prediction&status=completed&limit=100')).body.items as any[];
      return items.find((item) => item.startedBy === null);
    }, 30000, 'a scheduled batch prediction to complete');
    expect((await api().del(`/api/schedules/${schedule.body.id}`)).status).toBe(204);
    const done = (await api().get(`/api/process-instances/${instance.id}`)).body;
    const job = (await api().get(`/api/jobs/${done.variables.jobId}`)).body;
    expect(job).toMatchObject({ type: 'batch-predict', status: 'succeeded', processInstanceId: instance.id, params: { from: '2025-01-10T00:00:00.000Z', to: null } });
    expect((await download(job.id)).status).toBe(200);
  }, 60000);

  it('fails the job naming a row the model cannot read, and leaves no output', async () => {
    const mixed = await api().post('/api/datasets', { name: 'mixed-age', labelColumn: 'default' });
    const rows: Row[] = data.slice(0, 5).map((row, index) => ({ ...row, age: index === 3 ? 'unknown' : row.age }));
    const lines = [CREDIT_RISK_COLUMNS.join(','), ...rows.map((row) => CREDIT_RISK_COLUMNS.map((name) => row[name]).join(','))];
    expect((await uploadCsv(server.stagegate.url, mixed.body.id, `${lines.join('\n')}\n`)).status).toBe(201);
    const started = await api().post(`/api/deployments/${embeddedId}/batch-predictions`, { datasetId: mixed.body.id });
    expect(started.status).toBe(202);
    const job = await finished(started.body.id);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringContaining('row 4 of the window: expected a number for "age", got "unknown"') });
    expect((await download(job.id)).status).toBe(404);
    expect(readdirSync(outputDir()).filter((name) => name.startsWith(job.id))).toEqual([]);
  }, 60000);

  it('refuses bad requests before any job exists', async () => {
    const jobsBefore = await batchJobs();
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refusal = async (deploymentId: string, body: unknown) => api().post(`/api/deployments/${deploymentId}/batch-predictions`, body);

    const noDeployment = await refusal(unknown, { datasetId });
    expect(noDeployment.status).toBe(404);
    expect(noDeployment.body.error.message).toMatch(/deployment .* not found/);
    expect((await refusal(embeddedId, { datasetId: unknown })).status).toBe(404);

    const inactiveId = await deployment('batch-inactive', await runtime(api(), 'spare', ['spare']), false);
    const inactive = await refusal(inactiveId, { datasetId });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('DEPLOYMENT_INACTIVE');

    const partial = await api().post('/api/datasets', { name: 'no-income', labelColumn: 'default' });
    const columns = CREDIT_RISK_COLUMNS.filter((name) => name !== 'income' && name !== 'credit_score');
    const lines = [columns.join(','), ...data.slice(0, 5).map((row) => columns.map((name) => row[name]).join(','))];
    expect((await uploadCsv(server.stagegate.url, partial.body.id, `${lines.join('\n')}\n`)).status).toBe(201);
    const missing = await refusal(embeddedId, { datasetId: partial.body.id });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/"income", "credit_score"/);
    expect(missing.body.error.details.missing).toEqual(['income', 'credit_score']);

    expect((await refusal(embeddedId, { datasetId, window: { from: 'last tuesday' } })).status).toBe(400);
    expect((await refusal(embeddedId, { datasetId, window: { from: '2025-01-05', to: '2025-01-01' } })).status).toBe(400);
    expect((await refusal(embeddedId, { datasetId, includeInput: 'yes' })).status).toBe(400);
    expect((await refusal(embeddedId, {})).status).toBe(400);
    const experimenter = await createUser(server, ['experiment_contributor']);
    const forbidden = await experimenter.api.post(`/api/deployments/${embeddedId}/batch-predictions`, { datasetId });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toMatch(/deployments:write/);
    expect(await batchJobs()).toBe(jobsBefore);
  }, 30000);

  it('serves the output only for finished batch-predict jobs, to whoever may see the job', async () => {
    const test = await api().post(`/api/models/${modelId}/versions/1/test`, { datasetId });
    expect(test.status).toBe(202);
    const other = await download(test.body.id);
    expect(other.status).toBe(404);
    expect(((await other.json()) as any).error.message).toMatch(/output of test job/);
    expect((await download('00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const [latest] = (await api().get('/api/jobs?type=batch-predict&status=succeeded&limit=1')).body.items;
    const viewer = await createUser(server, ['viewer']);
    expect((await download(latest.id, viewer.token)).status).toBe(200);
    const stranger = await createUser(server, ['deployment_contributor']);
    expect((await download(latest.id, stranger.token)).status).toBe(403);
    expect((await fetch(`${server.stagegate.url}/api/jobs/${latest.id}/output`)).status).toBe(401);
    expect(existsSync(path.join(outputDir(), `${latest.id}.csv`))).toBe(true);
    const paths = Object.keys((await api().get('/api/openapi.json')).body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/deployments/{id}/batch-predictions', '/api/jobs/{id}/output']));
    await finished(test.body.id);
  }, 60000);
});
