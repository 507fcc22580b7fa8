import type { Database } from '../db/connect';
import type { Logger } from '../logger';
import { reportProgress, type JobLogLine } from './job-store';

const MAX_LOG_LINES = 500;
const FLUSH_MS = 500;

/**
 * Progress and log lines of one job running here. They reach the database at
 * most every FLUSH_MS; what is left when the job ends goes into its final update.
 */
export class JobProgress {
  percent = 0;
  private lines: JobLogLine[] = [];
  private logged: number;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly jobId: string,
    private readonly owner: string,
    alreadyLogged: number,
    private readonly logger: Logger,
  ) {
    this.logged = alreadyLogged;
  }

  /** 0..100. */
  report(percent: number): void {
    this.percent = Math.max(0, Math.min(100, Math.round(percent)));
    this.schedule();
  }

  /** One log line (at most MAX_LOG_LINES per job; longer lines are cut at 2,000 characters). */
  log(message: string): void {
    if (this.logged >= MAX_LOG_LINES) return;
    this.logged += 1;
    const text = this.logged === MAX_LOG_LINES ? '(log truncated)' : message.slice(0, 2000);
    this.lines.push({ at: new Date().toISOString(), message: text });
    this.schedule();
  }

  /** Stops flushing; resolves with the lines not stored yet (for the job's final update). */
  async settle(): Promise<JobLogLine[]> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    const rest = this.lines;
    this.lines = [];
    return rest;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const lines = this.lines;
      this.lines = [];
      this.flushing = this.flushing
        .then(() => reportProgress(this.db, this.jobId, this.owner, this.percent, lines))
        .catch((err) => this.logger.warn({ err, jobId: this.jobId }, 'storing job progress failed'));
    }, FLUSH_MS);
  }
}
