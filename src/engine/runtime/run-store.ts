/**
 * The SQL of advancing instances: claiming a lease and loading what a run
 * needs. Queueing commands and storing a run's snapshot have their own files.
 */
import type { Database } from '../../db/connect';
import { prepared } from '../../db/prepared-client';
import type { Command, InstanceForRun, ServiceTaskRecord } from './types';

export { queueCommand } from './run-store-commands';
export { LeaseLostError, storeSnapshot, type Creation, type StoreHooks } from './run-store-snapshot';

/** Claims up to `limit` instances that need advancing and are not leased. */
export async function claimDueInstances(db: Database, owner: string, leaseMs: number, limit: number): Promise<string[]> {
  const result = await prepared(
    db.raw(
      `UPDATE process_instances SET locked_by = ?, locked_until = now() + (? * interval '1 millisecond')
       WHERE id IN (
         SELECT id FROM process_instances
         WHERE wake_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY wake_at LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [owner, leaseMs, limit],
    ),
  );
  return result.rows.map((row: { id: string }) => row.id);
}

/** Claims one instance if it needs advancing and nobody holds it; returns what its run needs. */
export async function claimInstance(db: Database, id: string, owner: string, leaseMs: number): Promise<RunInput | null> {
  const result = await prepared(
    db.raw(
      `WITH claimed AS (
         UPDATE process_instances SET locked_by = ?, locked_until = now() + (? * interval '1 millisecond')
         WHERE id = ? AND wake_at <= now() AND (locked_until IS NULL OR locked_until < now())
         RETURNING id)
       ${RUN_INPUT_SELECT} JOIN claimed USING (id)`,
      [owner, leaseMs, id],
    ),
  );
  return result.rows[0] ? toRunInput(result.rows[0]) : null;
}

/** Extends the leases this server holds while it works on them. */
export async function renewLeases(db: Database, ids: string[], owner: string, leaseMs: number): Promise<void> {
  if (!ids.length) return;
  await db('process_instances')
    .whereIn('id', ids)
    .andWhere('locked_by', owner)
    .update({ locked_until: db.raw(`now() + (? * interval '1 millisecond')`, [leaseMs]) });
}

/** Gives an instance back without changes (the run failed unexpectedly); retried after `delayMs`. */
export async function releaseInstance(db: Database, id: string, owner: string, delayMs: number): Promise<void> {
  await db('process_instances')
    .where({ id, locked_by: owner })
    .update({
      locked_by: null,
      locked_until: null,
      wake_at: db.raw(`now() + (? * interval '1 millisecond')`, [delayMs]),
    });
}

/** What one run needs: the instance, its pending commands and service-task rows. */
export interface RunInput {
  instance: InstanceForRun;
  commands: Command[];
  serviceTasks: ServiceTaskRecord[];
}

/** The instance with its pending commands and (once it has run; a new one has none) its service tasks. */
const RUN_INPUT_SELECT = `SELECT i.id, i.process_key, i.business_key, i.definition_id, i.engine_state, i.status, i.parent_instance_id,
  (SELECT coalesce(json_agg(json_build_object('id', c.id::text, 'type', c.type, 'payload', c.payload) ORDER BY c.id), '[]')
     FROM instance_commands c WHERE c.instance_id = i.id AND c.processed_at IS NULL) AS commands,
  CASE WHEN i.engine_state IS NULL THEN '[]' ELSE
    (SELECT coalesce(json_agg(s), '[]') FROM service_tasks s WHERE s.instance_id = i.id AND s.status <> 'cancelled') END AS service_tasks
  FROM process_instances i`;

/** Everything a run needs, in one query. */
export async function loadRunInput(db: Database, id: string): Promise<RunInput | null> {
  const result = await prepared(db.raw(`${RUN_INPUT_SELECT} WHERE i.id = ?`, [id]));
  return result.rows[0] ? toRunInput(result.rows[0]) : null;
}

function toRunInput(row: Record<string, any>): RunInput {
  return {
    instance: {
      id: row.id,
      processKey: row.process_key,
      businessKey: row.business_key,
      definitionId: row.definition_id,
      engineState: row.engine_state,
      status: row.status,
      parentInstanceId: row.parent_instance_id,
    },
    commands: row.commands as Command[],
    serviceTasks: row.service_tasks.map(toServiceTaskRecord),
  };
}

function toServiceTaskRecord(row: Record<string, any>): ServiceTaskRecord {
  return {
    elementId: row.element_id,
    executionId: row.execution_id,
    topic: row.topic,
    external: row.external,
    variables: row.variables,
    status: row.status,
    attempts: row.attempts,
    retryAt: row.retry_at ? new Date(row.retry_at) : null,
    errorMessage: row.error_message,
    errorCode: row.error_code,
    result: row.result,
  };
}

