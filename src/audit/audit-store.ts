/** SQL for the append-only `audit_events` table (SPEC §9). */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import { camelRow } from '../db/rows';
import type { ActionContext } from '../identity/actor';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  comment?: string | null;
}

/** Records one state change; call it inside the transaction that makes the change. */
export async function recordAudit(trx: Knex.Transaction, context: ActionContext, entry: AuditEntry): Promise<void> {
  await trx('audit_events').insert(auditRow(context, entry));
}

/** The `audit_events` row of one state change (for statements that insert it themselves). */
export function auditRow(context: ActionContext, entry: AuditEntry): Record<string, Knex.Value> {
  return {
    actor_id: context.actor?.id ?? null,
    actor_name: context.actor?.name ?? 'system',
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    comment: entry.comment ?? null,
    request_id: context.requestId,
  };
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  since?: Date;
  limit: number;
  offset: number;
}

export async function listAudit(db: Database, filter: AuditFilter) {
  const query = db('audit_events');
  if (filter.entityType) query.where('entity_type', filter.entityType);
  if (filter.entityId) query.where('entity_id', filter.entityId);
  if (filter.actor) query.where((q) => q.where('actor_name', filter.actor!).orWhereRaw('actor_id::text = ?', [filter.actor!]));
  if (filter.action) query.where('action', filter.action);
  if (filter.since) query.where('at', '>=', filter.since);
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).select('*');
  return { items: rows.map((row) => ({ ...camelRow(row), id: String(row.id) })), total: Number(count) };
}
