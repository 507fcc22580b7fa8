import { parse } from 'csv-parse/sync';
import { CREDIT_RISK_COLUMNS } from '../../src/ml';
import { runCli } from './run-cli';

describe('stagegate sample-data (offline)', () => {
  it('prints the asked number of credit-risk rows, the same for the same seed, dated within the last days', async () => {
    const first = await runCli(['sample-data', '--rows', '50', '--seed', '3', '--days', '10']);
    const again = await runCli(['sample-data', '--rows', '50', '--seed', '3', '--days', '10']);
    expect(first.status).toBe(0);
    const rows = parse(first.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(50);
    expect(Object.keys(rows[0])).toEqual([...CREDIT_RISK_COLUMNS]);
    expect(new Set(rows.map((row) => row.default))).toEqual(new Set(['0', '1']));
    const oldest = Math.min(...rows.map((row) => Date.parse(row.applied_at)));
    expect(Date.now() - oldest).toBeLessThanOrEqual(11 * 24 * 3600 * 1000);
    expect((parse(again.stdout, { columns: true }) as Record<string, string>[]).map((row) => row.income)).toEqual(rows.map((row) => row.income));
  });

  it('drift moves incomes down', async () => {
    const mean = async (drift: string) => {
      const run = await runCli(['sample-data', '--rows', '400', '--drift', drift]);
      const incomes = (parse(run.stdout, { columns: true }) as Record<string, string>[]).map((row) => Number(row.income)).filter((income) => income > 0);
      return incomes.reduce((sum, income) => sum + income, 0) / incomes.length;
    };
    expect(await mean('1')).toBeLessThan((await mean('0')) * 0.9);
  });

  it.each([
    [['--drift', '2'], '--drift must be a number from 0 to 1'],
    [['--rows', '0'], '--rows must be at least 1'],
    [['--rows', 'many'], 'expected a whole number'],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(['sample-data', ...args]);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});
