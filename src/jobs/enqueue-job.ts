/**
 * Queues a job for REST callers and service tasks alike: one audited insert,
 * the runner poked; a service task's idempotency key finds the job a
 * re-invoked task started before (also when two invocations race).
 */
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { findInstance } from '../engine/instances/instance-store';
import type { ActionContext } from '../identity/actor';
import { findUser } from '../identity/user-store';
import type { JobRunner } from './job-runner';
import { findJobByKey, insertJob, type Job } from './job-store';

/** Where a job request comes from when a service task makes it. */
export interface JobOrigin {
  idempotencyKey: string;
  processInstanceId: string;
}

export interface JobRequest {
  type: string;
  modelId: string | null;
  params: Record<string, unknown>;
  origin?: JobOrigin;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';

/** The job a service task already started (same idempotency key), or null. */
export async function existingJob(db: Database, origin: JobOrigin | undefined): Promise<Job | null> {
  return origin ? findJobByKey(db, origin.idempotencyKey) : null;
}

/** Inserts the job (requested by the actor, else by whoever started the process instance) and pokes the runner. */
export async function enqueueJob(db: Database, jobs: JobRunner, context: ActionContext, request: JobRequest): Promise<Job> {
  const { type, modelId, params, origin } = request;
  const requestedBy = context.actor?.id ?? (origin ? await instanceStarter(db, origin.processInstanceId) : null);
  try {
    const job = await db.transaction(async (trx) => {
      const job = await insertJob(trx, { type, requestedBy, modelId, processInstanceId: origin?.processInstanceId ?? null, idempotencyKey: origin?.idempotencyKey ?? null, params });
      await recordAudit(trx, context, { action: 'job.create', entityType: 'job', entityId: job.id, after: { type, params, processInstanceId: job.processInstanceId } });
      return job;
    });
    jobs.poke();
    return job;
  } catch (err) {
    // Two invocations of the same service task raced: the other one's job is ours.
    const raced = origin && isUniqueViolation(err) ? await findJobByKey(db, origin.idempotencyKey) : null;
    if (raced) return raced;
    throw err;
  }
}

/** The user who started the process instance, when it still exists (jobs of service tasks are theirs). */
async function instanceStarter(db: Database, instanceId: string): Promise<string | null> {
  const startedBy = (await findInstance(db, instanceId))?.startedBy;
  if (!startedBy || !/^[0-9a-f-]{36}$/i.test(startedBy)) return null;
  return (await findUser(db, startedBy)) ? startedBy : null;
}
