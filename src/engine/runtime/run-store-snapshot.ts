/**
 * Storing a run's snapshot: the instance row and everything it waits on, in
 * one transaction, only while this server still holds the lease.
 */
import type { Knex } from 'knex';
import type { Database } from '../../db/connect';
import { prepared } from '../../db/prepared-client';
import { settleRelatives, startCalledInstances } from './call-store';
import type { StoredRows } from './stored-rows';
import type { RunSnapshot, ServiceTaskRecord, Variables, WaitingUserTask } from './types';

/* Rows handed to the hooks are untyped table rows. */
/* eslint-disable @typescript-eslint/no-explicit-any */

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

/** The stored instance's relatives, as the instance statement returns them. */
export interface StoredInstance {
  parent_instance_id: string | null;
  /** Set whenever parent_instance_id is. */
  parent_element_id: string;
  parent_execution_id: string;
  variables: Variables;
  /** Whether the instance is due again at once (a command arrived meanwhile). */
  due: boolean;
}

/**
 * A new instance's first store: the store's statement inserts its row (and
 * the rows that go with it, such as the audit event) instead of updating it.
 */
export interface Creation {
  /** The row's columns besides those the snapshot sets (id, definition, business key, starter, variables). */
  instance: Record<string, Knex.Value>;
  /** Rows of other tables inserted in the same statement. */
  rows: { table: string; values: Record<string, Knex.Value> }[];
  /** The lease the row is inserted with when the store keeps it (a checkpoint). */
  leaseMs: number;
}

export interface StoreOptions {
  /** End the lease (a run's final store) rather than keep it (a checkpoint). */
  release: boolean;
  hooks?: StoreHooks;
  /** What is known to be stored for the instance (absent: unknown, every statement runs). */
  known?: StoredRows;
  /** Insert the instance row: the first store of an instance its run created. */
  create?: Creation;
  /** Whether a call activity started the instance (its end resumes the parent); absent: maybe. */
  child?: boolean;
}

/**
 * Stores a run's snapshot atomically, only while `owner` still holds the
 * lease. Resolves whether the instance is due again at once. The instance
 * row, applied commands, timers, subscriptions, left user tasks and history
 * go in one statement; work items, called instances, incidents and the
 * parent's or children's commands take a transaction around it.
 */
export async function storeSnapshot(db: Database, instanceId: string, owner: string, snapshot: RunSnapshot, options: StoreOptions): Promise<boolean> {
  if (!needsTransaction(snapshot, options)) return (await storeInstance(db, instanceId, owner, snapshot, options)).due;
  const hooks = options.hooks ?? {};
  return db.transaction(async (trx) => {
    const stored = await storeInstance(trx, instanceId, owner, snapshot, options);
    await storeUserTasks(trx, instanceId, snapshot, hooks);
    await startCalledInstances(trx, instanceId, snapshot);
    if (TERMINAL.includes(snapshot.status)) await settleRelatives(trx, instanceId, snapshot, stored);
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
    return stored.due;
  });
}

/** Whether anything beyond the one statement is written (settleRelatives: a child's end, a cancellation). */
function needsTransaction(snapshot: RunSnapshot, options: StoreOptions): boolean {
  const relatives = snapshot.status === 'cancelled' || (TERMINAL.includes(snapshot.status) && options.child !== false);
  return relatives || snapshot.userTasks.length > 0 || snapshot.calls.length > 0 || snapshot.incidents.length > 0;
}

/** SQL text and its bindings, in order. */
class Statement {
  readonly parts: string[] = [];
  readonly bindings: Knex.Value[] = [];

  add(sql: string, ...bindings: Knex.Value[]): this {
    this.parts.push(sql);
    this.bindings.push(...bindings);
    return this;
  }
}

/** The instance row's columns a store sets: column, SQL expression, its bindings. */
type Field = [column: string, sql: string, bindings: Knex.Value[]];

/**
 * One statement: the instance update, which checks the lease (or for a new
 * instance its insert), as the CTE `stored`, and data-modifying CTEs that
 * each change their table only if `stored` did (all on the statement's
 * snapshot, each on its own table). A lost lease changes nothing and throws.
 * Only the user tasks' work items, called instances and incidents take
 * statements of their own.
 */
async function storeInstance(
  db: Database | Knex.Transaction,
  instanceId: string,
  owner: string,
  snapshot: RunSnapshot,
  { release, known, create }: StoreOptions,
): Promise<StoredInstance> {
  const fields = instanceFields(instanceId, snapshot, release);
  if (create && !release) fields.push(['locked_by', '?', [owner]], ['locked_until', `now() + (? * interval '1 millisecond')`, [create.leaseMs]]);
  const main = create ? insertInstance(create, fields) : updateInstance(fields, instanceId, owner);
  const statement = new Statement().add(
    `stored AS (${main.sql} RETURNING parent_instance_id, parent_element_id, parent_execution_id, variables, wake_at <= now() AS due)`,
    ...main.bindings,
  );
  const cte = (sql: string, ...bindings: Knex.Value[]) => statement.add(`c${statement.parts.length} AS (${sql})`, ...bindings);
  for (const row of create?.rows ?? []) cte(...insertValues(row.table, row.values));
  dependentCtes(cte, instanceId, snapshot, known);
  const sql = `WITH ${statement.parts.join(', ')} SELECT * FROM stored`;
  const result = await prepared(db.raw(sql, statement.bindings), sql);
  if (result.rows.length !== 1) throw new LeaseLostError(instanceId);
  return result.rows[0];
}

/** The condition every dependent CTE carries: the instance row was stored (the lease held). */
const HELD = 'EXISTS (SELECT 1 FROM stored)';

function updateInstance(fields: Field[], instanceId: string, owner: string): { sql: string; bindings: Knex.Value[] } {
  return {
    sql: `UPDATE process_instances SET ${fields.map(([column, sql]) => `${column} = ${sql}`).join(', ')} WHERE id = ? AND locked_by = ?`,
    bindings: [...fields.flatMap(([, , bindings]) => bindings), instanceId, owner],
  };
}

function insertInstance(create: Creation, fields: Field[]): { sql: string; bindings: Knex.Value[] } {
  const set = new Set(fields.map(([column]) => column));
  const given: Field[] = Object.entries(create.instance)
    .filter(([column]) => !set.has(column))
    .map(([column, value]) => [column, '?', [value]]);
  const all = [...given, ...fields];
  return {
    sql: `INSERT INTO process_instances (${all.map(([column]) => column).join(', ')}) VALUES (${all.map(([, sql]) => sql).join(', ')})`,
    bindings: all.flatMap(([, , bindings]) => bindings),
  };
}

/** `INSERT INTO table (columns) VALUES (?, ...)` for one row. */
function insertValues(table: string, values: Record<string, Knex.Value>): [string, ...Knex.Value[]] {
  const columns = Object.keys(values);
  return [`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, ...Object.values(values)];
}

/** Applied commands, waits, service tasks, incidents and history: the rows that hang off the instance. */
function dependentCtes(cte: AddCte, instanceId: string, snapshot: RunSnapshot, known?: StoredRows): void {
  const terminal = TERMINAL.includes(snapshot.status);
  if (snapshot.appliedCommandIds.length) {
    cte(`UPDATE instance_commands SET processed_at = now() WHERE id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint) AND ${HELD}`, json(snapshot.appliedCommandIds));
  }
  waitCtes(cte, instanceId, snapshot, known);
  if (terminal && (!known || known.hasIncidents())) cte(`UPDATE incidents SET status = 'resolved', resolved_at = now() WHERE instance_id = ? AND status = 'open' AND ${HELD}`, instanceId);
  serviceTaskCtes(cte, instanceId, snapshot.serviceTasks, terminal, known);
  if (snapshot.history.length) {
    cte(
      `INSERT INTO instance_history (instance_id, element_id, element_type, element_name, execution_id, event, actor, at)
       SELECT ?, "elementId", "elementType", "elementName", "executionId", event, actor, at
       FROM jsonb_to_recordset(?::jsonb)
         AS h("elementId" text, "elementType" text, "elementName" text, "executionId" text, event text, actor text, at timestamptz)
       WHERE ${HELD}
       ON CONFLICT (instance_id, execution_id, event) DO NOTHING`,
      instanceId,
      json(snapshot.history),
    );
  }
}

/** The instance columns a store sets. */
function instanceFields(instanceId: string, snapshot: RunSnapshot, release: boolean): Field[] {
  const terminal = TERMINAL.includes(snapshot.status);
  const fields: Field[] = [
    ['status', '?', [snapshot.status]],
    ['engine_state', '?::jsonb', [snapshot.engineState === null ? null : json(snapshot.engineState)]],
    ['current_activities', '?::jsonb', [json(snapshot.currentActivities)]],
    ['error', '?', [snapshot.error]],
    ['updated_at', 'now()', []],
    ['ended_at', terminal ? 'now()' : 'NULL', []],
  ];
  // A checkpoint (mid-run, lease kept) leaves the instance due, so that if this server dies
  // another takes it as soon as the lease expires. A final store must not sleep through a
  // command queued while this run worked (one this statement marks processed does not count).
  if (terminal) fields.push(['wake_at', 'NULL', []]);
  else if (!release) fields.push(['wake_at', 'now()', []]);
  else {
    fields.push([
      'wake_at',
      `CASE WHEN EXISTS (SELECT 1 FROM instance_commands WHERE instance_id = ? AND processed_at IS NULL
         AND id NOT IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)) THEN now() ELSE ?::timestamptz END`,
      [instanceId, json(snapshot.appliedCommandIds), snapshot.nextWakeAt],
    ]);
  }
  if (snapshot.variables) fields.push(['variables', '?::jsonb', [json(snapshot.variables)]]);
  if (release) fields.push(['locked_by', 'NULL', []], ['locked_until', 'NULL', []]);
  return fields;
}

type AddCte = (sql: string, ...bindings: Knex.Value[]) => unknown;

/**
 * The service-task rows the run changed, and on the end the cancellation of
 * those still open. No row may be changed by two CTEs: the rows written here
 * are left out of the cancellation.
 */
function serviceTaskCtes(cte: AddCte, instanceId: string, records: ServiceTaskRecord[], terminal: boolean, known?: StoredRows): void {
  const written = records.filter((record) => record.status !== 'cancelled');
  const writtenIds = written.map((record) => record.executionId);
  const cancelled = records.filter((record) => record.status === 'cancelled').map((record) => record.executionId);
  if (terminal && (!known || known.hasOpenServiceTasksBesides(writtenIds))) {
    cte(
      `UPDATE service_tasks SET status = 'cancelled', updated_at = now()
       WHERE instance_id = ? AND status IN ('pending', 'retry_wait', 'incident', 'running')
         AND execution_id NOT IN (SELECT jsonb_array_elements_text(?::jsonb)) AND ${HELD}`,
      instanceId,
      json(writtenIds),
    );
  } else if (!terminal && cancelled.length) {
    cte(
      `UPDATE service_tasks SET status = 'cancelled', updated_at = now()
       WHERE instance_id = ? AND status IN ('pending', 'retry_wait', 'incident')
         AND execution_id IN (SELECT jsonb_array_elements_text(?::jsonb)) AND ${HELD}`,
      instanceId,
      json(cancelled),
    );
  }
  if (!written.length) return;
  // An external task's row belongs to its workers once created: it is only inserted.
  cte(
    `INSERT INTO service_tasks (id, instance_id, element_id, execution_id, topic, external, variables, status, attempts,
       retry_at, error_message, error_code, result)
     SELECT id, ?, "elementId", "executionId", topic, external, variables, status, attempts, "retryAt", "errorMessage", "errorCode", result
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, "elementId" text, "executionId" text, topic text, external boolean,
       variables jsonb, status text, attempts integer, "retryAt" timestamptz, "errorMessage" text, "errorCode" text, result jsonb)
     WHERE ${HELD}
     ON CONFLICT (instance_id, execution_id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
       retry_at = EXCLUDED.retry_at, error_message = EXCLUDED.error_message, error_code = EXCLUDED.error_code,
       result = EXCLUDED.result, updated_at = now()
     WHERE NOT EXCLUDED.external`,
    instanceId,
    json(written.map((record) => ({ ...record, id: crypto.randomUUID() }))),
  );
}

/** Replaces the stored timers and subscriptions; cancels the work items of user tasks that were left. */
function waitCtes(cte: AddCte, instanceId: string, snapshot: RunSnapshot, known?: StoredRows): void {
  if (!known || known.hasTimers()) cte(`DELETE FROM timers WHERE instance_id = ? AND ${HELD}`, instanceId);
  if (snapshot.timers.length) {
    cte(
      `INSERT INTO timers (instance_id, element_id, execution_id, due_at)
       SELECT ?, "elementId", "executionId", "dueAt" FROM jsonb_to_recordset(?::jsonb) AS t("elementId" text, "executionId" text, "dueAt" timestamptz)
       WHERE ${HELD}`,
      instanceId,
      json(snapshot.timers),
    );
  }
  if (!known || known.hasSubscriptions()) cte(`DELETE FROM event_subscriptions WHERE instance_id = ? AND ${HELD}`, instanceId);
  if (snapshot.subscriptions.length) {
    cte(
      `INSERT INTO event_subscriptions (instance_id, kind, name, ref_id, element_id, execution_id)
       SELECT ?, kind, name, "refId", "elementId", "executionId"
       FROM jsonb_to_recordset(?::jsonb) AS s(kind text, name text, "refId" text, "elementId" text, "executionId" text)
       WHERE ${HELD}`,
      instanceId,
      json(snapshot.subscriptions),
    );
  }
  if (known && !known.hasUserTasks()) return;
  cte(
    `UPDATE user_tasks SET status = 'cancelled', completed_at = now()
     WHERE instance_id = ? AND status = 'open' AND execution_id IS NOT NULL
       AND execution_id NOT IN (SELECT jsonb_array_elements_text(?::jsonb)) AND ${HELD}`,
    instanceId,
    json(snapshot.userTasks.map((task) => task.executionId)),
  );
}

/** Opens the work items of user tasks that began waiting (storeInstance cancelled those left). */
async function storeUserTasks(trx: Knex.Transaction, instanceId: string, snapshot: RunSnapshot, hooks: StoreHooks): Promise<void> {
  const waiting = snapshot.userTasks.map((task) => task.executionId);
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
