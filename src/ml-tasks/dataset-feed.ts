/**
 * Streams a dataset window into a job's worker process page by page, so the
 * server holds one page at a time, however large the dataset.
 */
import type { Database } from '../db/connect';
import { countRows, iterateRows, type TimeWindow } from '../datasets/dataset-store';
import type { JobIO } from '../jobs/job-runner';
import type { WorkerProcess } from '../jobs/worker-process';
import type { Row } from '../ml';

export interface FeedOptions {
  set: string;
  datasetId: string;
  window: TimeWindow;
  /** Only these columns reach the worker. */
  columns: string[];
  /** At most about this many rows (a deterministic sample) — for reference rows. */
  maxRows?: number;
  /** The job progress this feed covers, e.g. [0, 20]. */
  progress: [number, number];
}

/** Sends the rows (to a worker, or any sink awaited page by page); returns how many were sent. */
export async function feedRows(db: Database, io: JobIO, worker: Pick<WorkerProcess, 'sendRows'>, options: FeedOptions): Promise<number> {
  const total = await countRows(db, options.datasetId, options.window);
  const every = options.maxRows && total > options.maxRows ? Math.ceil(total / options.maxRows) : 1;
  const [low, high] = options.progress;
  let sent = 0;
  for await (const page of iterateRows(db, options.datasetId, options.window, 1000, every)) {
    if (io.signal.aborted) throw io.signal.reason;
    const rows: Row[] = page.map((row) => Object.fromEntries(options.columns.map((name) => [name, row.data[name] ?? null])));
    await worker.sendRows(options.set, rows);
    // The embedded database answers without real I/O: let timers and requests in between pages.
    await new Promise((resolve) => setImmediate(resolve));
    sent += rows.length;
    io.progress(low + ((high - low) * sent) / Math.max(1, total / every));
  }
  return sent;
}

/** A window stored on a job (ISO strings) as dates. */
export function storedWindow(params: { from: string | null; to: string | null }): TimeWindow {
  return { ...(params.from ? { from: new Date(params.from) } : {}), ...(params.to ? { to: new Date(params.to) } : {}) };
}

/** "rows 2025-01-01T00:00:00.000Z .. 2025-01-02T00:00:00.000Z" for log lines. */
export function describeWindow(window: TimeWindow): string {
  if (!window.from && !window.to) return 'all rows';
  return `rows ${window.from?.toISOString() ?? '(start)'} .. ${window.to?.toISOString() ?? '(end)'}`;
}
