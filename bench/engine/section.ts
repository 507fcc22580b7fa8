/**
 * One in-process measurement, run by run.ts in its own Node process (so each
 * starts from a fresh heap, and a hung server cannot hang the bench): the
 * section name and its JSON arguments come on the command line, the result
 * goes back over IPC.
 */
import { measureBpmnEngine } from './baseline-bpmn-engine';
import { measureSingleRowCommits } from './baseline-pg-inserts';
import { measureDurable } from './durable-throughput';

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sections: Record<string, (args: Args) => Promise<unknown>> = {
  baseline: (args) => measureBpmnEngine(args.mode, args.count, args.clients),
  commits: (args) => measureSingleRowCommits(args.url, args.seconds),
  durable: (args) => measureDurable(args as Parameters<typeof measureDurable>[0]),
};

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const section = sections[name];
  if (!section) throw new Error(`unknown section ${name}`);
  const result = await section(JSON.parse(json ?? '{}'));
  await new Promise<void>((resolve, reject) => process.send!({ result }, (err: Error | null) => (err ? reject(err) : resolve())));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
