/**
 * `stagegate predict DEPLOYMENT --row JSON | --file rows.csv|rows.json`:
 * POST /api/deployments/:id/predict with `{ rows: [...] }` (SPEC §8).
 */
import { readFile } from 'fs/promises';
import { extname } from 'path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { action, parseJsonObject, parseJsonOption, apiPath } from '../command-io';
import { CliError, EXIT } from '../exit-codes';

type Row = Record<string, unknown>;

interface Prediction {
  predictions: unknown[];
  probabilities?: Record<string, number>[];
  championVersion: number;
  championVersionId: string;
  approvalStatus: string;
}

/** One line per row (number, prediction, class probabilities), then the version that answered. */
function describePrediction(reply: Prediction): string {
  const lines = reply.predictions.map((prediction, i) => {
    const probabilities = reply.probabilities?.[i];
    const odds = probabilities ? Object.entries(probabilities).map(([label, p]) => `${label}=${p.toFixed(3)}`) : [];
    return [String(i + 1), String(prediction), ...odds].join('\t');
  });
  return [...lines, `champion: v${reply.championVersion} (${reply.championVersionId})`, `approval: ${reply.approvalStatus}`].join('\n') + '\n';
}

/** Rows from a CSV (header line; numbers as numbers) or a JSON file (an object or an array of objects). */
export async function readRows(file: string): Promise<Row[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, EXIT.FAILURE);
  }
  if (extname(file).toLowerCase() === '.csv') {
    try {
      return parse(content, { columns: true, skip_empty_lines: true, trim: true, cast: true }) as Row[];
    } catch (err) {
      throw new CliError(`${file} is not valid CSV: ${err instanceof Error ? err.message : String(err)}`, EXIT.FAILURE);
    }
  }
  const parsed = parseJsonOption(content, file);
  const rows = Array.isArray(parsed) ? parsed : [parsed];
  if (!rows.every((row) => row && typeof row === 'object' && !Array.isArray(row))) {
    throw new CliError(`${file} must hold a JSON object or an array of objects`, EXIT.FAILURE);
  }
  return rows as Row[];
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('score rows with a deployed model')
    .argument('<deployment>', 'deployment id')
    .option('--row <json>', 'one row as a JSON object')
    .option('--file <file>', 'rows from a .csv (with a header line) or .json file')
    .action(
      action(async (io, deployment: string, options: { row?: string; file?: string }) => {
        if (Boolean(options.row) === Boolean(options.file)) throw new CliError('give exactly one of --row or --file', EXIT.USAGE);
        const rows = options.row ? [parseJsonObject(options.row, '--row')] : await readRows(options.file!);
        if (!rows.length) throw new CliError(`${options.file} holds no rows`, EXIT.FAILURE);
        const reply = await io.client.post<Prediction>(apiPath`/api/deployments/${deployment}/predict`, { rows });
        io.out.result(reply, () => describePrediction(reply));
      }),
    );
}
