import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toCsv } from '../../src/ml';
import { TEST_ADMIN_TOKEN, waitFor, waitForJob } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

const CUTOFF = '2025-02-15T00:00:00.000Z';
const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'command-model', 'model.js');
const fixture = (mode: string) => [process.execPath, FIXTURE, mode];
const FEATURES = ['age', 'income', 'debt_ratio', 'loan_amount', 'credit_score'];

/** Whether the process runs (a killed process whose parent is gone may linger as a zombie until reaped: that is not running). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

describe('the command runtime: a model trained and scored by its own program', () => {
  let server: TestServer;
  const data = creditRisk(1500, 31, { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') });
  const holdout = data.rows.filter((row) => String(row.applied_at) >= CUTOFF);
  let datasetId: string;
  let contributor: TestUser;

  const commandModel = async (name: string, command: Record<string, unknown>) => {
    const created = await server.api.post('/api/models', { name, type: 'classification', metadata: { features: FEATURES, protectedAttribute: 'gender', command } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const logOf = (job: any) => job.log.map((line: any) => line.message).join('\n');

  beforeAll(async () => {
    server = await startTestServer();
    datasetId = (await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, data.csv)).status).toBe(201);
    contributor = await createUser(server, ['experiment_contributor']);
  });
  afterAll(() => server.close());

  it('trains a version with the train command and tests it with the score command through REST; the metrics match the command\'s own predictions', async () => {
    const modelId = await commandModel('own-program', { train: fixture('train'), score: fixture('score'), timeoutMs: 20000 });
    const started = await server.api.post(`/api/models/${modelId}/train`, { datasetId, to: CUTOFF });
    expect(started.status).toBe(202);
    expect(started.body.params).toMatchObject({ algorithm: 'command', command: { argv: fixture('train'), timeoutMs: 20000 }, features: FEATURES, label: 'default' });
    const trained = await waitForJob(server.api, started.body.id);
    expect(trained).toMatchObject({ status: 'succeeded', progress: 100, result: { versionNumber: 1 } });
    const log = logOf(trained);
    expect(log).toMatch(/running the train command/);
    expect(log).toMatch(/stdout: fixture: training on \d+ rows/);
    expect(log).toMatch(/stderr: fixture: categorical features are ignored/);
    expect(log).not.toMatch(/STAGEGATE_PROGRESS/);

    const version = (await server.api.get(`/api/models/${modelId}/versions/1`)).body;
    expect(version.trainingMetrics).toMatchObject({ algorithm: 'command', features: FEATURES, label: 'default', classes: ['0', '1'], training: { trainingAccuracy: expect.any(Number) } });
    const artifactReply = await fetch(`${server.stagegate.url}/api/models/${modelId}/versions/1/artifact`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(artifactReply.headers.get('content-type')).toMatch(/octet-stream/);
    const artifact = Buffer.from(await artifactReply.arrayBuffer());
    expect(createHash('sha256').update(artifact).digest('hex')).toBe(version.artifactSha256);

    const tested = await server.api.post(`/api/models/${modelId}/versions/1/test`, { datasetId, from: CUTOFF });
    expect(tested.status).toBe(202);
    const testJob = await waitForJob(server.api, tested.body.id);
    expect(testJob.status).toBe('succeeded');
    expect(logOf(testJob)).toMatch(/stdout: fixture: scored \d+ rows/);
    const result = testJob.result.testResult;
    expect(result).toMatchObject({ schema: 'stagegate-test-result/1', type: 'classification', rows: holdout.length, fairness: { protectedAttribute: 'gender' }, drift: { maxPsi: expect.any(Number) } });

    // Independently: run the same program on the holdout with the stored artifact and count.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'command-check-'));
    try {
      writeFileSync(path.join(dir, 'artifact'), artifact);
      writeFileSync(path.join(dir, 'input.csv'), toCsv(holdout, FEATURES));
      execFileSync(process.execPath, [FIXTURE, 'score'], {
        env: { STAGEGATE_ARTIFACT_PATH: path.join(dir, 'artifact'), STAGEGATE_INPUT_CSV: path.join(dir, 'input.csv'), STAGEGATE_OUTPUT_CSV: path.join(dir, 'out.csv') },
      });
      const predicted = readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[0]);
      const correct = predicted.filter((value, i) => value === String(holdout[i].default)).length;
      expect(result.metrics.accuracy).toBeCloseTo(correct / holdout.length, 12);
      const truePositives = predicted.filter((value, i) => value === '1' && String(holdout[i].default) === '1').length;
      expect(result.metrics.confusionMatrix.matrix[1][1]).toBe(truePositives);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(result.metrics.rocAuc).toBeGreaterThan(0.65);
    expect((await server.api.get(`/api/models/${modelId}/versions/1`)).body.testResults[0].jobId).toBe(testJob.id);
  });

  it('only administrators may set a command; argv must be an array of strings', async () => {
    const denied = await contributor.api.post('/api/models', { name: 'sneaky', type: 'classification', metadata: { command: { train: ['/bin/sh', '-c', 'id'] } } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/settings:edit.*definitions:deploy.*only an administrator/);
    const own = await contributor.api.post('/api/models', { name: 'contributors-own', type: 'classification' });
    expect(own.status).toBe(201);
    const patch = await contributor.api.request('PATCH', `/api/models/${own.body.id}`, { metadata: { command: { train: ['node', 'x.js'] } } });
    expect(patch.status).toBe(403);
    const admin = await createUser(server, ['analytics_admin']);
    expect((await admin.api.request('PATCH', `/api/models/${own.body.id}`, { metadata: { command: { train: fixture('train') } } })).status).toBe(200);
    // Sending the same command back is no change; changing it is.
    const stored = (await contributor.api.get(`/api/models/${own.body.id}`)).body.metadata.command;
    expect((await contributor.api.request('PATCH', `/api/models/${own.body.id}`, { description: 'mine', metadata: { command: stored } })).status).toBe(200);
    expect((await contributor.api.request('PATCH', `/api/models/${own.body.id}`, { metadata: { command: { ...stored, timeoutMs: 999999 } } })).status).toBe(403);
    expect((await contributor.api.request('PATCH', `/api/models/${own.body.id}`, { metadata: { command: null } })).status).toBe(403);
    // The contributor may still train with the command an administrator set.
    const started = await contributor.api.post(`/api/models/${own.body.id}/train`, { datasetId: (await contributor.api.post('/api/datasets', { name: 'c-data', labelColumn: 'default' })).body.id });
    expect(started.status).toBe(400); // their dataset has no rows: the command is not the problem

    const bad: [unknown, RegExp][] = [
      [{ train: 'node model.js train' }, /train/],
      [{ train: [] }, /train/],
      [{ train: ['node', 3] }, /train/],
      [{ train: ['node', ''] }, /train/],
      [{ train: ['node\u0000'] }, /NUL/],
      [{ timeoutMs: 5000 }, /train and\/or score/],
      [{ train: ['node'], timeoutMs: 10 }, /timeoutMs/],
      [{ train: ['node'], shell: true }, /shell/],
    ];
    for (const [command, message] of bad) {
      const reply = await server.api.post('/api/models', { name: 'bad-command', type: 'classification', metadata: { command } });
      expect({ command, status: reply.status }).toEqual({ command, status: 400 });
      expect(reply.body.error.message).toMatch(message);
    }
    const modelId = await commandModel('no-knobs', { train: fixture('train') });
    const withAlgorithm = await server.api.post(`/api/models/${modelId}/train`, { datasetId, algorithm: 'decision-tree' });
    expect(withAlgorithm.status).toBe(400);
    expect(withAlgorithm.body.error.message).toMatch(/trained by its own command/);
    const scoreOnly = await commandModel('score-only', { score: fixture('score') });
    expect((await server.api.post(`/api/models/${scoreOnly}/train`, { datasetId })).status).toBe(409);
  });

  it('fails the job with the last stderr lines when the command exits non-zero', async () => {
    const modelId = await commandModel('crashes', { train: fixture('fail') });
    const job = await waitForJob(server.api, (await server.api.post(`/api/models/${modelId}/train`, { datasetId })).body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe('the train command exited with code 3: Traceback (most recent call last): | File "train.py", line 12, in <module> | ValueError: label column has NaN');
    expect(logOf(job)).toMatch(/stdout: fixture: loading data/);
    expect((await server.api.get(`/api/models/${modelId}/versions`)).body.total).toBe(0);
  });

  it('fails the test job when the score command writes too few predictions', async () => {
    const modelId = await commandModel('short-scorer', { train: fixture('train'), score: fixture('short') });
    expect((await waitForJob(server.api, (await server.api.post(`/api/models/${modelId}/train`, { datasetId })).body.id)).status).toBe('succeeded');
    const job = await waitForJob(server.api, (await server.api.post(`/api/models/${modelId}/versions/1/test`, { datasetId, from: CUTOFF })).body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe(`the score command wrote ${holdout.length - 1} predictions for ${holdout.length} input rows (STAGEGATE_OUTPUT_CSV needs one line per input row, in order)`);
  });

  it('kills a command that hangs, with its children, at the timeout', async () => {
    const modelId = await commandModel('hangs', { train: fixture('hang'), timeoutMs: 1500 });
    const job = await waitForJob(server.api, (await server.api.post(`/api/models/${modelId}/train`, { datasetId })).body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe('the train command timed out after 1500 ms and was killed');
    const log = logOf(job);
    const commandPid = Number(/the train command started as process (\d+)/.exec(log)![1]);
    const childPid = Number(/fixture: child (\d+)/.exec(log)![1]);
    await waitFor(async () => !alive(commandPid) && !alive(childPid), 2000, 'the command and its child to be gone');
  });

  it('cancelling a running command job stops the command and its children within 2 s', async () => {
    const modelId = await commandModel('cancel-command', { train: fixture('hang'), timeoutMs: 60000 });
    const started = await server.api.post(`/api/models/${modelId}/train`, { datasetId });
    const running = await waitFor(async () => {
      const job = (await server.api.get(`/api/jobs/${started.body.id}`)).body;
      return job.status === 'running' && /fixture: child \d+/.test(logOf(job)) ? job : null;
    }, 20000, 'the command to run');
    const commandPid = Number(/the train command started as process (\d+)/.exec(logOf(running))![1]);
    const childPid = Number(/fixture: child (\d+)/.exec(logOf(running))![1]);
    expect(alive(commandPid) && alive(childPid)).toBe(true);

    const t = performance.now();
    const cancelled = await server.api.post(`/api/jobs/${started.body.id}/cancel`);
    const cancelMs = performance.now() - t;
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelMs).toBeLessThan(2000);
    expect(alive(commandPid)).toBe(false);
    await waitFor(async () => !alive(childPid), 1000, 'the command\'s child to be gone');
  });
});
