import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-store';
import { isEmbedded, type Database } from '../db/connect';
import { AppError, ConflictError, NotFoundError } from '../errors';
import type { ActionContext } from '../identity/actor';
import type { Logger } from '../logger';
import { CommandProcess, type CommandOptions } from './command-process';
import { JobProgress } from './job-progress';
import * as store from './job-store';
import { WorkerProcess } from './worker-process';

/** What an executor gets for the one job it runs. */
export interface JobIO {
  readonly job: store.Job;
  /** Aborted when the job is cancelled or the server stops: stop reading, throw. */
  readonly signal: AbortSignal;
  /** 0..100; stored at most twice a second. */
  progress(percent: number): void;
  log(message: string): void;
  /** A worker process for the heavy part; killed when the job is cancelled. */
  spawnWorker(): WorkerProcess;
  /** An external command (a model's own train/score command); killed with its process group when the job is cancelled. */
  spawnCommand(options: CommandOptions): CommandProcess;
}

export interface JobOutcome {
  result: unknown;
  /** Runs in the transaction that marks the job succeeded; what it returns joins the result. */
  commit?(trx: Knex.Transaction): Promise<Record<string, unknown> | void>;
}

/** Runs one job of a type; throws for a failed job (the message becomes the job's error). */
export type JobExecutor = (io: JobIO) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  owner: string;
  concurrency: number;
  pollIntervalMs: number;
  /** How often a running job's heartbeat is stored (and cancellation requests are read). */
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this lost its server and is failed. */
  staleMs?: number;
}

/** The event of a job that ended here (job ids are UUIDs: no clash with this name). */
const ENDED = 'job-ended';

/** The job runner stopped (server shutdown) while something waited for a job. */
export class JobRunnerStoppedError extends Error {
  constructor() {
    super('the server is shutting down; the job continues after a restart');
    this.name = 'JobRunnerStoppedError';
  }
}

interface ActiveJob {
  job: store.Job;
  controller: AbortController;
  /** Worker processes and commands of the job: all killed when it ends or is cancelled. */
  workers: Set<WorkerProcess | CommandProcess>;
  progress: JobProgress;
  /** Who cancelled it here (audited with the cancellation); null when the request came through the database. */
  cancelledBy?: ActionContext | null;
  shutdown: boolean;
  done: Promise<store.Job | null>;
}

/**
 * Runs queued jobs (any server may take any job: `FOR UPDATE SKIP LOCKED`), at
 * most `concurrency` at a time, each executor off the request path and its
 * heavy part in a worker process. Beats a heartbeat for its running jobs,
 * fails those whose server died, and stops cancelled ones for real.
 */
export class JobRunner {
  private readonly events = new EventEmitter();
  private readonly executors = new Map<string, JobExecutor>();
  private readonly active = new Map<string, ActiveJob>();
  private readonly stopped = new AbortController();
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: JobRunnerOptions,
    private readonly logger: Logger,
  ) {
    this.events.setMaxListeners(0);
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.staleMs = options.staleMs ?? 30000;
  }

  /** Calls `listener` with each job that ended on this server (succeeded, failed or cancelled; not requeued at shutdown). */
  onEnded(listener: (job: store.Job) => void): void {
    this.events.on(ENDED, listener);
  }

  /** Registers the executor of a job type (before `start`). */
  register(type: string, executor: JobExecutor): void {
    if (this.executors.has(type)) throw new Error(`job type ${type} already has an executor`);
    this.executors.set(type, executor);
  }

  /**
   * Fails the jobs left running by a crashed server (on the embedded database
   * every running job is such; on PostgreSQL those with a stale heartbeat),
   * then starts taking queued jobs.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const orphans = await store.failOrphans(this.db, isEmbedded(this.db) ? null : new Date(Date.now() - this.staleMs), 'the server running this job stopped before it finished');
    if (orphans.length) this.logger.warn({ jobs: orphans }, 'failed jobs left running by a stopped server');
    this.running = true;
    this.loop = this.pollLoop();
    this.timers.push(setInterval(() => void this.beat(), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.sweep(), Math.max(1000, Math.floor(this.staleMs / 3))));
  }

  /** Stops taking jobs; jobs running here are stopped and queued again (they restart from scratch later). */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped.abort();
    this.poke();
    await this.loop;
    for (const timer of this.timers) clearInterval(timer);
    for (const active of this.active.values()) {
      active.shutdown = true;
      active.controller.abort(new JobRunnerStoppedError());
    }
    await Promise.all([...this.active.values()].map((active) => active.done));
  }

  /** A job was queued: look now instead of at the next poll. */
  poke(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
    this.sleeper = null;
  }

  /** The worker processes and commands of a job running here (their pids). */
  workerPids(jobId: string): number[] {
    return [...(this.active.get(jobId)?.workers ?? [])].map((worker) => worker.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Resolves with the job once it ended (any server may run it). */
  async waitFor(jobId: string, pollMs = 1000): Promise<store.Job> {
    for (;;) {
      if (this.stopped.signal.aborted) throw new JobRunnerStoppedError();
      const job = await store.findJob(this.db, jobId);
      if (!job) throw new NotFoundError('job', jobId);
      if (store.TERMINAL_STATUSES.has(job.status)) return job;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.events.off(jobId, done);
          this.stopped.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        this.events.on(jobId, done);
        this.stopped.signal.addEventListener('abort', done);
      });
    }
  }

  /**
   * Cancels a job: a queued one at once, one running here by killing its
   * worker (resolves when it is gone), one running elsewhere by asking its
   * server (stopped at its next heartbeat). One audit event either way.
   */
  async cancel(context: ActionContext, jobId: string): Promise<store.Job> {
    const local = this.active.get(jobId);
    if (local) {
      if (local.controller.signal.aborted) throw new ConflictError(`job ${jobId} is already being stopped`, { status: local.job.status });
      local.cancelledBy = context;
      local.controller.abort(new Error('cancelled'));
      const final = await local.done;
      if (final && final.status !== 'cancelled') throw new ConflictError(`job ${jobId} already ${final.status}`, { status: final.status });
      if (final) return final;
    }
    return this.db.transaction(async (trx) => {
      const job = await store.findJob(trx, jobId, true);
      if (!job) throw new NotFoundError('job', jobId);
      if (store.TERMINAL_STATUSES.has(job.status)) throw new ConflictError(`job ${jobId} is already ${job.status}`, { status: job.status });
      const after = job.status === 'queued' ? await store.cancelQueued(trx, jobId) : await store.requestCancel(trx, jobId);
      const comment = job.status === 'queued' ? null : 'the server running the job stops it at its next heartbeat';
      await recordAudit(trx, context, { action: 'job.cancel', entityType: 'job', entityId: jobId, before: { status: job.status }, after: { status: after.status, cancelRequested: after.cancelRequested }, comment });
      if (after.status === 'cancelled') this.events.emit(jobId);
      return after;
    });
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      const free = this.options.concurrency - this.active.size;
      let claimed: store.Job[] = [];
      if (free > 0) {
        try {
          claimed = await store.claimJobs(this.db, this.options.owner, [...this.executors.keys()], free);
        } catch (err) {
          this.logger.error({ err }, 'claiming jobs failed');
        }
      }
      for (const job of claimed) this.execute(job);
      if (free === 0 || claimed.length < free) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeper = { timer: setTimeout(resolve, ms), resolve };
    });
  }

  private execute(job: store.Job): void {
    let finished!: (job: store.Job | null) => void;
    const active: ActiveJob = {
      job,
      controller: new AbortController(),
      workers: new Set(),
      progress: new JobProgress(this.db, job.id, this.options.owner, job.log.length, this.logger),
      shutdown: false,
      done: new Promise((resolve) => (finished = resolve)),
    };
    this.active.set(job.id, active);
    this.run(active)
      .catch((err) => {
        this.logger.error({ err, jobId: job.id }, 'job bookkeeping failed');
        return null;
      })
      .then((final) => {
        this.active.delete(job.id);
        finished(final);
        this.events.emit(job.id);
        if (final && store.TERMINAL_STATUSES.has(final.status)) this.events.emit(ENDED, final);
        this.poke();
      });
  }

  private io(active: ActiveJob): JobIO {
    const log = (message: string) => active.progress.log(message);
    return {
      job: active.job,
      signal: active.controller.signal,
      progress: (percent) => active.progress.report(percent),
      log,
      spawnWorker: () => {
        if (active.controller.signal.aborted) throw active.controller.signal.reason;
        const worker = new WorkerProcess({ log });
        active.workers.add(worker);
        return worker;
      },
      spawnCommand: (options) => {
        if (active.controller.signal.aborted) throw active.controller.signal.reason;
        const command = new CommandProcess(options);
        active.workers.add(command);
        return command;
      },
    };
  }

  private async run(active: ActiveJob): Promise<store.Job | null> {
    const { job, controller } = active;
    const executor = this.executors.get(job.type)!;
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason)));
    aborted.catch(() => undefined);
    let outcome: JobOutcome | undefined;
    let failure: unknown;
    try {
      outcome = await Promise.race([executor(this.io(active)), aborted]);
    } catch (err) {
      failure = err;
    }
    await Promise.all([...active.workers].map((worker) => worker.kill()));
    if (active.shutdown) {
      await active.progress.settle();
      await store.requeue(this.db, [job.id], this.options.owner);
      return null;
    }
    if (controller.signal.aborted) {
      active.progress.log('cancelled: the worker process was stopped');
      return this.finish(active, { status: 'cancelled' });
    }
    if (failure !== undefined || !outcome) {
      const message = failure instanceof Error ? failure.message : String(failure);
      if (!(failure instanceof AppError) && !(failure instanceof Error && /^(Worker|Command)/.test(failure.name))) this.logger.warn({ err: failure, jobId: job.id }, 'job failed');
      active.progress.log(`failed: ${message}`);
      return this.finish(active, { status: 'failed', error: message });
    }
    try {
      return await this.finish(active, { status: 'succeeded', result: outcome.result, commit: outcome.commit });
    } catch (err) {
      if (err instanceof LostJobError) throw err;
      const message = `storing the result failed: ${err instanceof Error ? err.message : String(err)}`;
      active.progress.log(message);
      return this.finish(active, { status: 'failed', error: message });
    }
  }

  private async finish(
    active: ActiveJob,
    end: { status: 'succeeded' | 'failed' | 'cancelled'; result?: unknown; error?: string; commit?: JobOutcome['commit'] },
  ): Promise<store.Job | null> {
    const { job } = active;
    const lines = await active.progress.settle();
    try {
      await this.db.transaction(async (trx) => {
        let result = end.result;
        if (end.commit) {
          const extra = await end.commit(trx);
          if (extra) result = { ...(result as object), ...extra };
        }
        const progress = end.status === 'succeeded' ? 100 : active.progress.percent;
        const finished = await store.finishJob(trx, job.id, this.options.owner, { status: end.status, progress, result, error: end.error, lines });
        if (!finished) throw new LostJobError();
        if (end.status === 'cancelled' && active.cancelledBy) {
          await recordAudit(trx, active.cancelledBy, { action: 'job.cancel', entityType: 'job', entityId: job.id, before: { status: 'running' }, after: { status: 'cancelled' } });
        }
      });
    } catch (err) {
      if (!(err instanceof LostJobError)) throw err;
      this.logger.warn({ jobId: job.id }, 'job was no longer running here when it ended (failed as an orphan?)');
    }
    return store.findJob(this.db, job.id);
  }

  private async beat(): Promise<void> {
    try {
      const cancelled = await store.heartbeat(this.db, [...this.active.keys()], this.options.owner);
      for (const id of cancelled) {
        const active = this.active.get(id);
        if (active && !active.controller.signal.aborted) {
          active.cancelledBy = null;
          active.controller.abort(new Error('cancelled'));
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'job heartbeat failed');
    }
  }

  private async sweep(): Promise<void> {
    try {
      const orphans = await store.failOrphans(this.db, new Date(Date.now() - this.staleMs), `the server running this job stopped (no heartbeat for ${this.staleMs / 1000} s)`);
      for (const id of orphans) this.events.emit(id);
      if (orphans.length) this.logger.warn({ jobs: orphans }, 'failed jobs whose server stopped');
    } catch (err) {
      this.logger.warn({ err }, 'looking for orphaned jobs failed');
    }
  }
}

/** The job row was no longer this server's running job when it ended. */
class LostJobError extends Error {}
