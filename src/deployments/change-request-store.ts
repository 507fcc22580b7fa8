/**
 * SQL for `change_requests`.
 *
 * Glossary
 * - change request: a change to a deployment — replacing the model (a new
 *   champion), changing its importance, or deleting it — held for approval
 *   because an approval policy matches (event type, importance).
 * - before / after: the fields the change touches as they were when it was
 *   requested and as requested; applying checks `before` still holds.
 * - apply mode: `automatic` applies on approval; `manual` stops at `approved`
 *   until someone calls `POST /api/change-requests/:id/apply`.
 * - status: `pending` (waiting for approval) → `approved` (manual mode) →
 *   `applied`; or `rejected`, `cancelled`, or `failed` (the deployment changed
 *   since the request, so nothing was applied).
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';

type Db = Database | Knex.Transaction;

export const CHANGE_TYPES = ['replace-model', 'change-importance', 'delete'] as const;
export const CHANGE_STATUSES = ['pending', 'approved', 'rejected', 'applied', 'failed', 'cancelled'] as const;
export const APPLY_MODES = ['automatic', 'manual'] as const;

export type ChangeType = (typeof CHANGE_TYPES)[number];
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];
export type ApplyMode = (typeof APPLY_MODES)[number];

export interface ChangeRequest {
  id: string;
  deploymentId: string;
  deploymentName: string;
  type: ChangeType;
  eventType: string;
  importance: string;
  payload: Record<string, unknown>;
  before: Record<string, unknown>;
  after: Record<string, unknown> | null;
  status: ChangeStatus;
  applyMode: ApplyMode;
  requestedBy: string | null;
  decidedBy: string | null;
  decisionComment: string | null;
  appliedBy: string | null;
  error: string | null;
  processInstanceId: string | null;
  createdAt: Date;
  decidedAt: Date | null;
  appliedAt: Date | null;
  updatedAt: Date;
}

export type NewChangeRequest = Pick<
  ChangeRequest,
  'id' | 'deploymentId' | 'deploymentName' | 'type' | 'eventType' | 'importance' | 'payload' | 'before' | 'after' | 'applyMode' | 'requestedBy' | 'processInstanceId'
>;

export interface ChangeRequestFilter {
  deploymentId?: string;
  status?: ChangeStatus;
  /** Only requests this user made or on deployments they own or are a member of. */
  visibleTo?: string;
  limit: number;
  offset: number;
}

const date = (value: unknown) => (value ? new Date(value as string) : null);

function toChangeRequest(row: Record<string, any>): ChangeRequest {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    deploymentName: row.deployment_name,
    type: row.type,
    eventType: row.event_type,
    importance: row.importance,
    payload: row.payload,
    before: row.before,
    after: row.after,
    status: row.status,
    applyMode: row.apply_mode,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    decisionComment: row.decision_comment,
    appliedBy: row.applied_by,
    error: row.error,
    processInstanceId: row.process_instance_id,
    createdAt: new Date(row.created_at),
    decidedAt: date(row.decided_at),
    appliedAt: date(row.applied_at),
    updatedAt: new Date(row.updated_at),
  };
}

export async function insertChangeRequest(trx: Knex.Transaction, request: NewChangeRequest): Promise<ChangeRequest> {
  const [row] = await trx('change_requests')
    .insert({
      id: request.id,
      deployment_id: request.deploymentId,
      deployment_name: request.deploymentName,
      type: request.type,
      event_type: request.eventType,
      importance: request.importance,
      payload: JSON.stringify(request.payload),
      before: JSON.stringify(request.before),
      after: request.after === null ? null : JSON.stringify(request.after),
      apply_mode: request.applyMode,
      requested_by: request.requestedBy,
      process_instance_id: request.processInstanceId,
    })
    .returning('*');
  return toChangeRequest(row);
}

export async function findChangeRequest(db: Db, id: string, forUpdate = false): Promise<ChangeRequest | null> {
  const query = db('change_requests').where({ id }).first();
  if (forUpdate) query.forUpdate();
  const row = await query;
  return row ? toChangeRequest(row) : null;
}

/** The new status and what goes with it (who decided, who applied, why it failed). */
export type StatusChange = Partial<Pick<ChangeRequest, 'decidedBy' | 'decisionComment' | 'appliedBy' | 'error'>> & { status: ChangeStatus; decided?: boolean; applied?: boolean };

export async function updateStatus(trx: Knex.Transaction, id: string, change: StatusChange): Promise<ChangeRequest> {
  const columns: Record<string, unknown> = { status: change.status, updated_at: trx.fn.now() };
  if (change.decidedBy !== undefined) columns.decided_by = change.decidedBy;
  if (change.decisionComment !== undefined) columns.decision_comment = change.decisionComment;
  if (change.appliedBy !== undefined) columns.applied_by = change.appliedBy;
  if (change.error !== undefined) columns.error = change.error;
  if (change.decided) columns.decided_at = trx.fn.now();
  if (change.applied) columns.applied_at = trx.fn.now();
  const [row] = await trx('change_requests').where({ id }).update(columns).returning('*');
  return toChangeRequest(row);
}

export async function listChangeRequests(db: Db, filter: ChangeRequestFilter): Promise<{ items: ChangeRequest[]; total: number }> {
  const query = db('change_requests');
  if (filter.deploymentId) query.where('deployment_id', filter.deploymentId);
  if (filter.status) query.where('status', filter.status);
  if (filter.visibleTo) {
    const user = filter.visibleTo;
    query.where((q) =>
      q.where('requested_by', user).orWhereIn('deployment_id', db('deployments').select('id').where('owner_id', user).orWhereRaw('members @> ?::jsonb', [JSON.stringify([user])])),
    );
  }
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(filter.limit).offset(filter.offset).select('*');
  return { items: rows.map(toChangeRequest), total: Number(count) };
}

/** The instance's latest completed work item: who decided and why. */
export async function latestDecision(db: Db, instanceId: string): Promise<{ completedBy: string | null; comment: string | null } | null> {
  const row = await db('user_tasks').where({ instance_id: instanceId, status: 'completed' }).orderBy('completed_at', 'desc').first('completed_by', 'comment');
  return row ? { completedBy: row.completed_by, comment: row.comment } : null;
}
