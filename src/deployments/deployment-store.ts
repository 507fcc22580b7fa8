/**
 * SQL for `deployments`, `deployment_history` and `deployment_keys`.
 *
 * Glossary
 * - deployment: a model served to callers under a name: a champion version
 *   (answers), an optional challenger version (shadow: scored on every request
 *   and logged, never returned), a runtime, an access rule and API keys.
 * - access: `public` (anyone), `instance` (any user of this Stagegate),
 *   `project` (the listed members, or callers with one of its API keys).
 * - status: `active` serves predictions; `inactive` refuses them (409).
 *   Active deployments count against MAX_ACTIVE_MODELS per distinct model.
 * - approval status: `approved` when the champion version was approved (its
 *   status history says so), else `needs_approval`; callers see it.
 * - history: every champion/challenger pair the deployment had; rollback
 *   returns to an earlier champion.
 * - API key: a secret shown once at creation; only its sha256 is stored.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import type { Importance } from '../models/model-store';

export type Access = 'public' | 'instance' | 'project';
export type DeploymentStatus = 'active' | 'inactive';
export type ApprovalStatus = 'needs_approval' | 'approved';

export interface Deployment {
  id: string;
  name: string;
  modelId: string;
  runtimeId: string;
  championVersionId: string;
  challengerVersionId: string | null;
  importance: Importance;
  access: Access;
  members: string[];
  status: DeploymentStatus;
  approvalStatus: ApprovalStatus;
  ownerId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface HistoryEntry {
  id: string;
  championVersionId: string;
  championVersion: number;
  challengerVersionId: string | null;
  action: string;
  by: string | null;
  at: Date;
}

export interface ApiKey {
  id: string;
  deploymentId: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

type Db = Database | Knex.Transaction;

const toDeployment = (row: Record<string, any>): Deployment => ({
  id: row.id,
  name: row.name,
  modelId: row.model_id,
  runtimeId: row.runtime_id,
  championVersionId: row.champion_version_id,
  challengerVersionId: row.challenger_version_id,
  importance: row.importance,
  access: row.access,
  members: row.members,
  status: row.status,
  approvalStatus: row.approval_status,
  ownerId: row.owner_id,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

const toKey = (row: Record<string, any>): ApiKey => ({
  id: row.id,
  deploymentId: row.deployment_id,
  name: row.name,
  prefix: row.prefix,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at),
  revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
});

export async function insertDeployment(db: Db, d: Omit<Deployment, 'createdAt' | 'updatedAt'>): Promise<Deployment> {
  const [row] = await db('deployments')
    .insert({
      id: d.id,
      name: d.name,
      model_id: d.modelId,
      runtime_id: d.runtimeId,
      champion_version_id: d.championVersionId,
      challenger_version_id: d.challengerVersionId,
      importance: d.importance,
      access: d.access,
      members: JSON.stringify(d.members),
      status: d.status,
      approval_status: d.approvalStatus,
      owner_id: d.ownerId,
    })
    .returning('*');
  return toDeployment(row);
}

export async function findDeployment(db: Db, id: string, forUpdate = false): Promise<Deployment | null> {
  const query = db('deployments').where({ id });
  if (forUpdate) query.forUpdate();
  const row = await query.first();
  return row ? toDeployment(row) : null;
}

export async function findDeploymentByName(db: Db, name: string): Promise<Deployment | null> {
  const row = await db('deployments').whereRaw('lower(name) = lower(?)', [name]).first();
  return row ? toDeployment(row) : null;
}

export interface DeploymentFilter {
  /** Only deployments this user owns or is a member of. */
  visibleTo?: string;
  status?: DeploymentStatus;
  modelId?: string;
  limit: number;
  offset: number;
}

export async function listDeployments(db: Db, filter: DeploymentFilter): Promise<{ items: Deployment[]; total: number }> {
  const query = db('deployments');
  if (filter.visibleTo) query.where((q) => q.where('owner_id', filter.visibleTo!).orWhereRaw('members @> ?::jsonb', [JSON.stringify([filter.visibleTo])]));
  if (filter.status) query.where('status', filter.status);
  if (filter.modelId) query.where('model_id', filter.modelId);
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query.orderBy('name').limit(filter.limit).offset(filter.offset).select('*');
  return { items: rows.map(toDeployment), total: Number(count) };
}

type Changes = Partial<Pick<Deployment, 'name' | 'championVersionId' | 'challengerVersionId' | 'importance' | 'access' | 'members' | 'status' | 'approvalStatus'>>;

export async function updateDeployment(db: Db, id: string, changes: Changes): Promise<Deployment> {
  const columns: Record<string, unknown> = { updated_at: db.fn.now() };
  if (changes.name !== undefined) columns.name = changes.name;
  if (changes.championVersionId !== undefined) columns.champion_version_id = changes.championVersionId;
  if (changes.challengerVersionId !== undefined) columns.challenger_version_id = changes.challengerVersionId;
  if (changes.importance !== undefined) columns.importance = changes.importance;
  if (changes.access !== undefined) columns.access = changes.access;
  if (changes.members !== undefined) columns.members = JSON.stringify(changes.members);
  if (changes.status !== undefined) columns.status = changes.status;
  if (changes.approvalStatus !== undefined) columns.approval_status = changes.approvalStatus;
  const [row] = await db('deployments').where({ id }).update(columns).returning('*');
  return toDeployment(row);
}

export async function deleteDeployment(db: Db, id: string): Promise<void> {
  await db('deployments').where({ id }).del();
}

/** Distinct models with an active deployment, besides `exceptModel`. */
export async function activeModelIds(db: Db): Promise<string[]> {
  const rows = await db('deployments').where({ status: 'active' }).distinct('model_id');
  return rows.map((row) => row.model_id);
}

/** Serializes activations so two at once cannot both pass the limit. */
export async function lockActivations(trx: Knex.Transaction): Promise<void> {
  await trx.raw('LOCK TABLE deployments IN SHARE ROW EXCLUSIVE MODE');
}

export async function appendHistory(trx: Knex.Transaction, entry: { deploymentId: string; championVersionId: string; challengerVersionId: string | null; action: string; by: string | null }): Promise<void> {
  await trx('deployment_history').insert({
    deployment_id: entry.deploymentId,
    champion_version_id: entry.championVersionId,
    challenger_version_id: entry.challengerVersionId,
    action: entry.action,
    by: entry.by,
  });
}

export async function listHistory(db: Db, deploymentId: string): Promise<HistoryEntry[]> {
  const rows = await db('deployment_history as h')
    .join('model_versions as v', 'v.id', 'h.champion_version_id')
    .where('h.deployment_id', deploymentId)
    .orderBy('h.id', 'desc')
    .select('h.*', 'v.number as champion_version');
  return rows.map((row) => ({
    id: String(row.id),
    championVersionId: row.champion_version_id,
    championVersion: row.champion_version,
    challengerVersionId: row.challenger_version_id,
    action: row.action,
    by: row.by,
    at: new Date(row.at),
  }));
}

export async function insertKey(trx: Knex.Transaction, key: Omit<ApiKey, 'createdAt' | 'revokedAt'> & { hash: string }): Promise<ApiKey> {
  const [row] = await trx('deployment_keys')
    .insert({ id: key.id, deployment_id: key.deploymentId, name: key.name, prefix: key.prefix, key_hash: key.hash, created_by: key.createdBy })
    .returning('*');
  return toKey(row);
}

export async function listKeys(db: Db, deploymentId: string): Promise<ApiKey[]> {
  return (await db('deployment_keys').where({ deployment_id: deploymentId }).orderBy('created_at')).map(toKey);
}

export async function revokeKey(trx: Knex.Transaction, deploymentId: string, keyId: string): Promise<{ before: ApiKey; hash: string } | null> {
  const row = await trx('deployment_keys').where({ id: keyId, deployment_id: deploymentId }).forUpdate().first();
  if (!row) return null;
  if (!row.revoked_at) await trx('deployment_keys').where({ id: keyId }).update({ revoked_at: trx.fn.now() });
  return { before: toKey(row), hash: row.key_hash };
}

/** The deployment an unrevoked key opens, by the key's hash. */
export async function findKeyByHash(db: Db, hash: string): Promise<{ keyId: string; deploymentId: string } | null> {
  const row = await db('deployment_keys').where({ key_hash: hash }).whereNull('revoked_at').first('id', 'deployment_id');
  return row ? { keyId: row.id, deploymentId: row.deployment_id } : null;
}

export interface VersionRef {
  id: string;
  modelId: string;
  number: number;
  status: string;
  statusHistory: { status: string }[];
  trainingData: { datasetId: string; from: string | null; to: string | null } | null;
}

/** A model version by its id (deployments name versions by id). */
export async function findVersionById(db: Db, id: string): Promise<VersionRef | null> {
  const row = await db('model_versions').where({ id }).first('id', 'model_id', 'number', 'status', 'status_history', 'training_data');
  return row ? { id: row.id, modelId: row.model_id, number: row.number, status: row.status, statusHistory: row.status_history, trainingData: row.training_data } : null;
}
