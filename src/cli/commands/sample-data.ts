/**
 * `stagegate sample-data`: the project's synthetic credit-risk loan applications
 * as CSV on stdout (offline), to upload as a dataset in the walk-through.
 */
import type { Command } from 'commander';
import { parseCount } from '../command-io';
import { CliError, EXIT } from '../exit-codes';

const DAY_MS = 24 * 3600 * 1000;

function parseDrift(value: string): number {
  const drift = Number(value);
  if (!(drift >= 0 && drift <= 1)) throw new CliError(`--drift must be a number from 0 to 1, got "${value}"`, EXIT.USAGE);
  return drift;
}

export function registerSampleData(program: Command): void {
  program
    .command('sample-data')
    .description('print synthetic credit-risk loan applications as CSV (label "default", timestamp "applied_at")')
    .option('--rows <n>', 'how many applications', parseCount, 3000)
    .option('--seed <n>', 'the same seed always gives the same rows', parseCount, 7)
    .option('--drift <0..1>', 'shift the population (lower incomes, more debt): 0 = the training distribution', parseDrift, 0)
    .option('--days <n>', 'applications spread over this many days up to yesterday', parseCount, 60)
    .action((options: { rows: number; seed: number; drift: number; days: number }) => {
      if (!options.rows) throw new CliError('--rows must be at least 1', EXIT.USAGE);
      // Loaded on use: the other commands start faster without the ML library.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { generateCreditRisk, toCsv } = require('../../ml') as typeof import('../../ml');
      const end = new Date(Date.now() - DAY_MS);
      const start = new Date(end.getTime() - Math.max(options.days, 1) * DAY_MS);
      process.stdout.write(toCsv(generateCreditRisk({ rows: options.rows, seed: options.seed, drift: options.drift, start, end })));
    });
}
