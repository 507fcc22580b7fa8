/**
 * (a)/(b): durable instances per second through the real Stagegate. A closed
 * loop of clients starts instances of start → service task → end through
 * InstanceService.start (what POST /api/process-definitions/:key/start runs);
 * an instance counts once its row says `completed` in the database.
 */
import { SYSTEM } from '../../src/identity/actor';
import { SERVICE_PROCESS_KEY } from './processes';
import { benchEnv, startBenchStagegate } from './stagegate';
import { now, runPool, waitUntil } from './util';
import type { ThroughputResult } from './baseline-bpmn-engine';

export interface DurableOptions {
  dataDir: string;
  databaseUrl?: string;
  count: number;
  warmup: number;
  concurrency: number;
  env?: Record<string, string>;
}

export async function measureDurable(options: DurableOptions): Promise<ThroughputResult> {
  const { stagegate, instances } = await startBenchStagegate({ ...benchEnv(options.dataDir, options.databaseUrl), ...options.env });
  const { db } = stagegate;
  const completed = async (ids: string[]) => {
    const [{ count }] = await db('process_instances').whereIn('id', ids).andWhere('status', 'completed').count({ count: '*' });
    return Number(count);
  };
  try {
    const batch = async (count: number) => {
      const ids: string[] = [];
      const started = now();
      // The time the last instance's completed run was committed.
      let lastCompletedAt = started;
      const onStored = (_id: string, status: string) => {
        if (status === 'completed') lastCompletedAt = now();
      };
      stagegate.runner.events.on('stored', onStored);
      await runPool(count, options.concurrency, async () => {
        ids.push(await instances.start(SYSTEM, { key: SERVICE_PROCESS_KEY, variables: { n: ids.length } }));
      });
      // start() answers after at most 2 s even if the run is slower: wait for the database to agree.
      let done = await completed(ids);
      if (done < count) {
        await waitUntil(async () => (done = await completed(ids)) === count, 120000, `${count} completed instances`);
        lastCompletedAt = now();
      }
      stagegate.runner.events.off('stored', onStored);
      return (lastCompletedAt - started) / 1000;
    };
    if (options.warmup) await batch(options.warmup);
    const seconds = await batch(options.count);
    return { instances: options.count, seconds, perSecond: options.count / seconds };
  } finally {
    await stagegate.close();
  }
}
