/**
 * (a) in rounds. Each round measures bare bpmn-engine (definition parsed
 * once) and Stagegate on the same embedded database, back to back, each in a
 * fresh child process, so both halves of a ratio see the same machine; odd
 * rounds start with the baseline, even ones with Stagegate. The goal is judged
 * on the median ratio: on a shared machine the speed shifts between rounds
 * more than within one pair.
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
    // Alternate which half runs first: the machine's speed drifts during a run (it slows under
    // sustained load), and a fixed order would put one side always on the slower half.
    const baselineFirst = i % 2 === 1;
    const first = baselineFirst ? await measureBaseline(options, i) : await measureStagegate(options, i);
    const second = baselineFirst ? await measureStagegate(options, i) : await measureBaseline(options, i);
    const [baseline, stagegate] = baselineFirst ? [first, second] : [second, first];
    rounds.push({ baseline, stagegate, ratio: stagegate.perSecond / baseline.perSecond });
  }
  return rounds;
}

function measureBaseline(options: RoundsOptions, round: number): Promise<ThroughputResult> {
  log(`(a) round ${round}/${options.rounds}: bare bpmn-engine, ${options.baselineCount} instances, definition parsed once`);
  return runSection<ThroughputResult>('baseline', { mode: 'parsed-once', count: options.baselineCount, clients: options.clients }, 2 * MINUTE);
}

function measureStagegate(options: RoundsOptions, round: number): Promise<ThroughputResult> {
  const warmup = Math.ceil(options.stagegateCount / 10);
  log(`(a) round ${round}/${options.rounds}: Stagegate on embedded PGlite, ${options.stagegateCount} instances (+${warmup} warm-up)`);
  return runSection<ThroughputResult>(
    'durable',
    { dataDir: options.dataDir, count: options.stagegateCount, warmup, concurrency: options.clients },
    5 * MINUTE,
  );
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
