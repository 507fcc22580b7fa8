/** SQL for work items (`user_tasks` joined with their instance) and their comments. */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import type { Actor } from '../identity/actor';
import { toWorkItem, WorkItem } from './work-item';

type Db = Database | Knex.Transaction;

export interface WorkItemFilter {
  status?: string;
  candidateGroup?: string;
  candidateUser?: string;
  assignee?: string;
  processInstanceId?: string;
  businessKey?: string;
  dueBefore?: Date;
  kind?: string;
  /** Items the actor may act on: their groups, themselves as candidate, or assigned to them. */
  mine?: Actor;
  /** Contributors see only items of instances they started. */
  startedBy?: string;
  sort: 'created' | 'due' | 'priority';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const SORT_COLUMNS = { created: 't.created_at', due: 't.due_date', priority: 't.priority' } as const;

function base(db: Db) {
  return db('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id');
}

/** Work items matching a filter, with the total count; every value is a bound parameter. */
export async function listWorkItems(db: Db, filter: WorkItemFilter): Promise<{ items: WorkItem[]; total: number }> {
  const query = base(db);
  if (filter.status) query.where('t.status', filter.status);
  if (filter.kind) query.where('t.kind', filter.kind);
  if (filter.candidateGroup) query.whereRaw('t.candidate_groups @> ?::jsonb', [JSON.stringify([filter.candidateGroup])]);
  if (filter.candidateUser) query.whereRaw('t.candidate_users @> ?::jsonb', [JSON.stringify([filter.candidateUser])]);
  if (filter.assignee) query.where('t.assignee', filter.assignee);
  if (filter.processInstanceId) query.where('t.instance_id', filter.processInstanceId);
  if (filter.businessKey) query.where('i.business_key', filter.businessKey);
  if (filter.dueBefore) query.where('t.due_date', '<', filter.dueBefore);
  if (filter.startedBy) query.where('i.started_by', filter.startedBy);
  if (filter.mine) {
    const actor = filter.mine;
    query.where((q) =>
      q
        .whereRaw('t.candidate_groups \\?| ?::text[]', [actor.groups])
        .orWhereRaw('t.candidate_users \\?| ?::text[]', [[actor.id, actor.email, actor.name]])
        .orWhere('t.assignee', actor.id),
    );
  }
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query
    .orderBy([{ column: SORT_COLUMNS[filter.sort], order: filter.order, nulls: 'last' }, { column: 't.id' }])
    .limit(filter.limit)
    .offset(filter.offset)
    .select('t.*', 'i.process_key', 'i.business_key');
  return { items: rows.map(toWorkItem), total: Number(count) };
}

export async function findWorkItem(db: Db, id: string, lock = false): Promise<WorkItem | null> {
  const query = base(db).where('t.id', id).first('t.*', 'i.process_key', 'i.business_key');
  if (lock) query.forUpdate('t');
  const row = await query;
  return row ? toWorkItem(row) : null;
}

export async function updateWorkItem(trx: Knex.Transaction, id: string, changes: Record<string, unknown>): Promise<void> {
  await trx('user_tasks').where({ id }).update(changes);
}

export async function listComments(db: Db, taskId: string) {
  const rows = await db('task_comments').where({ task_id: taskId }).orderBy('id');
  return rows.map((row) => ({ id: String(row.id), userId: row.user_id, userName: row.user_name, text: row.text, createdAt: new Date(row.created_at) }));
}

export async function insertComment(trx: Knex.Transaction, taskId: string, actor: Actor, text: string) {
  const [row] = await trx('task_comments').insert({ task_id: taskId, user_id: actor.id, user_name: actor.name, text }).returning('*');
  return { id: String(row.id), userId: row.user_id, userName: row.user_name, text: row.text, createdAt: new Date(row.created_at) };
}
