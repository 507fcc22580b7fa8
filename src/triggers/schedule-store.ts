/**
 * SQL of `schedules` and `schedule_fires`.
 *
 * Glossary:
 * - schedule: a cron expression in a time zone that starts instances of a
 *   process (its latest version) with fixed variables and business key.
 * - origin: `api` (created over REST) or `definition` (a cron timer start
 *   event of the process's latest version; replaced when a new version deploys).
 * - fire: one point in time the cron expression matches. A fire is claimed
 *   by inserting its key into `schedule_fires`; the insert that wins starts
 *   the instance, every other replica's insert does nothing.
 * - fires_from: fires before it (the schedule's creation or last resume) are
 *   never caught up.
 */
import type { Knex } from 'knex';
import type { Variables } from '../engine/runtime/types';

export type ScheduleStatus = 'active' | 'paused';
export type ScheduleOrigin = 'api' | 'definition';

export interface Schedule {
  id: string;
  processKey: string;
  cron: string;
  timezone: string;
  variables: Variables;
  businessKey: string | null;
  status: ScheduleStatus;
  origin: ScheduleOrigin;
  definitionId: string | null;
  startEventId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  firesFrom: Date;
  lastFireAt: Date | null;
  lastInstanceId: string | null;
  revision: number;
}

export type NewSchedule = Pick<Schedule, 'processKey' | 'cron' | 'timezone' | 'variables' | 'businessKey' | 'origin' | 'definitionId' | 'startEventId' | 'createdBy'> & {
  status?: ScheduleStatus;
};

export type ScheduleChanges = Partial<Pick<Schedule, 'cron' | 'timezone' | 'variables' | 'businessKey'>>;

type Db = Knex | Knex.Transaction;

const date = (value: unknown) => (value ? new Date(value as string) : null);

function toSchedule(row: Record<string, any>): Schedule {
  return {
    id: row.id,
    processKey: row.process_key,
    cron: row.cron,
    timezone: row.timezone,
    variables: row.variables,
    businessKey: row.business_key,
    status: row.status,
    origin: row.origin,
    definitionId: row.definition_id,
    startEventId: row.start_event_id,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    firesFrom: new Date(row.fires_from),
    lastFireAt: date(row.last_fire_at),
    lastInstanceId: row.last_instance_id,
    revision: row.revision,
  };
}

export async function insertSchedule(trx: Db, schedule: NewSchedule): Promise<Schedule> {
  const [row] = await trx('schedules')
    .insert({
      id: crypto.randomUUID(),
      process_key: schedule.processKey,
      cron: schedule.cron,
      timezone: schedule.timezone,
      variables: JSON.stringify(schedule.variables),
      business_key: schedule.businessKey,
      status: schedule.status ?? 'active',
      origin: schedule.origin,
      definition_id: schedule.definitionId,
      start_event_id: schedule.startEventId,
      created_by: schedule.createdBy,
    })
    .returning('*');
  return toSchedule(row);
}

export async function findSchedule(db: Db, id: string, forUpdate = false): Promise<Schedule | null> {
  const query = db('schedules').where({ id }).first();
  if (forUpdate) query.forUpdate();
  const row = await query;
  return row ? toSchedule(row) : null;
}

export interface ScheduleFilter {
  processKey?: string;
  status?: ScheduleStatus;
  origin?: ScheduleOrigin;
  /** Only the schedules this user created (contributors). */
  createdBy?: string;
  limit: number;
  offset: number;
}

export async function listSchedules(db: Db, filter: ScheduleFilter): Promise<{ items: Schedule[]; total: number }> {
  const query = db('schedules');
  if (filter.processKey) query.where('process_key', filter.processKey);
  if (filter.status) query.where('status', filter.status);
  if (filter.origin) query.where('origin', filter.origin);
  if (filter.createdBy) query.where('created_by', filter.createdBy);
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query.orderBy([{ column: 'process_key' }, { column: 'created_at' }]).limit(filter.limit).offset(filter.offset).select('*');
  return { items: rows.map(toSchedule), total: Number(count) };
}

/** Every schedule (the scheduler's reload). */
export async function allSchedules(db: Db): Promise<Schedule[]> {
  return (await db('schedules').select('*')).map(toSchedule);
}

/** id → revision of every schedule: what the scheduler polls. */
export async function scheduleRevisions(db: Db): Promise<Map<string, number>> {
  const rows: { id: string; revision: number }[] = await db('schedules').select('id', 'revision');
  return new Map(rows.map((row) => [row.id, row.revision]));
}

export async function updateSchedule(trx: Db, id: string, changes: ScheduleChanges & { status?: ScheduleStatus; firesFrom?: 'now' }): Promise<Schedule> {
  const [row] = await trx('schedules')
    .where({ id })
    .update({
      ...(changes.cron !== undefined && { cron: changes.cron }),
      ...(changes.timezone !== undefined && { timezone: changes.timezone }),
      ...(changes.variables !== undefined && { variables: JSON.stringify(changes.variables) }),
      ...(changes.businessKey !== undefined && { business_key: changes.businessKey }),
      ...(changes.status !== undefined && { status: changes.status }),
      ...(changes.firesFrom && { fires_from: trx.fn.now() }),
      updated_at: trx.fn.now(),
      revision: trx.raw('revision + 1'),
    })
    .returning('*');
  return toSchedule(row);
}

export async function deleteSchedule(trx: Db, id: string): Promise<void> {
  await trx('schedules').where({ id }).del();
}

/** The definition-owned schedules of a process key. */
export async function definitionSchedules(trx: Db, processKey: string): Promise<Schedule[]> {
  return (await trx('schedules').where({ process_key: processKey, origin: 'definition' }).select('*')).map(toSchedule);
}

/**
 * Claims a fire: true for exactly one caller per key, whichever replica it
 * runs on (a concurrent insert of the same key waits for the first to
 * commit, then does nothing). A claim whose replica died before starting the
 * instance (no instance, no error after `ttlMs`) may be taken over, so a
 * crash between claim and start loses no fire. False for a deleted schedule.
 */
export async function claimFire(db: Db, claim: { fireKey: string; scheduleId: string; fireAt: Date; owner: string; ttlMs: number }): Promise<boolean> {
  const result = await db.raw(
    `INSERT INTO schedule_fires (fire_key, schedule_id, fire_at, claimed_by)
     SELECT ?, id, ?, ? FROM schedules WHERE id = ?
     ON CONFLICT (fire_key) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = now()
       WHERE schedule_fires.instance_id IS NULL AND schedule_fires.error IS NULL
         AND schedule_fires.claimed_at < now() - (? * interval '1 millisecond')
     RETURNING fire_key`,
    [claim.fireKey, claim.fireAt, claim.owner, claim.scheduleId, claim.ttlMs],
  );
  return result.rows.length === 1;
}

/** Records the outcome of a claimed fire and the schedule's last fire. */
export async function recordFire(trx: Db, scheduleId: string, fireKey: string, fireAt: Date, outcome: { instanceId: string } | { error: string }): Promise<void> {
  const instanceId = 'instanceId' in outcome ? outcome.instanceId : null;
  await trx('schedule_fires')
    .where({ fire_key: fireKey })
    .update({ instance_id: instanceId, error: 'error' in outcome ? outcome.error.slice(0, 2000) : null });
  await trx('schedules')
    .where({ id: scheduleId })
    .andWhere((q) => q.whereNull('last_fire_at').orWhere('last_fire_at', '<=', fireAt))
    .update({ last_fire_at: fireAt, ...(instanceId && { last_instance_id: instanceId }) });
}

/** Fires older than `before` are history nobody reads; the schedule row keeps the last one. */
export async function pruneFires(db: Db, before: Date): Promise<number> {
  return db('schedule_fires').where('fire_at', '<', before).del();
}

export interface ScheduleFire {
  fireAt: Date;
  instanceId: string | null;
  claimedBy: string;
  error: string | null;
}

/** The newest fires of a schedule. */
export async function recentFires(db: Db, scheduleId: string, limit: number): Promise<ScheduleFire[]> {
  const rows = await db('schedule_fires').where({ schedule_id: scheduleId }).orderBy('fire_at', 'desc').limit(limit).select('*');
  return rows.map((row) => ({ fireAt: new Date(row.fire_at), instanceId: row.instance_id, claimedBy: row.claimed_by, error: row.error }));
}
