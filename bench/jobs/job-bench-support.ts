/**
 * What the job benchmarks share (bench/jobs, bench/batch-predict): the credit-risk CSV
 * written chunk by chunk, REST calls to the spawned server, waiting for a job, and the
 * RSS of the server and its job worker processes read from /proc.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import { generateCreditRisk, toCsv } from '../../src/ml';
import type { ServerProcess } from '../engine/server-process';
import { BENCH_TOKEN } from '../engine/stagegate';
import { sleep } from '../engine/util';

const CHUNK = 10_000;
export const START = Date.parse('2025-01-01T00:00:00Z');
export const MINUTE = 60_000;
export const MB = 1024 * 1024;

/** Writes `total` rows of CSV chunk by chunk: each chunk its own seed and its own stretch of time (one row a minute from START). */
export async function writeCsv(file: string, total: number): Promise<number> {
  const out = fs.createWriteStream(file);
  for (let offset = 0; offset < total; offset += CHUNK) {
    const rows = Math.min(CHUNK, total - offset);
    const start = new Date(START + offset * MINUTE);
    const end = new Date(START + (offset + rows - 1) * MINUTE);
    const csv = toCsv(generateCreditRisk({ rows, seed: 1000 + offset / CHUNK, start, end }));
    const text = offset === 0 ? csv : csv.slice(csv.indexOf('\r\n') + 2);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return fs.statSync(file).size;
}

/** VmRSS / VmHWM of any process, in bytes. */
export function procMemory(pid: number): { rss: number; peak: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** The direct children of a process (the job worker processes of the server). */
export function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Samples the server's and its workers' RSS (and peak RSS) every 200 ms; returns the peaks seen. */
export function sampleMemory(server: ServerProcess) {
  const peaks = { server: 0, worker: 0 };
  /** The server's highest VmRSS and its workers' highest peak since the last `phase()` call (the server's VmHWM cannot be reset). */
  let phasePeak = 0;
  let phaseWorkerPeak = 0;
  const timer = setInterval(() => {
    // A process on its way out has no VmRSS line any more (NaN): skip it.
    const highest = (pid: number) => Math.max(...Object.values(procMemory(pid) ?? { rss: 0 }).filter(Number.isFinite), 0);
    peaks.server = Math.max(peaks.server, highest(server.child.pid!));
    phasePeak = Math.max(phasePeak, procMemory(server.child.pid!)?.rss ?? 0);
    for (const pid of childrenOf(server.child.pid!)) {
      peaks.worker = Math.max(peaks.worker, highest(pid));
      phaseWorkerPeak = Math.max(phaseWorkerPeak, highest(pid));
    }
  }, 200);
  const phase = () => {
    const peak = { server: Math.max(phasePeak, procMemory(server.child.pid!)?.rss ?? 0), worker: phaseWorkerPeak };
    phasePeak = 0;
    phaseWorkerPeak = 0;
    return peak;
  };
  return { peaks, phase, stop: () => clearInterval(timer) };
}

export async function api(base: string, method: string, urlPath: string, body?: unknown): Promise<any> {
  const reply = await fetch(base + urlPath, {
    method,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await reply.text();
  if (reply.status >= 300) throw new Error(`${method} ${urlPath} answered ${reply.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function waitForJob(base: string, id: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await api(base, 'GET', `/api/jobs/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) {
      if (job.status !== 'succeeded') throw new Error(`job ${id} ${job.status}: ${job.error}`);
      return job;
    }
    await sleep(500);
  }
  throw new Error(`job ${id} did not end within ${timeoutMs} ms`);
}

/** The job's time from running to done, from its own timestamps. */
export const jobMs = (job: any) => Date.parse(job.finishedAt) - Date.parse(job.startedAt);
