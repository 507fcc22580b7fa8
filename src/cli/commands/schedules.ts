/**
 * `stagegate schedules [list|create|pause|resume|delete]` against
 * /api/schedules (SPEC §10).
 */
import type { Command } from 'commander';
import { action, collectVariable, parseCount, apiPath, variablesFrom } from '../command-io';
import { formatFields, formatTable, when } from '../output';

/** The fields the tables show (all of them with --json). */
interface Schedule {
  id: string;
  processKey: string;
  cron: string;
  timezone: string;
  status: 'active' | 'paused';
  nextFireAt: string | null;
  lastFireAt: string | null;
}

const COLUMNS = [
  { header: 'id', value: (s: Schedule) => s.id },
  { header: 'process', value: (s: Schedule) => s.processKey },
  { header: 'cron', value: (s: Schedule) => s.cron },
  { header: 'timezone', value: (s: Schedule) => s.timezone },
  { header: 'status', value: (s: Schedule) => s.status },
  { header: 'next', value: (s: Schedule) => when(s.nextFireAt) },
  { header: 'last', value: (s: Schedule) => when(s.lastFireAt) },
];

export function registerSchedules(program: Command): void {
  const schedules = program.command('schedules').description('cron schedules that start processes: list, create, pause, resume, delete');

  schedules
    .command('list', { isDefault: true })
    .description('list schedules')
    .option('--limit <n>', 'at most this many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .action(
      action(async (io, options: { limit: number; offset: number }) => {
        const page = await io.client.get<{ items: Schedule[] }>('/api/schedules', { ...options });
        io.out.result(page, () => formatTable(page.items, COLUMNS));
      }),
    );

  schedules
    .command('create')
    .description('start a process on a cron schedule')
    .requiredOption('--process <key>', 'the process to start')
    .requiredOption('--cron <expression>', 'cron expression, e.g. "0 6 * * *"')
    .option('--timezone <tz>', 'IANA time zone, e.g. Europe/Berlin (default: the server\'s)')
    .option('--var <name=value>', 'a start variable (repeatable)', collectVariable)
    .option('--variables <json>', 'start variables as a JSON object')
    .action(
      action(async (io, options: { process: string; cron: string; timezone?: string; var?: Record<string, unknown>; variables?: string }) => {
        const schedule = await io.client.post<Schedule>('/api/schedules', {
          process: options.process,
          cron: options.cron,
          ...(options.timezone ? { timezone: options.timezone } : {}),
          variables: variablesFrom(options),
        });
        io.out.result(schedule, () => formatFields([['id', schedule.id], ['process', schedule.processKey], ['cron', schedule.cron], ['next', when(schedule.nextFireAt)]]));
      }),
    );

  for (const verb of ['pause', 'resume'] as const) {
    schedules
      .command(verb)
      .description(verb === 'pause' ? 'stop a schedule from firing' : 'let a paused schedule fire again')
      .argument('<id>', 'schedule id')
      .action(
        action(async (io, id: string) => {
          const schedule = await io.client.post<Schedule>(apiPath`/api/schedules/${id}/${verb}`);
          io.out.result(schedule, () => `${id}: ${schedule.status}\n`);
        }),
      );
  }

  schedules
    .command('delete')
    .description('delete a schedule')
    .argument('<id>', 'schedule id')
    .action(
      action(async (io, id: string) => {
        await io.client.delete(apiPath`/api/schedules/${id}`);
        io.out.result({ id, deleted: true }, () => `${id}: deleted\n`);
      }),
    );
}
