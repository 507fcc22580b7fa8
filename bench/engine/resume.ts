/**
 * (d): time to resume instances after a restart. The server of (c) is stopped
 * (SIGTERM); while it is down, `count` of its waiting user tasks are completed
 * through UserTaskService (the code behind POST /api/tasks/:id/complete: the
 * task row plus a queued command, in one transaction); then a new server
 * process starts on the same database and the clock runs until the API
 * reports all `count` instances `completed`.
 */
import { connectDatabase } from '../../src/db/connect';
import type { InstanceService } from '../../src/engine/instances/instance-service';
import { UserTaskService } from '../../src/engine/user-tasks/user-task-service';
import { countInstances } from './http';
import { USER_TASK_PROCESS_KEY } from './processes';
import { ServerProcess, spawnServer } from './server-process';
import { now, runPool, waitUntil } from './util';

export interface ResumeResult {
  count: number;
  stopSeconds: number;
  queueSeconds: number;
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
): Promise<{ server: ServerProcess; result: ResumeResult }> {
  let t = now();
  await running.stop();
  const stopSeconds = (now() - t) / 1000;

  t = now();
  const db = connectDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    // No server is up: queue the completions and do not wait for a run.
    const offline = { runNow: async () => undefined } as unknown as InstanceService;
    const tasks = new UserTaskService(db, offline);
    const ids: string[] = await db('user_tasks').where({ status: 'open' }).orderBy('created_at').limit(count).pluck('id');
    if (ids.length !== count) throw new Error(`expected ${count} open user tasks, found ${ids.length}`);
    await runPool(ids.length, 8, (i) => tasks.complete(ids[i], { approved: true }, 'bench'));
  } finally {
    await db.destroy();
  }
  const queueSeconds = (now() - t) / 1000;

  t = now();
  const server = await spawnServer(env);
  const listeningSeconds = (now() - t) / 1000;
  await waitUntil(async () => (await countInstances(server.url, USER_TASK_PROCESS_KEY, 'completed')) >= count, 300000, `${count} resumed instances`, 100);
  const totalSeconds = (now() - t) / 1000;
  return {
    server,
    result: {
      count,
      stopSeconds,
      queueSeconds,
      listeningSeconds,
      totalSeconds,
      resumedPerSecond: count / (totalSeconds - listeningSeconds),
      rssAfter: server.procRss()?.rss ?? NaN,
    },
  };
}
