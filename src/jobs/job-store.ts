/**
 * SQL for `jobs` (SPEC §5).
 *
 * Glossary
 * - job: a row in `jobs`, one piece of work done off the request path (train,
 *   test, ...): queued → running → succeeded | failed | cancelled.
 * - owner: the server (`host:pid:nonce`) running a job; it beats a heartbeat
 *   while it does. A running job whose heartbeat stopped lost its server.
 * - idempotency key: set by service tasks, so a re-invoked task finds its job.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobLogLine {
  at: string;
  message: string;
}

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  progress: number;
  log: JobLogLine[];
  requestedBy: string | null;
  modelId: string | null;
  processInstanceId: string | null;
  idempotencyKey: string | null;
  params: Record<string, unknown>;
  result: unknown;
  error: string | null;
  lockedBy: string | null;
  heartbeatAt: Date | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

type Db = Database | Knex.Transaction;
const date = (value: unknown) => (value ? new Date(value as string) : null);

const toJob = (row: Record<string, any>): Job => ({
  id: row.id,
  type: row.type,
  status: row.status,
  progress: row.progress,
  log: row.log ?? [],
  requestedBy: row.requested_by,
  modelId: row.model_id,
  processInstanceId: row.process_instance_id,
  idempotencyKey: row.idempotency_key,
  params: row.params,
  result: row.result ?? null,
  error: row.error,
  lockedBy: row.locked_by,
  heartbeatAt: date(row.heartbeat_at),
  cancelRequested: row.cancel_requested,
  createdAt: new Date(row.created_at),
  startedAt: date(row.started_at),
  finishedAt: date(row.finished_at),
  updatedAt: new Date(row.updated_at),
});

export interface NewJob {
  type: string;
  requestedBy: string | null;
  modelId: string | null;
  processInstanceId: string | null;
  idempotencyKey: string | null;
  params: Record<string, unknown>;
}

export async function insertJob(db: Db, job: NewJob): Promise<Job> {
  const [row] = await db('jobs')
    .insert({
      id: crypto.randomUUID(),
      type: job.type,
      status: 'queued',
      requested_by: job.requestedBy,
      model_id: job.modelId,
      process_instance_id: job.processInstanceId,
      idempotency_key: job.idempotencyKey,
      params: JSON.stringify(job.params),
    })
    .returning('*');
  return toJob(row);
}

export async function findJob(db: Db, id: string, forUpdate = false): Promise<Job | null> {
  const query = db('jobs').where({ id }).first();
  if (forUpdate) query.forUpdate();
  const row = await query;
  return row ? toJob(row) : null;
}

export async function findJobByKey(db: Db, idempotencyKey: string): Promise<Job | null> {
  const row = await db('jobs').where({ idempotency_key: idempotencyKey }).first();
  return row ? toJob(row) : null;
}

export interface JobFilter {
  type?: string;
  status?: JobStatus;
  requestedBy?: string;
  modelId?: string;
  limit: number;
  offset: number;
}

/** Jobs, newest first, without their log and result (GET one job for those). */
export async function listJobs(db: Db, filter: JobFilter): Promise<{ items: Omit<Job, 'log' | 'result'>[]; total: number }> {
  const where = (query: Knex.QueryBuilder) => {
    if (filter.type) query.where('type', filter.type);
    if (filter.status) query.where('status', filter.status);
    if (filter.requestedBy) query.where('requested_by', filter.requestedBy);
    if (filter.modelId) query.where('model_id', filter.modelId);
    return query;
  };
  const [{ count }] = await where(db('jobs')).count({ count: '*' });
  const rows = await where(db('jobs'))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    .limit(filter.limit)
    .offset(filter.offset)
    .select(db.raw("jobs.*, '[]'::jsonb AS log, NULL::jsonb AS result"));
  return { items: rows.map((row: Record<string, any>) => { const { log: _log, result: _result, ...job } = toJob(row); return job; }), total: Number(count) };
}

/** Takes up to `limit` queued jobs of the given types for `owner` (oldest first; other servers skip them). */
export async function claimJobs(db: Database, owner: string, types: readonly string[], limit: number): Promise<Job[]> {
  if (limit <= 0 || types.length === 0) return [];
  const oldestQueued = db('jobs')
    .select('id')
    .where('status', 'queued')
    .whereIn('type', types)
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .limit(limit)
    .forUpdate()
    .skipLocked();
  const rows = await db('jobs')
    .whereIn('id', oldestQueued)
    .update({ status: 'running', locked_by: owner, started_at: db.fn.now(), heartbeat_at: db.fn.now(), updated_at: db.fn.now() })
    .returning('*');
  return rows.map(toJob);
}

/** Progress and new log lines of a running job this server owns. */
export async function reportProgress(db: Db, id: string, owner: string, progress: number, lines: JobLogLine[]): Promise<void> {
  await db('jobs')
    .where({ id, locked_by: owner, status: 'running' })
    .update({ progress, log: db.raw('log || ?::jsonb', [JSON.stringify(lines)]), updated_at: db.fn.now() });
}

/** Beats the heartbeat of this server's running jobs; returns the ids whose cancellation was requested. */
export async function heartbeat(db: Database, ids: readonly string[], owner: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db('jobs').whereIn('id', ids).where({ locked_by: owner, status: 'running' }).update({ heartbeat_at: db.fn.now() }).returning(['id', 'cancel_requested']);
  return rows.filter((row: { cancel_requested: boolean }) => row.cancel_requested).map((row: { id: string }) => row.id);
}

/**
 * Ends a running job this server owns. False when it is no longer this
 * server's running job (cancelled, or failed as an orphan): the caller rolls back.
 */
export async function finishJob(
  trx: Knex.Transaction,
  id: string,
  owner: string,
  end: { status: 'succeeded' | 'failed' | 'cancelled'; progress: number; result?: unknown; error?: string | null; lines: JobLogLine[] },
): Promise<boolean> {
  const updated = await trx('jobs')
    .where({ id, locked_by: owner, status: 'running' })
    .update({
      status: end.status,
      progress: end.progress,
      result: end.result === undefined ? null : JSON.stringify(end.result),
      error: end.error ?? null,
      log: trx.raw('log || ?::jsonb', [JSON.stringify(end.lines)]),
      finished_at: trx.fn.now(),
      updated_at: trx.fn.now(),
    });
  return updated === 1;
}

/** Cancels a job that has not started. */
export async function cancelQueued(trx: Knex.Transaction, id: string): Promise<Job> {
  const [row] = await trx('jobs').where({ id, status: 'queued' }).update({ status: 'cancelled', finished_at: trx.fn.now(), updated_at: trx.fn.now() }).returning('*');
  return toJob(row);
}

/** Asks the server running the job to stop it (seen at its next heartbeat). */
export async function requestCancel(trx: Knex.Transaction, id: string): Promise<Job> {
  const [row] = await trx('jobs').where({ id }).update({ cancel_requested: true, updated_at: trx.fn.now() }).returning('*');
  return toJob(row);
}

/**
 * Fails running jobs whose server stopped: those with a heartbeat older than
 * `staleBefore`, or every running job when it is null (the embedded database
 * has one server only). Returns their ids.
 */
export async function failOrphans(db: Database, staleBefore: Date | null, reason: string): Promise<string[]> {
  const query = db('jobs').where({ status: 'running' });
  if (staleBefore) query.where('heartbeat_at', '<', staleBefore);
  const rows = await query.update({ status: 'failed', error: reason, finished_at: db.fn.now(), updated_at: db.fn.now() }).returning('id');
  return rows.map((row: { id: string }) => row.id);
}

/** Puts this server's running jobs back in the queue (a clean shutdown interrupted them). */
export async function requeue(db: Database, ids: readonly string[], owner: string): Promise<void> {
  if (ids.length === 0) return;
  await db('jobs')
    .whereIn('id', ids)
    .where({ locked_by: owner, status: 'running' })
    .update({ status: 'queued', locked_by: null, progress: 0, started_at: null, heartbeat_at: null, updated_at: db.fn.now(), log: db.raw('log || ?::jsonb', [JSON.stringify([{ at: new Date().toISOString(), message: 'interrupted by a server shutdown; queued again' }])]) });
}
