/**
 * (d): time to resume instances after a restart. The server of (c) is stopped
 * (SIGTERM) with `count` of its waiting instances holding a boundary timer that
 * comes due while it is down; a new server process then starts on the same
 * database, and the clock runs from its spawn until the API reports all
 * `count` instances `completed` (their timer fired, the process ended, stored).
 */
import { api } from './http';
import { TIMEOUT_PROCESS_KEY } from './processes';
import { ServerProcess, spawnServer } from './server-process';
import { BENCH_TOKEN } from './stagegate';
import { now, sleep, waitUntil } from './util';

export interface ResumeResult {
  count: number;
  stopSeconds: number;
  /** How long the server was down (its timers came due meanwhile). */
  downSeconds: number;
  /** Spawn of the new server process until it serves (migrations checked, runner started). */
  listeningSeconds: number;
  /** Spawn of the new server process until all `count` instances are completed. */
  totalSeconds: number;
  /** Instances resumed per second, counted from `listening`. */
  resumedPerSecond: number;
  /** RSS of the restarted server once it has resumed them. */
  rssAfter: number;
}

export async function measureResume(
  running: ServerProcess,
  env: Record<string, string>,
  count: number,
  dueAt: number,
): Promise<{ server: ServerProcess; result: ResumeResult }> {
  const before = api(running.url, BENCH_TOKEN);
  const early = await before.count(TIMEOUT_PROCESS_KEY, 'completed');
  if (early > 0 || Date.now() >= dueAt) {
    throw new Error(`${early} timers fired before the stop (due ${new Date(dueAt).toISOString()}): the start rate dropped; rerun`);
  }
  let t = now();
  const down = Date.now();
  await running.stop();
  const stopSeconds = (now() - t) / 1000;
  await sleep(Math.max(0, dueAt - Date.now()) + 200);
  const downSeconds = (Date.now() - down) / 1000;

  t = now();
  const server = await spawnServer(env);
  const listeningSeconds = (now() - t) / 1000;
  const client = api(server.url, BENCH_TOKEN);
  await waitUntil(async () => (await client.count(TIMEOUT_PROCESS_KEY, 'completed')) >= count, 300000, `${count} resumed instances`, 100);
  const totalSeconds = (now() - t) / 1000;
  return {
    server,
    result: {
      count,
      stopSeconds,
      downSeconds,
      listeningSeconds,
      totalSeconds,
      resumedPerSecond: count / (totalSeconds - listeningSeconds),
      rssAfter: server.procRss()?.rss ?? NaN,
    },
  };
}
