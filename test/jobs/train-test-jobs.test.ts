import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadModel, toCsv, type ModelArtifact, type Row } from '../../src/ml';
import { waitFor, waitForJob } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { startTestServer, TestServer } from '../support/server';

const CUTOFF = '2025-02-15T00:00:00.000Z';

/** ROC AUC by its definition: the chance a random positive scores above a random negative (ties count half). */
function aucByPairs(scores: number[], positive: boolean[]): number {
  const pos = scores.filter((_, i) => positive[i]);
  const neg = scores.filter((_, i) => !positive[i]);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('train and test jobs through REST', () => {
  let server: TestServer;
  const data = creditRisk(3000, 21, { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') });
  const holdout = data.rows.filter((row) => String(row.applied_at) >= CUTOFF);
  let datasetId: string;
  let modelId: string;


  beforeAll(async () => {
    server = await startTestServer();
    datasetId = (await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, data.csv)).status).toBe(201);
    const model = await server.api.post('/api/models', {
      name: 'credit-default',
      type: 'classification',
      importance: 'high',
      metadata: { protectedAttribute: 'gender', thresholds: [{ metric: 'rocAuc', min: 0.7 }] },
    });
    expect(model.status).toBe(201);
    modelId = model.body.id;
  });
  afterAll(() => server.close());

  it('trains a version, tests it on a holdout window, and reports the metrics an independent computation finds', async () => {
    const started = await server.api.post(`/api/models/${modelId}/train`, { datasetId, algorithm: 'logistic-regression', seed: 7, to: CUTOFF });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ type: 'train', status: 'queued', params: { datasetId, algorithm: 'logistic-regression', label: 'default', createVersion: true } });
    expect(started.body.params.features).toEqual(['age', 'region', 'employment', 'income', 'debt_ratio', 'loan_amount', 'credit_score']);
    const trained = await waitForJob(server.api, started.body.id);
    expect(trained).toMatchObject({ status: 'succeeded', progress: 100, error: null, result: { versionNumber: 1 } });
    expect(trained.log.map((line: any) => line.message).join('\n')).toMatch(/worker process \d+ started[\s\S]*training logistic-regression/);

    const version = (await server.api.get(`/api/models/${modelId}/versions/1`)).body;
    expect(version).toMatchObject({ number: 1, source: 'trained', trainJobId: started.body.id, status: 'submitted', trainingData: { datasetId, from: null, to: CUTOFF } });
    expect(version.trainingMetrics.rows).toBe(data.rows.length - holdout.length);
    const artifactReply = await fetch(`${server.stagegate.url}/api/models/${modelId}/versions/1/artifact`, { headers: { authorization: `Bearer ${'sg_test_admin_token_0123456789abcdef'}` } });
    const artifactText = await artifactReply.text();
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(artifactText).digest('hex')).toBe(version.artifactSha256);
    expect(artifactReply.headers.get('x-artifact-sha256')).toBe(version.artifactSha256);
    const artifact = JSON.parse(artifactText) as ModelArtifact;

    const test = await server.api.post(`/api/models/${modelId}/versions/1/test`, { datasetId, from: CUTOFF });
    expect(test.status).toBe(202);
    const tested = await waitForJob(server.api, test.body.id);
    expect(tested.status).toBe('succeeded');
    const result = tested.result.testResult;
    expect(result).toMatchObject({ schema: 'stagegate-test-result/1', type: 'classification', rows: holdout.length });

    // Independently: score the same holdout rows with the returned artifact and count.
    const predictions = loadModel(artifact).predict(holdout as Row[]);
    const actual = holdout.map((row) => String(row.default));
    const correct = predictions.filter((p, i) => String(p.value) === actual[i]).length;
    expect(result.metrics.accuracy).toBeCloseTo(correct / holdout.length, 10);
    const auc = aucByPairs(predictions.map((p) => p.probabilities!['1']), actual.map((a) => a === '1'));
    expect(result.metrics.rocAuc).toBeCloseTo(auc, 10);
    expect(auc).toBeGreaterThan(0.7);
    expect(result.fairness).toMatchObject({ protectedAttribute: 'gender' });
    expect(result.drift.features.map((f: any) => f.feature)).toEqual(artifact.features.map((f) => f.name));

    const withTests = (await server.api.get(`/api/models/${modelId}/versions/1`)).body;
    expect(withTests.testResults).toHaveLength(1);
    expect(withTests.testResults[0]).toMatchObject({ jobId: test.body.id, datasetId, result: { metrics: { accuracy: result.metrics.accuracy } } });
  });

  it('keeps the event loop responsive while a training job runs', async () => {
    // The same polling with no job running is the baseline (the embedded database itself runs on this thread).
    const poll = async (until: (last: any) => boolean) => {
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      let slowest = 0;
      let last: any;
      while (!until(last)) {
        const t = performance.now();
        last = (await server.api.get(`/api/jobs/${lastJobId ?? '00000000-0000-4000-8000-000000000000'}`)).body;
        slowest = Math.max(slowest, performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      histogram.disable();
      return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, slowest, last };
    };
    let lastJobId: string | undefined;
    const baselineEnd = Date.now() + 2000;
    const baseline = await poll(() => Date.now() > baselineEnd);

    const started = await server.api.post(`/api/models/${modelId}/train`, { datasetId, algorithm: 'random-forest', seed: 3, hyperparameters: { nEstimators: 60 } });
    lastJobId = started.body.id;
    const training = await poll((last) => ['succeeded', 'failed'].includes(last?.status));
    const job = training.last;
    expect(job.status).toBe('succeeded');
    const trainingMs = job.result.metrics.durationMs;
    console.log(
      `training random-forest (60 trees) on ${data.rows.length} rows: job ${new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime()} ms, ` +
        `training ${Math.round(trainingMs)} ms; event loop delay max ${training.maxMs.toFixed(0)} ms, p99 ${training.p99Ms.toFixed(0)} ms, slowest request ${training.slowest.toFixed(0)} ms ` +
        `(baseline without a job: max ${baseline.maxMs.toFixed(0)} ms, p99 ${baseline.p99Ms.toFixed(0)} ms, slowest request ${baseline.slowest.toFixed(0)} ms)`,
    );
    // Training on the event loop would block it for the whole training (seconds).
    expect(trainingMs).toBeGreaterThan(1000);
    expect(training.maxMs).toBeLessThan(Math.min(1000, trainingMs / 4));
    expect(job.result.versionNumber).toBe(2);
  });

  it('cancels a running training job: the worker process is killed and the job shows cancelled', async () => {
    const started = await server.api.post(`/api/models/${modelId}/train`, { datasetId, algorithm: 'random-forest', hyperparameters: { nEstimators: 1000, maxDepth: 20, minNumSamples: 2 } });
    const running = await waitFor(async () => {
      const job = (await server.api.get(`/api/jobs/${started.body.id}`)).body;
      return job.status === 'running' && job.progress >= 20 ? job : null;
    }, 20000, 'training to run');
    const pid = Number(/worker process (\d+) started/.exec(running.log.map((l: any) => l.message).join('\n'))![1]);
    expect(() => process.kill(pid, 0)).not.toThrow();

    const t = performance.now();
    const cancelled = await server.api.post(`/api/jobs/${started.body.id}/cancel`);
    const cancelMs = performance.now() - t;
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelMs).toBeLessThan(2000);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    console.log(`cancel answered in ${cancelMs.toFixed(0)} ms; worker ${pid} gone`);

    expect((await server.api.post(`/api/jobs/${started.body.id}/cancel`)).status).toBe(409);
    const versions = (await server.api.get(`/api/models/${modelId}/versions`)).body;
    expect(versions.items.map((v: any) => v.number)).toEqual([2, 1]);
    const audit = (await server.api.get(`/api/audit?entityType=job&entityId=${started.body.id}`)).body.items.map((e: any) => e.action);
    expect(audit).toEqual(['job.cancel', 'job.create']);
  });

  it('lists jobs with filters and pagination', async () => {
    const trains = await server.api.get('/api/jobs?type=train&limit=2');
    expect(trains.status).toBe(200);
    expect(trains.body.total).toBe(3);
    expect(trains.body.items).toHaveLength(2);
    expect(trains.body.items[0].log).toBeUndefined();
    expect((await server.api.get('/api/jobs?status=cancelled')).body.total).toBe(1);
    expect((await server.api.get('/api/jobs?type=test&status=succeeded')).body.total).toBe(1);
    for (const bad of ['status=done', 'user=1%27%20OR%201=1', 'type=train%27--', 'limit=0']) {
      const reply = await server.api.get(`/api/jobs?${bad}`);
      expect({ bad, status: reply.status }).toEqual({ bad, status: 400 });
      expect(reply.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await server.api.get('/api/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('rejects bad train and test requests with 4xx and queues nothing', async () => {
    const regression = (await server.api.post('/api/models', { name: 'income', type: 'regression' })).body.id;
    const external = (await server.api.post('/api/models', { name: 'remote', type: 'classification' })).body.id;
    await server.api.post(`/api/models/${external}/versions`, { source: 'external', uri: 'https://models.example.com/remote' });
    const emptyDataset = (await server.api.post('/api/datasets', { name: 'empty', labelColumn: 'default' })).body.id;
    // A dataset without the model's label column: testing on it is a 400, not a failed job.
    const unlabeled = (await server.api.post('/api/datasets', { name: 'no-default', labelColumn: 'region' })).body.id;
    const noDefault = data.rows.slice(0, 50).map(({ default: _label, ...rest }) => rest);
    expect((await uploadCsv(server.stagegate.url, unlabeled, toCsv(noDefault))).status).toBe(201);
    const before = (await server.api.get('/api/jobs')).body.total;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const bad: [string, unknown, number, RegExp][] = [
      [`/api/models/${modelId}/train`, { algorithm: 'logistic-regression' }, 400, /no dataset to train credit-default on/],
      [`/api/models/${modelId}/train`, { datasetId: unknown }, 404, /dataset .* not found/],
      [`/api/models/${modelId}/train`, { datasetId: emptyDataset }, 400, /has no rows yet/],
      [`/api/models/${modelId}/train`, { datasetId, features: ['age', 'shoe_size'] }, 400, /has no column "shoe_size"/],
      [`/api/models/${modelId}/train`, { datasetId, seed: 'seven' }, 400, /seed/],
      [`/api/models/${modelId}/train`, { datasetId, algorithm: 'svm' }, 400, /algorithm/],
      [`/api/models/${modelId}/train`, { datasetId, from: "2025-01-01'; DROP TABLE jobs; --" }, 400, /from: .* is not a time/],
      [`/api/models/${regression}/train`, { datasetId, label: 'income', algorithm: 'logistic-regression' }, 400, /logistic-regression does not do regression/],
      [`/api/models/${unknown}/train`, { datasetId }, 404, /model .* not found/],
      [`/api/models/${modelId}/versions/99/test`, { datasetId }, 404, /version/],
      [`/api/models/${modelId}/versions/1/test`, {}, 400, /datasetId/],
      [`/api/models/${modelId}/versions/1/test`, { datasetId, from: 'tomorrow-ish' }, 400, /from: .* is not a time/],
      [`/api/models/${external}/versions/1/test`, { datasetId }, 409, /is external .* no stored artifact to test/],
      [`/api/models/${modelId}/versions/1/test`, { datasetId: unlabeled }, 400, /dataset no-default has no column "default"/],
    ];
    for (const [path, body, status, message] of bad) {
      const reply = await server.api.post(path, body);
      expect({ path, body, status: reply.status }).toEqual({ path, body, status });
      expect(reply.body.error.message).toMatch(message);
    }
    expect((await server.api.get('/api/jobs')).body.total).toBe(before);
  });

  it('fails a job with a readable reason when the data cannot train the model', async () => {
    // A regression on a categorical label: the worker reports why, the job fails, the server is fine.
    const model = (await server.api.post('/api/models', { name: 'region-regression', type: 'regression' })).body.id;
    const started = await server.api.post(`/api/models/${model}/train`, { datasetId, label: 'region', algorithm: 'decision-tree' });
    expect(started.status).toBe(202);
    const job = await waitForJob(server.api, started.body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/region/);
    expect(job.log.at(-1).message).toBe(`failed: ${job.error}`);
    expect((await server.api.get(`/api/models/${model}/versions`)).body.total).toBe(0);
  });
});
