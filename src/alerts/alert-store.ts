/**
 * SQL of `alerts`.
 *
 * Glossary:
 * - alert: something a process found that the support team must look at (a
 *   breached backtest, drift), raised by the `raise-alert` service task.
 * - severity: `critical`, `warning` or `info`.
 * - status: `open` until someone acknowledges it (with a comment).
 */
import type { Knex } from 'knex';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertStatus = 'open' | 'acknowledged';

export interface Alert {
  id: string;
  severity: Severity;
  message: string;
  modelId: string | null;
  deploymentId: string | null;
  details: Record<string, unknown>;
  status: AlertStatus;
  notifiedGroup: string | null;
  processInstanceId: string | null;
  elementId: string | null;
  createdAt: Date;
  acknowledgedBy: string | null;
  acknowledgedByName: string | null;
  acknowledgedAt: Date | null;
  acknowledgeComment: string | null;
}

export type NewAlert = Pick<Alert, 'severity' | 'message' | 'modelId' | 'deploymentId' | 'details' | 'notifiedGroup' | 'processInstanceId' | 'elementId'> & {
  idempotencyKey: string | null;
};

type Db = Knex | Knex.Transaction;

function toAlert(row: Record<string, any>): Alert {
  return {
    id: row.id,
    severity: row.severity,
    message: row.message,
    modelId: row.model_id,
    deploymentId: row.deployment_id,
    details: row.details,
    status: row.status,
    notifiedGroup: row.notified_group,
    processInstanceId: row.process_instance_id,
    elementId: row.element_id,
    createdAt: new Date(row.created_at),
    acknowledgedBy: row.acknowledged_by,
    acknowledgedByName: row.acknowledged_by_name,
    acknowledgedAt: row.acknowledged_at ? new Date(row.acknowledged_at) : null,
    acknowledgeComment: row.acknowledge_comment,
  };
}

/** Inserts the alert; `created` is false when one with the same idempotency key exists (returned instead). */
export async function insertAlert(trx: Db, alert: NewAlert): Promise<{ alert: Alert; created: boolean }> {
  const [row] = await trx('alerts')
    .insert({
      id: crypto.randomUUID(),
      severity: alert.severity,
      message: alert.message,
      model_id: alert.modelId,
      deployment_id: alert.deploymentId,
      details: JSON.stringify(alert.details),
      notified_group: alert.notifiedGroup,
      process_instance_id: alert.processInstanceId,
      element_id: alert.elementId,
      idempotency_key: alert.idempotencyKey,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('*');
  if (row) return { alert: toAlert(row), created: true };
  const existing = await trx('alerts').where({ idempotency_key: alert.idempotencyKey }).first();
  return { alert: toAlert(existing), created: false };
}

export async function findAlert(db: Db, id: string, forUpdate = false): Promise<Alert | null> {
  const query = db('alerts').where({ id }).first();
  if (forUpdate) query.forUpdate();
  const row = await query;
  return row ? toAlert(row) : null;
}

export interface AlertFilter {
  status?: AlertStatus;
  severity?: Severity;
  deploymentId?: string;
  modelId?: string;
  /** Only alerts about models this user owns (contributors). */
  modelOwner?: string;
  limit: number;
  offset: number;
}

/** Newest first. */
export async function listAlerts(db: Knex, filter: AlertFilter): Promise<{ items: Alert[]; total: number }> {
  const query = db('alerts');
  if (filter.status) query.where('status', filter.status);
  if (filter.severity) query.where('severity', filter.severity);
  if (filter.deploymentId) query.where('deployment_id', filter.deploymentId);
  if (filter.modelId) query.where('model_id', filter.modelId);
  if (filter.modelOwner) query.whereIn('model_id', db('models').where('owner_id', filter.modelOwner).select(db.raw('id::text')));
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
    .limit(filter.limit)
    .offset(filter.offset)
    .select('*');
  return { items: rows.map(toAlert), total: Number(count) };
}

export async function acknowledgeAlert(trx: Db, id: string, by: { id: string | null; name: string }, comment: string | null): Promise<Alert> {
  const [row] = await trx('alerts')
    .where({ id })
    .update({ status: 'acknowledged', acknowledged_by: by.id, acknowledged_by_name: by.name, acknowledged_at: trx.fn.now(), acknowledge_comment: comment })
    .returning('*');
  return toAlert(row);
}
