import type { Knex } from 'knex';
import { recordAudit } from '../../audit/audit-store';
import type { Database } from '../../db/connect';
import type { ActionContext } from '../../identity/actor';
import { ConflictError, NotFoundError } from '../../errors';
import type { InstanceRunner } from '../runtime/instance-runner';
import { queueCommand, StoreHooks } from '../runtime/run-store';
import type { Variables } from '../runtime/types';

export interface TopicRequest {
  topicName: string;
  lockDuration: number;
}

export interface LockedTask {
  id: string;
  topicName: string;
  workerId: string;
  lockExpirationTime: Date;
  processInstanceId: string;
  processDefinitionKey: string;
  businessKey: string | null;
  activityId: string;
  activityInstanceId: string;
  variables: Variables;
  retries: number | null;
  errorMessage: string | null;
}

const ms = (trx: Knex | Knex.Transaction, value: number) => trx.raw(`now() + (? * interval '1 millisecond')`, [value]);

/**
 * External tasks, Camunda-style (SPEC §5.1): workers fetch and lock tasks of
 * their topics, then complete them, report a failure or a BPMN error. A lock
 * that expires makes the task fetchable again.
 */
export class ExternalTaskService {
  constructor(
    private readonly db: Database,
    private readonly runner: InstanceRunner,
    private readonly hooks: StoreHooks = {},
  ) {}

  async fetchAndLock(context: ActionContext, workerId: string, maxTasks: number, topics: TopicRequest[]): Promise<LockedTask[]> {
    return this.db.transaction(async (trx) => {
      const locked = await this.lockTasks(trx, workerId, maxTasks, topics);
      if (locked.length) {
        await recordAudit(trx, context, { action: 'external-task.lock', entityType: 'worker', entityId: workerId, after: { tasks: locked.map((t) => t.id) } });
      }
      return locked;
    });
  }

  private async lockTasks(trx: Knex.Transaction, workerId: string, maxTasks: number, topics: TopicRequest[]): Promise<LockedTask[]> {
    const locked: LockedTask[] = [];
    for (const topic of topics) {
      if (locked.length >= maxTasks) break;
      const result = await trx.raw(
        `UPDATE service_tasks SET worker_id = ?, lock_expires_at = now() + (? * interval '1 millisecond'), updated_at = now()
         WHERE id IN (
           SELECT id FROM service_tasks
           WHERE external AND status = 'pending' AND topic = ?
             AND (lock_expires_at IS NULL OR lock_expires_at < now())
             AND (retry_at IS NULL OR retry_at <= now())
           ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [workerId, topic.lockDuration, topic.topicName, maxTasks - locked.length],
      );
      const ids = result.rows.map((row: { id: string }) => row.id);
      if (!ids.length) continue;
      const rows = await trx('service_tasks as t')
        .join('process_instances as i', 'i.id', 't.instance_id')
        .whereIn('t.id', ids)
        .select('t.*', 'i.process_key', 'i.business_key');
      for (const row of rows) {
        locked.push({
          id: row.id,
          topicName: row.topic,
          workerId,
          lockExpirationTime: new Date(row.lock_expires_at),
          processInstanceId: row.instance_id,
          processDefinitionKey: row.process_key,
          businessKey: row.business_key,
          activityId: row.element_id,
          activityInstanceId: row.execution_id,
          variables: row.variables,
          retries: row.retries,
          errorMessage: row.error_message,
        });
      }
    }
    return locked;
  }

  async complete(context: ActionContext, id: string, workerId: string, variables: Variables): Promise<void> {
    await this.withLock(context, 'external-task.complete', id, workerId, async (trx, task) => {
      await trx('service_tasks').where({ id }).update({ status: 'completed', result: JSON.stringify(variables), lock_expires_at: null, updated_at: trx.fn.now() });
      await queueCommand(trx, task.instance_id, { type: 'wake', payload: {} });
    });
  }

  async handleBpmnError(context: ActionContext, id: string, workerId: string, errorCode: string, errorMessage: string | null, variables: Variables): Promise<void> {
    await this.withLock(context, 'external-task.bpmn-error', id, workerId, async (trx, task) => {
      await trx('service_tasks').where({ id }).update({
        status: 'bpmn_error',
        error_code: errorCode,
        error_message: errorMessage,
        result: JSON.stringify(variables),
        lock_expires_at: null,
        updated_at: trx.fn.now(),
      });
      await queueCommand(trx, task.instance_id, { type: 'wake', payload: {} });
    });
  }

  /** retries > 0: fetchable again after retryTimeout; retries = 0: an incident. */
  async handleFailure(context: ActionContext, id: string, workerId: string, errorMessage: string, retries: number, retryTimeout: number): Promise<void> {
    await this.withLock(context, 'external-task.failure', id, workerId, async (trx, task) => {
      if (retries > 0) {
        await trx('service_tasks').where({ id }).update({
          error_message: errorMessage,
          retries,
          retry_at: ms(trx, retryTimeout),
          worker_id: null,
          lock_expires_at: null,
          updated_at: trx.fn.now(),
        });
        return;
      }
      await trx('service_tasks').where({ id }).update({ status: 'incident', error_message: errorMessage, retries: 0, lock_expires_at: null, updated_at: trx.fn.now() });
      const opened = await trx('incidents').insert(
        {
          id: crypto.randomUUID(),
          instance_id: task.instance_id,
          element_id: task.element_id,
          execution_id: task.execution_id,
          type: 'failed-external-task',
          message: `${task.topic} failed: ${errorMessage}`,
        },
        '*',
      );
      await this.hooks.incidentsOpened?.(trx, opened);
      await queueCommand(trx, task.instance_id, { type: 'wake', payload: {} });
    });
  }

  async extendLock(context: ActionContext, id: string, workerId: string, newDuration: number): Promise<void> {
    await this.withLock(context, 'external-task.extend-lock', id, workerId, async (trx) => {
      await trx('service_tasks').where({ id }).update({ lock_expires_at: ms(trx, newDuration), updated_at: trx.fn.now() });
    });
  }

  /** Runs `change` only while `workerId` holds an unexpired lock on a pending task (else 404/409). */
  private async withLock(
    context: ActionContext,
    action: string,
    id: string,
    workerId: string,
    change: (trx: Knex.Transaction, task: Record<string, any>) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (trx) => {
      const task = await trx('service_tasks')
        .where({ id, external: true })
        .forUpdate()
        .first('*', trx.raw('(lock_expires_at IS NOT NULL AND lock_expires_at > now()) AS lock_valid'));
      if (!task) throw new NotFoundError('external task', id);
      if (task.status !== 'pending') throw new ConflictError(`external task ${id} is ${task.status}`, { status: task.status });
      if (task.worker_id !== workerId || !task.lock_valid) {
        throw new ConflictError(`worker ${workerId} does not hold the lock on external task ${id}`, { lockedBy: task.lock_valid ? task.worker_id : null });
      }
      await change(trx, task);
      const after = await trx('service_tasks').where({ id }).first('status', 'retries', 'retry_at', 'lock_expires_at', 'error_code', 'error_message');
      await recordAudit(trx, context, { action, entityType: 'external_task', entityId: id, before: { status: task.status, workerId }, after });
    });
    this.runner.poke();
  }
}
