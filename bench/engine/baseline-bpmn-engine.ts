/**
 * Baseline (a): bare bpmn-engine running the same definition in memory, no
 * persistence. Two variants: XML parsed for every instance (what Stagegate does
 * for a new instance) and the definition parsed once, then shared.
 */
import { Engine } from 'bpmn-engine';
import { SERVICE_PROCESS_XML, SERVICE_TOPIC } from './processes';
import { now, runPool } from './util';

/* bpmn-engine's option types do not cover every option used here. */
/* eslint-disable @typescript-eslint/no-explicit-any */

const services = {
  [SERVICE_TOPIC]: (_scope: unknown, callback: (err: Error | null, result?: unknown) => void) => callback(null, {}),
};
const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

export interface ThroughputResult {
  instances: number;
  seconds: number;
  perSecond: number;
}

function runOne(options: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const engine = new Engine({ ...options, services, Logger: silentLogger } as any);
    engine.once('end', () => resolve());
    engine.once('error', reject);
    engine.execute().catch(reject);
  });
}

/** Parses the XML once; the parsed moddle context is handed to every engine. */
async function parsedOnce(): Promise<unknown> {
  const engine = new Engine({ source: SERVICE_PROCESS_XML, Logger: silentLogger } as any);
  return (engine as any)._getModdleContext(SERVICE_PROCESS_XML);
}

export async function measureBpmnEngine(
  mode: 'xml-per-instance' | 'parsed-once',
  count: number,
  concurrency: number,
): Promise<ThroughputResult> {
  const options: Record<string, unknown> =
    mode === 'xml-per-instance' ? { source: SERVICE_PROCESS_XML } : { moddleContext: await parsedOnce() };
  await runPool(Math.min(200, count), concurrency, () => runOne(options)); // warm-up
  const started = now();
  await runPool(count, concurrency, () => runOne(options));
  const seconds = (now() - started) / 1000;
  return { instances: count, seconds, perSecond: count / seconds };
}
