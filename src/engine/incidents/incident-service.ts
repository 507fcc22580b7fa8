import { recordAudit } from '../../audit/audit-store';
import type { Knex } from 'knex';
import type { Database } from '../../db/connect';
import type { ActionContext } from '../../identity/actor';
import { camelRow } from '../../db/rows';
import { ConflictError, NotFoundError } from '../../errors';
import type { InstanceService } from '../instances/instance-service';

export interface IncidentFilter {
  status?: 'open' | 'resolved';
  processInstanceId?: string;
  limit: number;
  offset: number;
}

/** Incidents: service tasks that failed past their retries and wait for a person (SPEC §4). */
export class IncidentService {
  constructor(
    private readonly db: Database,
    private readonly instances: InstanceService,
    private readonly retryCount: number,
  ) {}

  async list(filter: IncidentFilter) {
    const query = this.db('incidents as n').join('process_instances as i', 'i.id', 'n.instance_id');
    if (filter.status) query.where('n.status', filter.status);
    if (filter.processInstanceId) query.where('n.instance_id', filter.processInstanceId);
    const [{ count }] = await query.clone().count({ count: '*' });
    const rows = await query
      .orderBy('n.created_at', 'desc')
      .limit(filter.limit)
      .offset(filter.offset)
      .select('n.id', 'n.instance_id as process_instance_id', 'i.process_key', 'n.element_id', 'n.type', 'n.message', 'n.status', 'n.created_at', 'n.resolved_at');
    return { items: rows.map((row) => camelRow(row)), total: Number(count) };
  }

  /** Gives the failed task one more attempt now and resolves the incident. */
  async retry(context: ActionContext, id: string): Promise<void> {
    const instanceId = await this.db.transaction((trx) => this.retryIn(trx, context, id));
    await this.instances.runNow(instanceId);
  }

  /** The retry inside the caller's transaction (an incident review work item uses it); returns the instance id. */
  async retryIn(trx: Knex.Transaction, context: ActionContext, id: string): Promise<string> {
    const incident = await trx('incidents').where({ id }).forUpdate().first();
    if (!incident) throw new NotFoundError('incident', id);
    if (incident.status !== 'open') throw new ConflictError(`incident ${id} is already ${incident.status}`);
    const instanceId: string = incident.instance_id;
    const key = { instance_id: incident.instance_id, execution_id: incident.execution_id, status: 'incident' };
    const task = await trx('service_tasks').where(key).forUpdate().first('external');
    if (task?.external) {
      await trx('service_tasks').where(key).update({ status: 'pending', retries: 1, retry_at: null, worker_id: null, lock_expires_at: null, updated_at: trx.fn.now() });
    } else if (task) {
      // One more attempt: the next failure opens a new incident instead of waiting through the backoff again.
      await trx('service_tasks').where(key).update({ status: 'retry_wait', attempts: this.retryCount, retry_at: trx.fn.now(), updated_at: trx.fn.now() });
    }
    await trx('incidents').where({ id }).update({ status: 'resolved', resolved_at: trx.fn.now() });
    await this.instances.send(trx, instanceId, { type: 'wake', payload: {} });
    await recordAudit(trx, context, { action: 'incident.retry', entityType: 'incident', entityId: id, before: { status: 'open' }, after: { status: 'resolved' } });
    // Its review work item has nothing left to decide.
    await trx('user_tasks')
      .where({ incident_id: id, status: 'open' })
      .update({ status: 'completed', decision: 'retry', completed_by: context.actor?.id ?? 'system', completed_at: trx.fn.now() });
    return instanceId;
  }
}
