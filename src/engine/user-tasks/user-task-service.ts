import { recordAudit } from '../../audit/audit-store';
import type { Database } from '../../db/connect';
import type { ActionContext } from '../../identity/actor';
import { camelRow } from '../../db/rows';
import { ConflictError, NotFoundError } from '../../errors';
import type { InstanceService } from '../instances/instance-service';
import { queueCommand } from '../runtime/run-store';
import type { Variables } from '../runtime/types';

export interface UserTaskFilter {
  status?: 'open' | 'completed' | 'cancelled';
  processInstanceId?: string;
  candidateGroup?: string;
  limit: number;
  offset: number;
}

const COLUMNS = [
  't.id', 't.instance_id as process_instance_id', 'i.process_key', 'i.business_key', 't.element_id', 't.name',
  't.documentation', 't.candidate_groups', 't.candidate_users', 't.assignee', 't.due_date', 't.priority',
  't.form_key', 't.form_fields', 't.status', 't.output', 't.completed_by', 't.created_at', 't.completed_at',
];

/**
 * User tasks as the engine sees them: a durable wait that someone completes.
 * The approval product (claims, decisions, four-eyes, policies) builds on this.
 */
export class UserTaskService {
  constructor(
    private readonly db: Database,
    private readonly instances: InstanceService,
  ) {}

  async list(filter: UserTaskFilter) {
    const query = this.db('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id');
    if (filter.status) query.where('t.status', filter.status);
    if (filter.processInstanceId) query.where('t.instance_id', filter.processInstanceId);
    if (filter.candidateGroup) query.whereRaw('t.candidate_groups @> ?::jsonb', [JSON.stringify([filter.candidateGroup])]);
    const [{ count }] = await query.clone().count({ count: '*' });
    const rows = await query.orderBy([{ column: 't.created_at', order: 'desc' }, { column: 't.id' }]).limit(filter.limit).offset(filter.offset).select(COLUMNS);
    return { items: rows.map((row) => camelRow(row)), total: Number(count) };
  }

  async get(id: string) {
    const row = await this.db('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id').where('t.id', id).first(COLUMNS);
    if (!row) throw new NotFoundError('task', id);
    return camelRow(row);
  }

  /** Completes an open task exactly once (409 for every other attempt) and resumes its instance. */
  async complete(context: ActionContext, id: string, variables: Variables): Promise<void> {
    const actor = context.actor?.id ?? null;
    let instanceId = '';
    await this.db.transaction(async (trx) => {
      const [task] = await trx('user_tasks')
        .where({ id, status: 'open' })
        .update({ status: 'completed', output: JSON.stringify(variables), completed_by: actor, completed_at: trx.fn.now() })
        .returning(['instance_id', 'element_id', 'execution_id']);
      if (!task) {
        const existing = await trx('user_tasks').where({ id }).first('status');
        if (!existing) throw new NotFoundError('task', id);
        throw new ConflictError(`task ${id} is ${existing.status}`, { status: existing.status });
      }
      instanceId = task.instance_id;
      await queueCommand(trx, instanceId, {
        type: 'complete-user-task',
        payload: { elementId: task.element_id, executionId: task.execution_id, variables, actor },
      });
      await recordAudit(trx, context, { action: 'task.complete', entityType: 'user_task', entityId: id, before: { status: 'open' }, after: { status: 'completed', variables } });
    });
    await this.instances.runNow(instanceId);
  }
}
