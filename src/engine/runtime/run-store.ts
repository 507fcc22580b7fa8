/**
 * The SQL of advancing instances: claiming a lease, loading what a run needs,
 * queueing commands and storing a run's snapshot in one transaction.
 */
import type { Knex } from 'knex';
import type { Database } from '../../db/connect';
import { settleRelatives, startCalledInstances } from './call-store';
import type { Command, InstanceForRun, RunSnapshot, ServiceTaskRecord, Variables, WaitingUserTask } from './types';

export { queueCommand } from './run-store-commands';

/**
 * What other capabilities add to a stored run, inside its transaction: the
 * work-item product fills in context and policies and sends mail; incidents
 * get review work items.
 */
export interface StoreHooks {
  prepareUserTasks?(trx: Knex.Transaction, instanceId: string, variables: Variables | null, rows: Record<string, unknown>[]): Promise<void>;
  userTasksCreated?(trx: Knex.Transaction, rows: Record<string, any>[]): Promise<void>;
  incidentsOpened?(trx: Knex.Transaction, incidents: Record<string, any>[]): Promise<void>;
}

/** The lease was taken over by another server: this run's result is discarded. */
export class LeaseLostError extends Error {
  constructor(public readonly instanceId: string) {
    super(`lease on instance ${instanceId} was lost`);
  }
}

const json = (value: unknown) => JSON.stringify(value);
const TERMINAL = ['completed', 'cancelled', 'failed'];

/** Claims up to `limit` instances that need advancing and are not leased. */
export async function claimDueInstances(db: Database, owner: string, leaseMs: number, limit: number): Promise<string[]> {
  const result = await db.raw(
    `UPDATE process_instances SET locked_by = ?, locked_until = now() + (? * interval '1 millisecond')
     WHERE id IN (
       SELECT id FROM process_instances
       WHERE wake_at <= now() AND (locked_until IS NULL OR locked_until < now())
       ORDER BY wake_at LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [owner, leaseMs, limit],
  );
  return result.rows.map((row: { id: string }) => row.id);
}

/** Claims one instance if it needs advancing and nobody holds it. */
export async function claimInstance(db: Database, id: string, owner: string, leaseMs: number): Promise<boolean> {
  const result = await db.raw(
    `UPDATE process_instances SET locked_by = ?, locked_until = now() + (? * interval '1 millisecond')
     WHERE id = ? AND wake_at <= now() AND (locked_until IS NULL OR locked_until < now())
     RETURNING id`,
    [owner, leaseMs, id],
  );
  return result.rows.length === 1;
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

/** Everything a run needs: the instance, its definition's XML, pending commands and service-task rows. */
export async function loadRunInput(
  db: Database,
  id: string,
): Promise<{ instance: InstanceForRun; commands: Command[]; serviceTasks: ServiceTaskRecord[] } | null> {
  const row = await db('process_instances as i')
    .join('process_definitions as d', 'd.id', 'i.definition_id')
    .where('i.id', id)
    .first('i.id', 'i.process_key', 'i.business_key', 'i.engine_state', 'i.status', 'd.xml');
  if (!row) return null;
  const commands = await db('instance_commands')
    .where({ instance_id: id })
    .whereNull('processed_at')
    .orderBy('id')
    .select('id', 'type', 'payload');
  const tasks = await db('service_tasks').where({ instance_id: id }).whereNot('status', 'cancelled');
  return {
    instance: { id: row.id, processKey: row.process_key, businessKey: row.business_key, xml: row.xml, engineState: row.engine_state, status: row.status },
    commands: commands.map((c) => ({ id: String(c.id), type: c.type, payload: c.payload }) as Command),
    serviceTasks: tasks.map(toServiceTaskRecord),
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

/**
 * Stores a run's snapshot: instance state and everything it waits on, in one
 * transaction, only while `owner` still holds the lease. `release` ends the lease.
 */
export async function storeSnapshot(
  db: Database,
  instanceId: string,
  owner: string,
  snapshot: RunSnapshot,
  release: boolean,
  hooks: StoreHooks = {},
): Promise<void> {
  await db.transaction(async (trx) => {
    if (snapshot.appliedCommandIds.length) {
      await trx('instance_commands').whereIn('id', snapshot.appliedCommandIds).update({ processed_at: trx.fn.now() });
    }
    await updateInstance(trx, instanceId, owner, snapshot, release);
    await storeWaits(trx, instanceId, snapshot);
    await storeUserTasks(trx, instanceId, snapshot, hooks);
    await startCalledInstances(trx, instanceId, snapshot);
    if (TERMINAL.includes(snapshot.status)) await settleRelatives(trx, instanceId, snapshot);
    await storeServiceTasks(trx, instanceId, snapshot.serviceTasks);
    if (snapshot.incidents.length) {
      const opened = await trx('incidents').insert(
        snapshot.incidents.map((incident) => ({
          id: crypto.randomUUID(),
          instance_id: instanceId,
          element_id: incident.elementId,
          execution_id: incident.executionId,
          type: incident.type,
          message: incident.message,
        })),
        '*',
      );
      await hooks.incidentsOpened?.(trx, opened);
    }
    if (snapshot.history.length) {
      await trx('instance_history')
        .insert(
          snapshot.history.map((entry) => ({
            instance_id: instanceId,
            element_id: entry.elementId,
            element_type: entry.elementType,
            element_name: entry.elementName,
            execution_id: entry.executionId,
            event: entry.event,
            actor: entry.actor,
            at: entry.at,
          })),
        )
        .onConflict(['instance_id', 'execution_id', 'event'])
        .ignore();
    }
  });
}

async function updateInstance(
  trx: Knex.Transaction,
  instanceId: string,
  owner: string,
  snapshot: RunSnapshot,
  release: boolean,
): Promise<void> {
  const terminal = TERMINAL.includes(snapshot.status);
  const changes: Record<string, unknown> = {
    status: snapshot.status,
    engine_state: snapshot.engineState === null ? null : json(snapshot.engineState),
    current_activities: json(snapshot.currentActivities),
    error: snapshot.error,
    updated_at: trx.fn.now(),
    ended_at: terminal ? trx.fn.now() : null,
    // A checkpoint (mid-run, lease kept) leaves the instance due, so that if this server dies
    // another takes it as soon as the lease expires. A final store must not sleep through a
    // command queued while this run worked.
    wake_at: terminal
      ? null
      : !release
        ? trx.fn.now()
        : trx.raw(
            `CASE WHEN EXISTS (SELECT 1 FROM instance_commands WHERE instance_id = ? AND processed_at IS NULL) THEN now() ELSE ?::timestamptz END`,
            [instanceId, snapshot.nextWakeAt],
          ),
  };
  if (snapshot.variables) changes.variables = json(snapshot.variables);
  if (release) Object.assign(changes, { locked_by: null, locked_until: null });
  const updated = await trx('process_instances').where({ id: instanceId, locked_by: owner }).update(changes);
  if (updated !== 1) throw new LeaseLostError(instanceId);
}

async function storeWaits(trx: Knex.Transaction, instanceId: string, snapshot: RunSnapshot): Promise<void> {
  await trx('timers').where({ instance_id: instanceId }).del();
  if (snapshot.timers.length) {
    await trx('timers').insert(
      snapshot.timers.map((t) => ({ instance_id: instanceId, element_id: t.elementId, execution_id: t.executionId, due_at: t.dueAt })),
    );
  }
  await trx('event_subscriptions').where({ instance_id: instanceId }).del();
  if (snapshot.subscriptions.length) {
    await trx('event_subscriptions').insert(
      snapshot.subscriptions.map((s) => ({
        instance_id: instanceId,
        kind: s.kind,
        name: s.name,
        ref_id: s.refId,
        element_id: s.elementId,
        execution_id: s.executionId,
      })),
    );
  }
  if (TERMINAL.includes(snapshot.status)) {
    await trx('incidents').where({ instance_id: instanceId, status: 'open' }).update({ status: 'resolved', resolved_at: trx.fn.now() });
    await trx('service_tasks')
      .where({ instance_id: instanceId })
      .whereIn('status', ['pending', 'retry_wait', 'incident', 'running'])
      .update({ status: 'cancelled', updated_at: trx.fn.now() });
  }
}

/** Opens the work items of user tasks that began waiting; cancels those whose task was left. */
async function storeUserTasks(trx: Knex.Transaction, instanceId: string, snapshot: RunSnapshot, hooks: StoreHooks): Promise<void> {
  const waiting = snapshot.userTasks.map((task) => task.executionId);
  await trx('user_tasks')
    .where({ instance_id: instanceId, status: 'open' })
    .whereNotNull('execution_id')
    .whereNotIn('execution_id', waiting)
    .update({ status: 'cancelled', completed_at: trx.fn.now() });
  if (!waiting.length) return;
  const existing = new Set(await trx('user_tasks').where({ instance_id: instanceId }).whereIn('execution_id', waiting).pluck('execution_id'));
  const rows = snapshot.userTasks.filter((task) => !existing.has(task.executionId)).map((task) => userTaskRow(instanceId, task));
  if (!rows.length) return;
  await hooks.prepareUserTasks?.(trx, instanceId, snapshot.variables, rows);
  const created = await trx('user_tasks').insert(rows).onConflict(['instance_id', 'execution_id']).ignore().returning('*');
  if (created.length) await hooks.userTasksCreated?.(trx, created);
}

function userTaskRow(instanceId: string, task: WaitingUserTask): Record<string, unknown> {
  return {
    id: crypto.randomUUID(),
    instance_id: instanceId,
    element_id: task.elementId,
    execution_id: task.executionId,
    name: task.name,
    documentation: task.documentation,
    candidate_groups: json(task.candidateGroups),
    candidate_users: json(task.candidateUsers),
    assignee: task.assignee,
    due_date: task.dueDate,
    priority: task.priority,
    form_key: task.formKey,
    form_fields: json(task.formFields),
  };
}

async function storeServiceTasks(trx: Knex.Transaction, instanceId: string, records: ServiceTaskRecord[]): Promise<void> {
  for (const record of records) {
    const key = { instance_id: instanceId, execution_id: record.executionId };
    if (record.status === 'cancelled') {
      await trx('service_tasks')
        .where(key)
        .whereIn('status', ['pending', 'retry_wait', 'incident'])
        .update({ status: 'cancelled', updated_at: trx.fn.now() });
      continue;
    }
    const row = {
      ...key,
      id: crypto.randomUUID(),
      element_id: record.elementId,
      topic: record.topic,
      external: record.external,
      variables: json(record.variables),
      status: record.status,
      attempts: record.attempts,
      retry_at: record.retryAt,
      error_message: record.errorMessage,
      error_code: record.errorCode,
      result: record.result === null ? null : json(record.result),
    };
    const insert = trx('service_tasks').insert(row).onConflict(['instance_id', 'execution_id']);
    // An external task's row belongs to its workers once created.
    if (record.external) await insert.ignore();
    else
      await insert.merge(['status', 'attempts', 'retry_at', 'error_message', 'error_code', 'result', 'updated_at']);
  }
}
