/**
 * bench/predict — single-row predictions (issue 6, acceptance 5), in one run:
 *  (a) a bare express endpoint echoing the same JSON body (the baseline);
 *  (b) POST /api/deployments/:id/predict on a public deployment, logging on;
 *  (c) the same with a challenger scored on every request.
 * Same tool (autocannon, in a worker thread so it does not share the servers' event loop), same body, same connections and duration, 127.0.0.1.
 * Prints req/s and p99 of each and the ratios against the baseline (goal ≥ 0.6).
 * Run: npm run bench:predict  (PostgreSQL at 127.0.0.1:5432 when reachable, else the embedded database)
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import { CREDIT_RISK_FEATURES, generateCreditRisk, trainModel } from '../../src/ml';
import { createFreshDatabase } from '../engine/postgres';
import { benchEnv, BENCH_TOKEN, startBenchStagegate } from '../engine/stagegate';
import { log, removeDir, tempDir } from '../engine/util';

const DURATION_S = Number(process.env.BENCH_PREDICT_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_PREDICT_CONNECTIONS ?? 10);

interface Measured {
  name: string;
  reqPerSec: number;
  p99: number;
  errors: number;
}

async function measure(name: string, url: string, body: string): Promise<Measured> {
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: CONNECTIONS, duration: DURATION_S, workers: 1 } as autocannon.Options);
  const errors = result.errors + result.non2xx + result.timeouts;
  log(`${name}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, ${errors} errors`);
  return { name, reqPerSec: result.requests.average, p99: result.latency.p99, errors };
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const reply = await fetch(base + path, { method, headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (reply.status >= 300) throw new Error(`${method} ${path} answered ${reply.status}: ${await reply.text()}`);
  return reply.json();
}

function echoServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      }),
    );
  });
}

async function main(): Promise<void> {
  const database = await createFreshDatabase();
  const databaseUrl = 'unavailable' in database ? undefined : database.url;
  log(`database: ${databaseUrl ? 'PostgreSQL' : `embedded (${'unavailable' in database ? database.unavailable : ''})`}`);
  const dataDir = tempDir('predict');
  const { stagegate } = await startBenchStagegate(benchEnv(dataDir, databaseUrl));
  const echo = await echoServer();
  try {
    const training = generateCreditRisk({ rows: 2000, seed: 1 });
    const train = (seed: number) => trainModel(training, { algorithm: 'logistic-regression', type: 'classification', features: CREDIT_RISK_FEATURES, label: 'default', seed }).artifact;
    const base = stagegate.url;
    const model = await api(base, 'POST', '/api/models', { name: 'bench-credit', type: 'classification' });
    const champion = await api(base, 'POST', `/api/models/${model.id}/versions`, { source: 'uploaded', artifact: train(1) });
    const challenger = await api(base, 'POST', `/api/models/${model.id}/versions`, { source: 'uploaded', artifact: train(2) });
    const runtime = await api(base, 'POST', '/api/runtimes', { name: 'bench', kind: 'embedded', tags: ['prod'] });
    const plain = await api(base, 'POST', '/api/deployments', { name: 'plain', versionId: champion.id, runtimeId: runtime.id, access: 'public' });
    const shadowed = await api(base, 'POST', '/api/deployments', { name: 'shadowed', versionId: champion.id, challengerVersionId: challenger.id, runtimeId: runtime.id, access: 'public' });
    for (const d of [plain, shadowed]) await api(base, 'POST', `/api/deployments/${d.id}/activate`);
    const row = Object.fromEntries(CREDIT_RISK_FEATURES.map((name) => [name, generateCreditRisk({ rows: 1, seed: 9 })[0][name]]));
    const body = JSON.stringify({ row });

    const baseline = await measure('bare express echo', echo.url, body);
    const predictions = await measure('predict, logging on', `${base}/api/deployments/${plain.id}/predict`, body);
    const withChallenger = await measure('predict, logging on, challenger', `${base}/api/deployments/${shadowed.id}/predict`, body);
    await stagegate.deployments.predictionLog.flush();
    const logged = await stagegate.db('prediction_logs').count({ count: '*' }).first();

    console.log('\nbench/predict');
    console.log(`| measure | req/s | p99 ms | ratio req/s vs echo |`);
    console.log(`|---|---|---|---|`);
    for (const m of [baseline, predictions, withChallenger]) console.log(`| ${m.name} | ${m.reqPerSec.toFixed(0)} | ${m.p99} | ${(m.reqPerSec / baseline.reqPerSec).toFixed(2)} |`);
    console.log(`\nratio predict ÷ echo: ${(predictions.reqPerSec / baseline.reqPerSec).toFixed(2)} (goal ≥ 0.6: ${predictions.reqPerSec / baseline.reqPerSec >= 0.6 ? 'met' : 'NOT met'})`);
    console.log(`prediction log: ${Number(logged?.count ?? 0)} rows written, ${stagegate.deployments.predictionLog.dropped} dropped (buffer full)`);
    console.log(`errors: ${baseline.errors + predictions.errors + withChallenger.errors}; ${CONNECTIONS} connections × ${DURATION_S} s each`);
  } finally {
    await echo.close();
    await stagegate.close();
    if (!('unavailable' in database)) await database.drop();
    removeDir(dataDir);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
