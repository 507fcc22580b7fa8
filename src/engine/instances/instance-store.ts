/** SQL for reading instances and their history (the runtime writes them in `runtime/run-store.ts`). */
import type { Database } from '../../db/connect';
import { camelRow } from '../../db/rows';
import type { InstanceStatus } from '../runtime/types';

export interface InstanceSummary {
  id: string;
  processKey: string;
  definitionVersion: number;
  definitionId: string;
  businessKey: string | null;
  status: InstanceStatus;
  startedBy: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

export interface InstanceFilter {
  status?: InstanceStatus;
  key?: string;
  businessKey?: string;
  /** Only instances this user started (callers without `view:all`). */
  startedBy?: string;
  limit: number;
  offset: number;
}

const COLUMNS = [
  'id',
  'process_key',
  'definition_version',
  'definition_id',
  'business_key',
  'status',
  'started_by',
  'error',
  'created_at',
  'updated_at',
  'ended_at',
];

function toSummary(row: Record<string, any>): InstanceSummary {
  return {
    id: row.id,
    processKey: row.process_key,
    definitionVersion: row.definition_version,
    definitionId: row.definition_id,
    businessKey: row.business_key,
    status: row.status,
    startedBy: row.started_by,
    error: row.error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    endedAt: row.ended_at ? new Date(row.ended_at) : null,
  };
}

export async function listInstances(db: Database, filter: InstanceFilter): Promise<{ items: InstanceSummary[]; total: number }> {
  const where = (query: any) => {
    if (filter.status) query.where('status', filter.status);
    if (filter.key) query.where('process_key', filter.key);
    if (filter.businessKey) query.where('business_key', filter.businessKey);
    if (filter.startedBy) query.where('started_by', filter.startedBy);
    return query;
  };
  const [{ count }] = await where(db('process_instances')).count({ count: '*' });
  const rows = await where(db('process_instances'))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    .limit(filter.limit)
    .offset(filter.offset)
    .select(COLUMNS);
  return { items: rows.map(toSummary), total: Number(count) };
}

export async function findInstance(db: Database, id: string) {
  const row = await db('process_instances').where({ id }).first([...COLUMNS, 'variables', 'current_activities']);
  if (!row) return null;
  return { ...toSummary(row), variables: row.variables, currentActivities: row.current_activities };
}

export async function instanceHistory(db: Database, id: string) {
  const rows = await db('instance_history').where({ instance_id: id }).orderBy('id');
  return rows.map((row) => ({
    elementId: row.element_id,
    elementType: row.element_type,
    elementName: row.element_name,
    executionId: row.execution_id,
    event: row.event,
    actor: row.actor,
    at: new Date(row.at),
  }));
}

export async function instanceWaits(db: Database, id: string) {
  const [userTasks, timers, subscriptions, serviceTasks, incidents] = await Promise.all([
    db('user_tasks').where({ instance_id: id, status: 'open' }).select('id', 'element_id', 'name', 'candidate_groups', 'assignee', 'due_date'),
    db('timers').where({ instance_id: id }).select('element_id', 'due_at'),
    db('event_subscriptions').where({ instance_id: id }).select('kind', 'name', 'element_id'),
    db('service_tasks')
      .where({ instance_id: id })
      .whereIn('status', ['pending', 'running', 'retry_wait', 'incident'])
      .select('id', 'element_id', 'topic', 'external', 'status', 'attempts', 'retry_at', 'error_message'),
    db('incidents').where({ instance_id: id }).orderBy('created_at').select('id', 'element_id', 'type', 'message', 'status', 'created_at', 'resolved_at'),
  ]);
  const camel = (rows: Record<string, unknown>[]) => rows.map((row) => camelRow(row));
  return {
    userTasks: camel(userTasks),
    timers: camel(timers),
    subscriptions: camel(subscriptions),
    serviceTasks: camel(serviceTasks),
    incidents: camel(incidents),
  };
}
