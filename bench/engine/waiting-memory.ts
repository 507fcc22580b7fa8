/**
 * (c): RSS of a Stagegate server process (spawned, on PostgreSQL) before and
 * after `count` instances wait on a user task. Instances are started through
 * the REST API by a closed loop of clients; they count once the API reports
 * them `waiting` (stored in the database).
 */
import { countInstances, postJson } from './http';
import { USER_TASK_PROCESS_KEY } from './processes';
import { MemoryUsage, ServerProcess, spawnServer } from './server-process';
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
}

async function sample(server: ServerProcess, gc = false): Promise<MemorySample> {
  const usage: MemoryUsage = await server.memory(gc);
  return { rss: server.procRss()?.rss ?? usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external };
}

export async function measureWaitingMemory(
  env: Record<string, string>,
  count: number,
  concurrency: number,
  progress: (message: string) => void,
): Promise<{ server: ServerProcess; result: WaitingMemoryResult }> {
  const server = await spawnServer(env);
  await sleep(1000);
  const before = await sample(server);
  const started = now();
  let done = 0;
  await runPool(count, concurrency, async () => {
    const reply = await postJson<{ id?: string }>(`${server.url}/api/process-definitions/${USER_TASK_PROCESS_KEY}/start`, {});
    if (reply.status !== 201) throw new Error(`start answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    if (++done % 2000 === 0) progress(`${done}/${count} started`);
  });
  await waitUntil(async () => (await countInstances(server.url, USER_TASK_PROCESS_KEY, 'waiting')) === count, 120000, `${count} waiting instances`);
  const startSeconds = (now() - started) / 1000;
  await sleep(2000); // let the server go idle (no run in flight) before sampling
  const after = await sample(server);
  const peakRss = server.procRss()?.peak ?? NaN;
  const afterGc = await sample(server, true);
  return {
    server,
    result: { count, startSeconds, startedPerSecond: count / startSeconds, before, after, afterGc, peakRss },
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
