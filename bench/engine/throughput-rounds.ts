/**
 * (a) in rounds. Each round measures bare bpmn-engine (definition parsed
 * once) and then Stagegate on the same embedded database, back to back, each
 * in a fresh child process, so both halves of a ratio see the same machine.
 * The goal is judged on the median ratio: on a shared machine the load shifts
 * between rounds more than within one pair.
 */
import type { ThroughputResult } from './baseline-bpmn-engine';
import { log, runSection } from './util';

export interface Round {
  baseline: ThroughputResult;
  stagegate: ThroughputResult;
  /** Stagegate ÷ baseline in this round. */
  ratio: number;
}

export interface RoundsOptions {
  rounds: number;
  baselineCount: number;
  stagegateCount: number;
  clients: number;
  dataDir: string;
}

const MINUTE = 60000;

export async function measureRounds(options: RoundsOptions): Promise<Round[]> {
  const rounds: Round[] = [];
  for (let i = 1; i <= options.rounds; i++) {
    log(`(a) round ${i}/${options.rounds}: bare bpmn-engine, ${options.baselineCount} instances, definition parsed once`);
    const baseline = await runSection<ThroughputResult>('baseline', { mode: 'parsed-once', count: options.baselineCount, clients: options.clients }, 2 * MINUTE);
    const warmup = Math.ceil(options.stagegateCount / 10);
    log(`(a) round ${i}/${options.rounds}: Stagegate on embedded PGlite, ${options.stagegateCount} instances (+${warmup} warm-up)`);
    const stagegate = await runSection<ThroughputResult>(
      'durable',
      { dataDir: options.dataDir, count: options.stagegateCount, warmup, concurrency: options.clients },
      5 * MINUTE,
    );
    rounds.push({ baseline, stagegate, ratio: stagegate.perSecond / baseline.perSecond });
  }
  return rounds;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
