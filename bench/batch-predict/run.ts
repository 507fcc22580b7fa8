/**
 * bench/batch-predict — a batch prediction over a large dataset through a real server:
 *  1. writes a credit-risk CSV of BENCH_BATCH_ROWS rows to disk chunk by chunk and uploads it as a stream
 *     to a spawned server (PostgreSQL by default, BENCH_BATCH_DB=embedded for PGlite);
 *  2. deploys a logistic regression (trained here on 5,000 other rows) to an embedded runtime;
 *  3. runs a batch-predict job over the whole dataset (input columns included) and downloads its CSV;
 *  4. exports the same rows as CSV (`GET /api/datasets/:id/rows.csv`, the baseline: the same
 *     page-by-page read with no scoring), in the same run;
 * and prints the job's rows/s, the export's rows/s, their ratio, and the peak RSS of the server and of
 * the job's worker process while the job ran (against the size of the output file).
 * Run: npm run bench:batch-predict
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { generateCreditRisk, trainModel, CREDIT_RISK_FEATURES } from '../../src/ml';
import { createFreshDatabase } from '../engine/postgres';
import { spawnServer, type ServerProcess } from '../engine/server-process';
import { benchEnv, BENCH_TOKEN } from '../engine/stagegate';
import { log, now, removeDir, tempDir } from '../engine/util';
import { api, jobMs, MB, procMemory, sampleMemory, waitForJob, writeCsv } from '../jobs/job-bench-support';

const ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 200_000);
const EMBEDDED = process.env.BENCH_BATCH_DB === 'embedded';

/** Streams a CSV from the server; its lines (header included) and the time it took. */
async function download(base: string, urlPath: string): Promise<{ lines: number; bytes: number; ms: number }> {
  const started = now();
  const response = await fetch(base + urlPath, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  if (response.status !== 200) throw new Error(`GET ${urlPath} answered ${response.status}: ${await response.text()}`);
  let lines = 0;
  let bytes = 0;
  for await (const chunk of Readable.fromWeb(response.body as never) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines += 1;
  }
  return { lines, bytes, ms: now() - started };
}

async function main(): Promise<void> {
  const dir = tempDir('batch-predict');
  const file = path.join(dir, 'credit-risk.csv');
  let server: ServerProcess | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  try {
    log(`writing ${ROWS} rows of credit-risk CSV`);
    const bytes = await writeCsv(file, ROWS);
    let databaseUrl: string | undefined;
    if (!EMBEDDED) {
      const database = await createFreshDatabase();
      if ('unavailable' in database) throw new Error(`bench/batch-predict needs PostgreSQL (or BENCH_BATCH_DB=embedded): ${database.unavailable}`);
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
    const env = { ...benchEnv(path.join(dir, 'server'), databaseUrl), MAX_UPLOAD_BYTES: String(bytes + MB) };
    server = await spawnServer(env);
    let base = server.url;

    const dataset = await api(base, 'POST', '/api/datasets', { name: 'bench-credit', labelColumn: 'default', timestampColumn: 'applied_at' });
    log('uploading (streamed)');
    const upload = await fetch(`${base}/api/datasets/${dataset.id}/rows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (upload.status !== 201) throw new Error(`upload answered ${upload.status}: ${await upload.text()}`);

    const training = generateCreditRisk({ rows: 5000, seed: 1 });
    const { artifact } = trainModel(training, { algorithm: 'logistic-regression', type: 'classification', features: CREDIT_RISK_FEATURES, label: 'default' });
    const model = await api(base, 'POST', '/api/models', { name: 'bench-batch', type: 'classification' });
    const version = await api(base, 'POST', `/api/models/${model.id}/versions`, { source: 'uploaded', artifact });
    const runtime = await api(base, 'POST', '/api/runtimes', { name: 'local', kind: 'embedded', tags: ['bench'] });
    const deployment = await api(base, 'POST', '/api/deployments', { name: 'bench-batch', versionId: version.id, runtimeId: runtime.id, access: 'public' });
    await api(base, 'POST', `/api/deployments/${deployment.id}/activate`);

    // A fresh server for the job: its peak RSS (VmHWM) then says nothing about the upload's.
    await server.stop();
    server = await spawnServer(env);
    base = server.url;
    log('batch prediction over the whole dataset');
    const idle = procMemory(server.child.pid!);
    const memory = sampleMemory(server);
    const started = await api(base, 'POST', `/api/deployments/${deployment.id}/batch-predictions`, { datasetId: dataset.id });
    const job = await waitForJob(base, started.id, 1_800_000);
    memory.stop();
    const output = await download(base, job.result.outputUrl);

    log('baseline: the same rows exported as CSV');
    const exported = await download(base, `/api/datasets/${dataset.id}/rows.csv`);
    if (job.result.rows !== ROWS || output.lines !== ROWS + 1 || exported.lines !== ROWS + 1) {
      throw new Error(`row counts differ: ${ROWS} rows, job ${job.result.rows}, output ${output.lines - 1}, export ${exported.lines - 1}`);
    }
    const batchRate = ROWS / (jobMs(job) / 1000);
    const exportRate = ROWS / (exported.ms / 1000);
    console.log(JSON.stringify({
      database: EMBEDDED ? 'embedded PGlite (inside the server process)' : 'PostgreSQL',
      rows: ROWS,
      batchJobSeconds: Number((jobMs(job) / 1000).toFixed(1)),
      batchRowsPerSecond: Math.round(batchRate),
      exportSeconds: Number((exported.ms / 1000).toFixed(1)),
      exportRowsPerSecond: Math.round(exportRate),
      ratioBatchToExport: Number((batchRate / exportRate).toFixed(3)),
      outputMB: Number((output.bytes / MB).toFixed(1)),
      serverIdleRssMB: Math.round((idle?.rss ?? 0) / MB),
      serverPeakRssDuringJobMB: Math.round(memory.peaks.server / MB),
      workerPeakRssMB: Math.round(memory.peaks.worker / MB),
    }, null, 2));
  } finally {
    await server?.stop().catch((err) => log(`stopping the server: ${err instanceof Error ? err.message : err}`));
    await dropDatabase?.().catch(() => undefined);
    removeDir(dir);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
