/**
 * The files of the `command` runtime's contract (see `processes/README.md`,
 * "The command runtime"): a job's temporary directory, the input CSV written
 * from a dataset window page by page, the predictions CSV read back as a
 * stream, and the environment the command gets. Nothing here holds a whole
 * dataset in memory.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { Database } from '../db/connect';
import { countRows, iterateRows, type TimeWindow } from '../datasets/dataset-store';
import type { CommandProcess } from '../jobs/command-process';
import type { JobIO } from '../jobs/job-runner';
import type { Cell, ModelType, Prediction, Row } from '../ml';
import { parseNumericCell } from '../ml/schema/cell-values';

/** The command's artifact may be at most this large (it is stored in the database). */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;
const MAX_METRICS_BYTES = 1024 * 1024;
/** The column of the predictions CSV holding the prediction; `probability_<class>` columns are optional. */
export const PREDICTION_COLUMN = 'prediction';
export const PROBABILITY_PREFIX = 'probability_';

/** A fresh directory for one run of a command; `remove` deletes it with everything in it. */
export async function makeWorkDir(jobId: string): Promise<{ dir: string; file(name: string): string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `stagegate-job-${jobId.slice(0, 8)}-`));
  return { dir, file: (name) => path.join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The command's environment: a few harmless variables of the server's (so
 * interpreters are found on PATH) and the contract's STAGEGATE_* variables.
 * Nothing else of the server's environment (database URL, tokens) reaches it.
 */
export function commandEnv(contract: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  for (const [name, value] of Object.entries(contract)) if (value !== undefined) env[name] = value;
  return env;
}

function csvField(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface WindowCsvOptions {
  file: string;
  datasetId: string;
  window: TimeWindow;
  /** The CSV's columns, in order. */
  columns: string[];
  /** The job progress the export covers, e.g. [0, 20]. */
  progress: [number, number];
  /** Columns read for `onPage` only, not written (e.g. the label, kept from a score command). */
  pageColumns?: string[];
  /** Sees every page too (e.g. to send the rows to a worker in the same pass). */
  onPage?(rows: Row[]): Promise<void> | void;
}

/** Writes the window's rows as CSV (header first), one page at a time; returns the row count. */
export async function writeWindowCsv(db: Database, io: JobIO, options: WindowCsvOptions): Promise<number> {
  const total = await countRows(db, options.datasetId, options.window);
  const out = createWriteStream(options.file);
  const failed = once(out, 'error').then(([err]) => Promise.reject(err));
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  const [low, high] = options.progress;
  const read = [...new Set([...options.columns, ...(options.pageColumns ?? [])])];
  let written = 0;
  try {
    await write(`${options.columns.map(csvField).join(',')}\n`);
    for await (const page of iterateRows(db, options.datasetId, options.window, 1000)) {
      if (io.signal.aborted) throw io.signal.reason;
      const rows: Row[] = page.map((row) => Object.fromEntries(read.map((name) => [name, row.data[name] ?? null])));
      await write(rows.map((row) => options.columns.map((name) => csvField(row[name])).join(',')).join('\n') + '\n');
      await options.onPage?.(rows);
      written += rows.length;
      io.progress(low + ((high - low) * written) / Math.max(1, total));
      // The embedded database answers without real I/O: let timers and requests in between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    out.end();
    await Promise.race([once(out, 'close'), failed]);
  }
  return written;
}

/** Runs a model command, logging its output lines; `STAGEGATE_PROGRESS=<0..100>` lines on stdout set the job's progress within `progress`. */
export async function runModelCommand(
  io: JobIO,
  options: { argv: string[]; timeoutMs: number; cwd: string; env: Record<string, string>; label: string; progress: [number, number] },
): Promise<void> {
  const [low, high] = options.progress;
  io.log(`running ${options.label}: ${JSON.stringify(options.argv)} (timeout ${options.timeoutMs} ms)`);
  const command: CommandProcess = io.spawnCommand({
    argv: options.argv,
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs,
    label: options.label,
    onLine: (stream, line) => {
      const progress = stream === 'stdout' ? /^STAGEGATE_PROGRESS=(\d{1,3})$/.exec(line.trim()) : null;
      if (progress) io.progress(low + ((high - low) * Math.min(100, Number(progress[1]))) / 100);
      else io.log(`${stream}: ${line}`);
    },
  });
  io.log(`${options.label} started as process ${command.pid}`);
  await command.done;
}

/** The artifact the train command wrote: it must exist, be non-empty and fit the limit. */
export async function readArtifactFile(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new Error('the train command exited with code 0 but wrote no artifact at STAGEGATE_ARTIFACT_PATH');
  if (info.size === 0) throw new Error('the train command wrote an empty artifact at STAGEGATE_ARTIFACT_PATH');
  if (info.size > MAX_ARTIFACT_BYTES) throw new Error(`the train command's artifact is ${info.size} bytes; at most ${MAX_ARTIFACT_BYTES} are stored`);
  return readFile(file);
}

/** The training metrics the command wrote (optional): a JSON object. */
export async function readMetricsFile(file: string): Promise<Record<string, unknown> | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  if (info.size > MAX_METRICS_BYTES) throw new Error(`the train command's metrics file is ${info.size} bytes; at most ${MAX_METRICS_BYTES} are read`);
  let metrics: unknown;
  try {
    metrics = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`the train command's metrics file (STAGEGATE_METRICS_JSON) is not JSON: ${(err as Error).message}`);
  }
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) throw new Error('the train command\'s metrics file (STAGEGATE_METRICS_JSON) must hold a JSON object');
  return metrics as Record<string, unknown>;
}

/**
 * Reads the score command's predictions CSV as a stream and hands them on in
 * batches: a `prediction` column (a class, or a number for regression) and,
 * for classification, optional `probability_<class>` columns. Returns how
 * many rows it read; any problem is an error naming the line.
 */
export async function readPredictions(file: string, type: ModelType, onBatch: (predictions: Prediction[]) => Promise<void>): Promise<number> {
  const exists = await stat(file).catch(() => null);
  if (!exists?.isFile()) throw new Error('the score command exited with code 0 but wrote no predictions at STAGEGATE_OUTPUT_CSV');
  const parser = createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true, max_record_size: 1 << 20 }));
  let header: string[] | null = null;
  let batch: Prediction[] = [];
  let count = 0;
  let line = 1;
  const problem = (message: string) => new Error(`the score command's predictions (STAGEGATE_OUTPUT_CSV), line ${line}: ${message}`);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record.map((name) => name.trim());
        if (!header.includes(PREDICTION_COLUMN)) throw problem(`the header has no "${PREDICTION_COLUMN}" column (it has ${header.join(', ')})`);
        continue;
      }
      line += 1;
      batch.push(toPrediction(header, record, type, problem));
      count += 1;
      if (batch.length >= 1000) {
        await onBatch(batch);
        batch = [];
      }
    }
  } catch (err) {
    parser.destroy();
    if (err instanceof Error && err.name === 'CsvError') throw problem(`malformed CSV: ${err.message}`);
    throw err;
  }
  if (!header) throw new Error('the score command\'s predictions file (STAGEGATE_OUTPUT_CSV) is empty: expected a header with a "prediction" column');
  if (batch.length) await onBatch(batch);
  return count;
}

function toPrediction(header: string[], record: string[], type: ModelType, problem: (message: string) => Error): Prediction {
  const cells = new Map(header.map((name, index) => [name, (record[index] ?? '').trim()]));
  const value = cells.get(PREDICTION_COLUMN)!;
  if (!value) throw problem('the prediction is empty');
  if (type === 'regression') {
    const number = parseNumericCell(value);
    if (number === undefined) throw problem(`the prediction ${JSON.stringify(value)} is not a number (the model does regression)`);
    return { value: number };
  }
  const probabilities: Record<string, number> = {};
  for (const [name, cell] of cells) {
    if (!name.startsWith(PROBABILITY_PREFIX)) continue;
    const p = parseNumericCell(cell);
    if (p === undefined || p < 0 || p > 1) throw problem(`${name} ${JSON.stringify(cell)} is not a probability between 0 and 1`);
    probabilities[name.slice(PROBABILITY_PREFIX.length)] = p;
  }
  return Object.keys(probabilities).length ? { value, probabilities } : { value };
}
