/** `stagegate jobs [list|show|cancel|watch]`: train/test/... jobs, with a progress bar while following one. */
import type { Command } from 'commander';
import { action, CommandIO, parseCount, apiPath } from '../command-io';
import { EXIT } from '../exit-codes';
import { formatFields, formatTable, when } from '../output';
import { ProgressDisplay } from '../progress-bar';

interface Job {
  id: string;
  type: string;
  status: string;
  progress: number;
  requestedBy: string | null;
  modelId: string | null;
  processInstanceId: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  log?: { at: string; message: string }[];
  result?: unknown;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

const COLUMNS = [
  { header: 'id', value: (j: Job) => j.id },
  { header: 'type', value: (j: Job) => j.type },
  { header: 'status', value: (j: Job) => j.status },
  { header: 'progress', value: (j: Job) => `${Math.round(j.progress)}%` },
  { header: 'model', value: (j: Job) => j.modelId },
  { header: 'created', value: (j: Job) => when(j.createdAt) },
  { header: 'finished', value: (j: Job) => when(j.finishedAt) },
  { header: 'error', value: (j: Job) => j.error },
];

function describe(job: Job): string {
  const fields = formatFields([
    ['id', job.id],
    ['type', job.type],
    ['status', job.status],
    ['progress', `${Math.round(job.progress)}%`],
    ['model', job.modelId],
    ['instance', job.processInstanceId],
    ['requested by', job.requestedBy],
    ['created', when(job.createdAt)],
    ['started', when(job.startedAt)],
    ['finished', when(job.finishedAt)],
    ['error', job.error],
    ['result', job.result === undefined || job.result === null ? null : JSON.stringify(job.result)],
  ]);
  const log = (job.log ?? []).map((line) => `  ${when(line.at)}  ${line.message}`);
  return log.length ? `${fields}log:\n${log.join('\n')}\n` : fields;
}

/** Polls the job until it ends, drawing its progress and log on stderr; returns the final job. */
async function follow(io: CommandIO, id: string, intervalMs: number): Promise<Job> {
  const display = new ProgressDisplay();
  let shownLines = 0;
  for (;;) {
    const job = await io.client.get<Job>(apiPath`/api/jobs/${id}`);
    const log = job.log ?? [];
    for (const line of log.slice(shownLines)) display.message(`${when(line.at)}  ${line.message}`);
    shownLines = log.length;
    display.update({ label: `${job.type} ${job.id.slice(0, 8)}`, status: job.status, percent: job.progress });
    if (TERMINAL.has(job.status)) {
      display.finish();
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('jobs (train, test, deploy, ...): list, show, watch, cancel');

  jobs
    .command('list', { isDefault: true })
    .description('list jobs, newest first')
    .option('--status <status>', 'queued | running | succeeded | failed | cancelled')
    .option('--type <type>', 'train, test, ...')
    .option('--model <id>', 'only jobs of this model')
    .option('--limit <n>', 'at most this many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .action(
      action(async (io, options: { status?: string; type?: string; model?: string; limit: number; offset: number }) => {
        const page = await io.client.get<{ items: Job[]; total: number }>('/api/jobs', {
          status: options.status,
          type: options.type,
          modelId: options.model,
          limit: options.limit,
          offset: options.offset,
        });
        io.out.result(page, () => formatTable(page.items, COLUMNS));
      }),
    );

  jobs
    .command('show')
    .description('one job: status, progress, log, result')
    .argument('<id>', 'job id')
    .action(
      action(async (io, id: string) => {
        const job = await io.client.get<Job>(apiPath`/api/jobs/${id}`);
        io.out.result(job, () => describe(job));
      }),
    );

  jobs
    .command('watch')
    .description('follow a job until it ends: a progress bar on a terminal, progress lines otherwise (stderr); exits 1 unless it succeeded')
    .argument('<id>', 'job id')
    .option('--interval <ms>', 'how often to ask the server', parseCount, 500)
    .action(
      action(async (io, id: string, options: { interval: number }) => {
        const job = await follow(io, id, Math.max(100, options.interval));
        io.out.result(job, () => `${job.id}: ${job.status}${job.error ? ` (${job.error})` : ''}\n`);
        if (job.status !== 'succeeded') process.exitCode = EXIT.FAILURE;
      }),
    );

  jobs
    .command('cancel')
    .description('cancel a job (a running one is stopped for real)')
    .argument('<id>', 'job id')
    .action(
      action(async (io, id: string) => {
        const job = await io.client.post<Job>(apiPath`/api/jobs/${id}/cancel`);
        io.out.result(job, () => `${job.id}: ${job.status}${job.status === 'running' ? ' (stopping at its next heartbeat)' : ''}\n`);
      }),
    );
}
