/**
 * (c): RSS of a Stagegate server process (spawned, on PostgreSQL) before and
 * after `count` instances wait on a user task. Instances are started through
 * the REST API (POST /api/process-definitions/:key/start) by a closed loop of
 * clients; they count once the API reports them `waiting` (stored in the DB).
 *
 * The last `withTimer` of them are of the process whose user task also has a
 * boundary timer, due at one common time chosen from the start rate measured
 * on the others, so that it falls after the server is stopped: (d) resumes them.
 */
import { api } from './http';
import { TIMEOUT_PROCESS_KEY, USER_TASK_PROCESS_KEY } from './processes';
import { MemoryUsage, ServerProcess, spawnServer } from './server-process';
import { BENCH_TOKEN } from './stagegate';
import { now, runPool, sleep, waitUntil } from './util';

export interface MemorySample {
  /** VmRSS from /proc. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface WaitingMemoryResult {
  count: number;
  startSeconds: number;
  /** Instances started (and stored as waiting) per second over REST. */
  startedPerSecond: number;
  before: MemorySample;
  after: MemorySample;
  /** After a forced full GC (the server runs with --expose-gc). */
  afterGc: MemorySample;
  /** VmHWM: the highest RSS the server reached. */
  peakRss: number;
  /** VmRSS while starting them. */
  rssCurve: { started: number; rss: number }[];
}

export interface WaitingSetup {
  server: ServerProcess;
  result: WaitingMemoryResult;
  /** When the boundary timers of the last `withTimer` instances come due (epoch ms). */
  dueAt: number;
}

async function sample(server: ServerProcess, gc = false): Promise<MemorySample> {
  const usage: MemoryUsage = await server.memory(gc);
  return { rss: server.procRss()?.rss ?? usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external };
}

export async function measureWaitingMemory(
  env: Record<string, string>,
  options: { count: number; withTimer: number; clients: number },
  progress: (message: string) => void,
): Promise<WaitingSetup> {
  const { count, withTimer, clients } = options;
  const server = await spawnServer(env);
  const client = api(server.url, BENCH_TOKEN);
  await sleep(1000);
  const before = await sample(server);

  const started = now();
  let done = 0;
  const step = Math.max(1, Math.floor(count / 5));
  const rssCurve: { started: number; rss: number }[] = [];
  const start = async (key: string, variables: Record<string, unknown>) => {
    const reply = await client.post<{ id?: string }>(`/api/process-definitions/${key}/start`, { variables });
    if (reply.status !== 201) throw new Error(`start ${key} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    if (++done % step === 0) {
      rssCurve.push({ started: done, rss: server.procRss()?.rss ?? NaN });
      progress(`${done}/${count} started (${((now() - started) / 1000).toFixed(0)} s)`);
    }
  };
  await runPool(count - withTimer, clients, () => start(USER_TASK_PROCESS_KEY, {}));

  // Due after: starting the rest (at the rate seen so far, with a 2x margin), sampling and stopping.
  const rate = (count - withTimer) / ((now() - started) / 1000);
  const dueAt = Date.now() + Math.round(Math.max(5000, (2 * withTimer * 1000) / rate) + 10000);
  await runPool(withTimer, clients, () => start(TIMEOUT_PROCESS_KEY, { dueAt: new Date(dueAt).toISOString() }));

  const waiting = async () =>
    (await client.count(USER_TASK_PROCESS_KEY, 'waiting')) + (withTimer ? await client.count(TIMEOUT_PROCESS_KEY, 'waiting') : 0);
  await waitUntil(async () => (await waiting()) === count, 120000, `${count} waiting instances`);
  const startSeconds = (now() - started) / 1000;
  await sleep(2000); // let the server go idle (no run in flight) before sampling
  const after = await sample(server);
  const peakRss = server.procRss()?.peak ?? NaN;
  const afterGc = await sample(server, true);
  return {
    server,
    dueAt,
    result: { count, startSeconds, startedPerSecond: count / startSeconds, before, after, afterGc, peakRss, rssCurve },
  };
}

/** Idle RSS of a server on an existing database (used for the embedded PGlite, whose WASM heap lives in the server). */
export async function measureIdleRss(env: Record<string, string>): Promise<MemorySample & { startSeconds: number }> {
  const server = await spawnServer(env);
  try {
    await sleep(1000);
    return { ...(await sample(server)), startSeconds: server.startMs / 1000 };
  } finally {
    await server.stop();
  }
}
