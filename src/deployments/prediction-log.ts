/**
 * The prediction log: entries are buffered in memory and written in batches
 * off the request path. The buffer is bounded; when it is full an entry is
 * dropped and counted, so a slow database never blocks or fails a prediction.
 */
import type { Database } from '../db/connect';
import type { Logger } from '../logger';
import type { Row } from '../ml';

export interface PredictionLogEntry {
  deploymentId: string;
  at: Date;
  championVersionId: string | null;
  challengerVersionId: string | null;
  rowCount: number;
  /** The checked feature rows (drift is measured on them); null for rejected requests. */
  rows: Row[] | null;
  predictions: unknown[] | null;
  challengerPredictions: unknown[] | null;
  latencyMs: number;
  /** The error code of a failed request (validation, runtime down), else null. */
  errorCode: string | null;
}

export interface PredictionLogOptions {
  maxBuffered: number;
  batchSize: number;
  flushIntervalMs: number;
}

export class PredictionLog {
  private buffer: PredictionLogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** Entries dropped because the buffer was full. */
  dropped = 0;
  written = 0;

  constructor(
    private readonly db: Database,
    private readonly options: PredictionLogOptions,
    private readonly logger: Logger,
  ) {}

  /** Queues an entry; never waits, never throws. */
  record(entry: PredictionLogEntry): void {
    if (this.buffer.length >= this.options.maxBuffered) {
      this.dropped += 1;
      return;
    }
    this.buffer.push(entry);
    if (this.buffer.length >= this.options.batchSize && !this.flushing) void this.flush();
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Writes what is buffered (one flush at a time); a failed batch is dropped and counted. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.writeAll().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.batchSize);
      try {
        await this.db('prediction_logs').insert(batch.map(toRow));
        this.written += batch.length;
      } catch (err) {
        this.dropped += batch.length;
        this.logger.error({ err, entries: batch.length }, 'prediction log batch lost');
      }
    }
  }
}

const json = (value: unknown) => (value === null ? null : JSON.stringify(value));

function toRow(entry: PredictionLogEntry) {
  return {
    deployment_id: entry.deploymentId,
    at: entry.at,
    champion_version_id: entry.championVersionId,
    challenger_version_id: entry.challengerVersionId,
    row_count: entry.rowCount,
    rows: json(entry.rows),
    predictions: json(entry.predictions),
    challenger_predictions: json(entry.challengerPredictions),
    latency_ms: entry.latencyMs,
    error_code: entry.errorCode,
  };
}
