/** `stagegate start KEY`: starts an instance of a process. */
import type { Command } from 'commander';
import { action, collectVariable, parseCount, apiPath, variablesFrom } from '../command-io';
import { formatFields } from '../output';

interface StartOptions {
  businessKey?: string;
  var?: Record<string, unknown>;
  variables?: string;
  version?: number;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start an instance of the latest (or a given) version of a process')
    .argument('<key>', 'the process id (definition key)')
    .option('--business-key <key>', 'the business key (messages correlate by it)')
    .option('--var <name=value>', 'a variable; the value is JSON when it parses as JSON, else a string (repeatable)', collectVariable)
    .option('--variables <json>', 'variables as a JSON object (--var pairs override)')
    .option('--version <n>', 'a definition version instead of the latest', parseCount)
    .action(
      action(async (io, key: string, options: StartOptions) => {
        const started = await io.client.post<{ id: string; status: string }>(apiPath`/api/process-definitions/${key}/start`, {
          businessKey: options.businessKey,
          variables: variablesFrom(options),
          ...(options.version ? { version: options.version } : {}),
        });
        io.out.result(started, () => formatFields([['instance', started.id], ['status', started.status]]));
      }),
    );
}
