/**
 * bench/jobs — a 1,000,000-row dataset through a real server (issue 4, acceptance 4):
 *  1. writes a credit-risk CSV of BENCH_JOBS_ROWS rows to disk, chunk by chunk (never whole in memory);
 *  2. spawns the real server (its own process, PostgreSQL by default, BENCH_JOBS_DB=embedded for PGlite,
 *     then restarted so initdb's peak is not counted) and uploads the file as a stream;
 *  3. trains a version on a sample (the first BENCH_JOBS_TRAIN_ROWS rows by time) and runs a test job
 *     over the whole dataset;
 *  4. parses the same file with csv-parse in this process (the baseline);
 * and prints test-job rows/s, csv-parse rows/s, their ratio, and the peak RSS of the server process
 * (VmHWM, also sampled every 200 ms) and of the job's worker process (goal: server under 500 MB).
 * Run: npm run bench:jobs
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { createFreshDatabase } from '../engine/postgres';
import { spawnServer, type ServerProcess } from '../engine/server-process';
import { benchEnv, BENCH_TOKEN } from '../engine/stagegate';
import { log, now, removeDir, tempDir } from '../engine/util';
import { api, jobMs, MB, MINUTE, procMemory, sampleMemory, START, waitForJob, writeCsv } from './job-bench-support';

const ROWS = Number(process.env.BENCH_JOBS_ROWS ?? 1_000_000);
const TRAIN_ROWS = Number(process.env.BENCH_JOBS_TRAIN_ROWS ?? 20_000);
const EMBEDDED = process.env.BENCH_JOBS_DB === 'embedded';

/** csv-parse alone over the same file: the rows/s of reading it at all. */
async function rawParse(file: string): Promise<{ rows: number; ms: number }> {
  const started = now();
  let rows = -1; // the header
  const parser = fs.createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true }));
  for await (const record of parser) if (record) rows += 1;
  return { rows, ms: now() - started };
}

async function main(): Promise<void> {
  const dir = tempDir('jobs');
  const file = path.join(dir, 'credit-risk.csv');
  let server: ServerProcess | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  try {
    log(`writing ${ROWS} rows of credit-risk CSV`);
    const bytes = await writeCsv(file, ROWS);
    const trainUntil = new Date(START + TRAIN_ROWS * MINUTE).toISOString();
    log(`${(bytes / MB).toFixed(1)} MB written`);

    let databaseUrl: string | undefined;
    if (!EMBEDDED) {
      const database = await createFreshDatabase();
      if ('unavailable' in database) throw new Error(`bench/jobs needs PostgreSQL (or BENCH_JOBS_DB=embedded): ${database.unavailable}`);
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
    const env = { ...benchEnv(path.join(dir, 'server'), databaseUrl), MAX_UPLOAD_BYTES: String(bytes + MB) };
    let firstStartPeak: number | null = null;
    if (EMBEDDED) {
      // The first start runs PGlite's initdb, which alone peaks near 900 MB: measure a restarted server instead.
      const first = await spawnServer(env);
      firstStartPeak = first.procRss()?.peak ?? null;
      await first.stop();
    }
    server = await spawnServer(env);
    const memory = sampleMemory(server);
    const idle = procMemory(server.child.pid!);
    const base = server.url;

    const dataset = await api(base, 'POST', '/api/datasets', { name: 'bench-credit', labelColumn: 'default', timestampColumn: 'applied_at' });
    log('uploading (streamed)');
    let started = now();
    const upload = await fetch(`${base}/api/datasets/${dataset.id}/rows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (upload.status !== 201) throw new Error(`upload answered ${upload.status}: ${await upload.text()}`);
    const uploadMs = now() - started;
    const afterUpload = { ...memory.peaks };
    memory.phase();
    log(`uploaded in ${(uploadMs / 1000).toFixed(1)} s`);

    const model = await api(base, 'POST', '/api/models', { name: 'bench-credit-default', type: 'classification', metadata: { protectedAttribute: 'gender' } });
    const train = await api(base, 'POST', `/api/models/${model.id}/train`, { datasetId: dataset.id, algorithm: 'logistic-regression', to: trainUntil });
    const trained = await waitForJob(base, train.id, 600_000);
    log(`trained version ${trained.result.versionNumber} on ${trained.result.metrics.rows} rows in ${(jobMs(trained) / 1000).toFixed(1)} s`);

    log('testing on the whole dataset');
    const trainPeak = memory.phase();
    const test = await api(base, 'POST', `/api/models/${model.id}/versions/${trained.result.versionNumber}/test`, { datasetId: dataset.id });
    const tested = await waitForJob(base, test.id, 1_800_000);
    const testMs = jobMs(tested);
    const testPeak = memory.phase();
    memory.stop();
    const final = procMemory(server.child.pid!);

    log('csv-parse alone over the same file');
    const raw = await rawParse(file);
    if (raw.rows !== ROWS || tested.result.testResult.rows !== ROWS) throw new Error(`row counts differ: file ${ROWS}, csv-parse ${raw.rows}, test ${tested.result.testResult.rows}`);

    const testRate = ROWS / (testMs / 1000);
    const rawRate = ROWS / (raw.ms / 1000);
    const serverPeak = Math.max(final?.peak ?? 0, memory.peaks.server);
    const report = {
      database: EMBEDDED ? 'embedded PGlite (inside the server process)' : 'PostgreSQL',
      rows: ROWS,
      csvMB: Number((bytes / MB).toFixed(1)),
      uploadSeconds: Number((uploadMs / 1000).toFixed(1)),
      uploadRowsPerSecond: Math.round(ROWS / (uploadMs / 1000)),
      testJobSeconds: Number((testMs / 1000).toFixed(1)),
      testJobRowsPerSecond: Math.round(testRate),
      csvParseRowsPerSecond: Math.round(rawRate),
      ratioTestJobToCsvParse: Number((testRate / rawRate).toFixed(3)),
      ...(firstStartPeak ? { embeddedFirstStartPeakRssMB: Math.round(firstStartPeak / MB) } : {}),
      serverIdleRssMB: Math.round((idle?.rss ?? 0) / MB),
      serverPeakRssDuringUploadMB: Math.round(afterUpload.server / MB),
      serverPeakRssDuringTestMB: Math.round(testPeak.server / MB),
      serverPeakRssMB: Math.round(serverPeak / MB),
      serverPeakUnder500MB: serverPeak < 500 * MB,
      workerPeakRssMB: Math.round(memory.peaks.worker / MB),
      trainWorkerPeakRssMB: Math.round(trainPeak.worker / MB),
      testWorkerPeakRssMB: Math.round(testPeak.worker / MB),
      rocAuc: tested.result.testResult.metrics.rocAuc,
    };
    console.log(JSON.stringify(report, null, 2));
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
