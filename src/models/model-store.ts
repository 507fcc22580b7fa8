/**
 * SQL for `models`, `model_versions` and `test_results`.
 *
 * Glossary
 * - model: a named thing that predicts (classification or regression), with an
 *   owner, an importance and metadata (thresholds, training defaults).
 * - version: one concrete model, numbered 1, 2, ... per model; its source is a
 *   training job (`trained`), an uploaded artifact (`uploaded`) or a URI of a
 *   model served elsewhere (`external`).
 * - artifact: the stagegate-model/1 JSON of a version, stored as its exact text
 *   with the sha256 of its UTF-8 bytes.
 * - test result: one standardized evaluation of a version on a dataset window.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import type { ModelType, TestResult, TrainingMetrics } from '../ml';
import type { ModelMetadata } from './model-metadata';

export type Importance = 'critical' | 'high' | 'moderate' | 'low';
export type VersionSource = 'trained' | 'uploaded' | 'external';

export interface Model {
  id: string;
  name: string;
  description: string;
  type: ModelType;
  ownerId: string | null;
  /** Contributors other than its owner see it too (read only). */
  shared: boolean;
  importance: Importance;
  tags: string[];
  metadata: ModelMetadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface StatusChange {
  status: string;
  at: string;
  by: string | null;
  comment?: string;
}

export interface ModelVersion {
  id: string;
  modelId: string;
  number: number;
  source: VersionSource;
  description: string;
  uri: string | null;
  trainJobId: string | null;
  artifactSha256: string | null;
  artifactBytes: number | null;
  trainingMetrics: (TrainingMetrics & Record<string, unknown>) | null;
  /** Where the training rows came from; drift is measured against them. */
  trainingData: { datasetId: string; from: string | null; to: string | null } | null;
  status: string;
  statusHistory: StatusChange[];
  submittedBy: string | null;
  createdAt: Date;
}

export interface StoredTestResult {
  id: string;
  modelId: string;
  versionId: string;
  jobId: string | null;
  datasetId: string | null;
  window: { from: Date | null; to: Date | null };
  result: TestResult;
  createdAt: Date;
}

type Db = Database | Knex.Transaction;

const toModel = (row: Record<string, any>): Model => ({
  id: row.id,
  name: row.name,
  description: row.description,
  type: row.type,
  ownerId: row.owner_id,
  shared: Boolean(row.shared),
  importance: row.importance,
  tags: row.tags,
  metadata: row.metadata,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

const VERSION_COLUMNS = [
  'id', 'model_id', 'number', 'source', 'description', 'uri', 'train_job_id', 'artifact_sha256', 'artifact_bytes',
  'training_metrics', 'training_data', 'status', 'status_history', 'submitted_by', 'created_at',
];

const toVersion = (row: Record<string, any>): ModelVersion => ({
  id: row.id,
  modelId: row.model_id,
  number: row.number,
  source: row.source,
  description: row.description,
  uri: row.uri,
  trainJobId: row.train_job_id,
  artifactSha256: row.artifact_sha256,
  artifactBytes: row.artifact_bytes,
  trainingMetrics: row.training_metrics,
  trainingData: row.training_data,
  status: row.status,
  statusHistory: row.status_history,
  submittedBy: row.submitted_by,
  createdAt: new Date(row.created_at),
});

const toTestResult = (row: Record<string, any>): StoredTestResult => ({
  id: row.id,
  modelId: row.model_id,
  versionId: row.version_id,
  jobId: row.job_id,
  datasetId: row.dataset_id,
  window: { from: row.window_from ? new Date(row.window_from) : null, to: row.window_to ? new Date(row.window_to) : null },
  result: row.result,
  createdAt: new Date(row.created_at),
});

export async function insertModel(db: Db, model: Omit<Model, 'createdAt' | 'updatedAt'>): Promise<Model> {
  const [row] = await db('models')
    .insert({
      id: model.id,
      name: model.name,
      description: model.description,
      type: model.type,
      owner_id: model.ownerId,
      shared: model.shared,
      importance: model.importance,
      tags: JSON.stringify(model.tags),
      metadata: JSON.stringify(model.metadata),
    })
    .returning('*');
  return toModel(row);
}

export async function findModel(db: Db, id: string, forUpdate = false): Promise<Model | null> {
  const query = db('models').where({ id }).first();
  if (forUpdate) query.forUpdate();
  const row = await query;
  return row ? toModel(row) : null;
}

export async function findModelByName(db: Db, name: string): Promise<Model | null> {
  const row = await db('models').whereRaw('lower(name) = lower(?)', [name]).first();
  return row ? toModel(row) : null;
}

export interface ModelFilter {
  type?: ModelType;
  importance?: Importance;
  tag?: string;
  ownerId?: string;
  /** Only models this user owns or that are shared (callers without `view:all`). */
  visibleTo?: string;
  /** Case-insensitive substring of the name. */
  q?: string;
  limit: number;
  offset: number;
}

export async function listModels(db: Db, filter: ModelFilter): Promise<{ items: Model[]; total: number }> {
  const where = (query: Knex.QueryBuilder) => {
    if (filter.type) query.where('type', filter.type);
    if (filter.importance) query.where('importance', filter.importance);
    if (filter.tag) query.whereRaw('tags @> ?::jsonb', [JSON.stringify([filter.tag])]);
    if (filter.ownerId) query.where('owner_id', filter.ownerId);
    if (filter.visibleTo) query.where((own) => own.where('owner_id', filter.visibleTo!).orWhere('shared', true));
    if (filter.q) query.whereRaw("name ILIKE ? ESCAPE '\\'", [`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
    return query;
  };
  const [{ count }] = await where(db('models')).count({ count: '*' });
  const rows = await where(db('models')).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(filter.limit).offset(filter.offset).select('*');
  return { items: rows.map(toModel), total: Number(count) };
}

export async function updateModel(db: Db, id: string, changes: Partial<Pick<Model, 'name' | 'description' | 'type' | 'importance' | 'tags' | 'metadata' | 'shared'>>): Promise<Model> {
  const values: Record<string, unknown> = { updated_at: db.fn.now() };
  if (changes.name !== undefined) values.name = changes.name;
  if (changes.description !== undefined) values.description = changes.description;
  if (changes.type !== undefined) values.type = changes.type;
  if (changes.importance !== undefined) values.importance = changes.importance;
  if (changes.shared !== undefined) values.shared = changes.shared;
  if (changes.tags !== undefined) values.tags = JSON.stringify(changes.tags);
  if (changes.metadata !== undefined) values.metadata = JSON.stringify(changes.metadata);
  const [row] = await db('models').where({ id }).update(values).returning('*');
  return toModel(row);
}

export async function countVersions(db: Db, modelId: string): Promise<number> {
  const [{ count }] = await db('model_versions').where({ model_id: modelId }).count({ count: '*' });
  return Number(count);
}

export interface NewVersion {
  modelId: string;
  source: VersionSource;
  description: string;
  uri: string | null;
  trainJobId: string | null;
  artifact: Buffer | null;
  artifactSha256: string | null;
  trainingMetrics: unknown;
  trainingData: ModelVersion['trainingData'];
  status: string;
  submittedBy: string | null;
}

/** Inserts the next version of a model; call with the model row locked (`findModel(trx, id, true)`). */
export async function insertVersion(trx: Knex.Transaction, version: NewVersion): Promise<ModelVersion> {
  const [{ max }] = await trx('model_versions').where({ model_id: version.modelId }).max({ max: 'number' });
  const history: StatusChange[] = [{ status: version.status, at: new Date().toISOString(), by: version.submittedBy }];
  const [row] = await trx('model_versions')
    .insert({
      id: crypto.randomUUID(),
      model_id: version.modelId,
      number: (Number(max) || 0) + 1,
      source: version.source,
      description: version.description,
      uri: version.uri,
      train_job_id: version.trainJobId,
      artifact: version.artifact?.toString('utf8') ?? null,
      artifact_sha256: version.artifactSha256,
      artifact_bytes: version.artifact?.length ?? null,
      training_metrics: version.trainingMetrics === null ? null : JSON.stringify(version.trainingMetrics),
      training_data: version.trainingData === null ? null : JSON.stringify(version.trainingData),
      status: version.status,
      status_history: JSON.stringify(history),
      submitted_by: version.submittedBy,
    })
    .returning(VERSION_COLUMNS);
  return toVersion(row);
}

export async function findVersion(db: Db, modelId: string, number: number): Promise<ModelVersion | null> {
  const row = await db('model_versions').where({ model_id: modelId, number }).first(VERSION_COLUMNS);
  return row ? toVersion(row) : null;
}

export async function findVersionByTrainJob(db: Db, jobId: string): Promise<ModelVersion | null> {
  const row = await db('model_versions').where({ train_job_id: jobId }).first(VERSION_COLUMNS);
  return row ? toVersion(row) : null;
}

export async function listVersions(db: Db, modelId: string, limit: number, offset: number): Promise<{ items: ModelVersion[]; total: number }> {
  const [{ count }] = await db('model_versions').where({ model_id: modelId }).count({ count: '*' });
  const rows = await db('model_versions').where({ model_id: modelId }).orderBy('number', 'desc').limit(limit).offset(offset).select(VERSION_COLUMNS);
  return { items: rows.map(toVersion), total: Number(count) };
}

/** The artifact's exact stored bytes, or null (external versions have none). */
export async function readArtifact(db: Db, versionId: string): Promise<Buffer | null> {
  const row = await db('model_versions').where({ id: versionId }).first('artifact');
  return typeof row?.artifact === 'string' ? Buffer.from(row.artifact, 'utf8') : null;
}

export async function appendStatus(trx: Knex.Transaction, versionId: string, change: StatusChange): Promise<ModelVersion> {
  const [row] = await trx('model_versions')
    .where({ id: versionId })
    .update({ status: change.status, status_history: trx.raw('status_history || ?::jsonb', [JSON.stringify([change])]) })
    .returning(VERSION_COLUMNS);
  return toVersion(row);
}

export async function insertTestResult(trx: Knex.Transaction, record: Omit<StoredTestResult, 'id' | 'createdAt'>): Promise<StoredTestResult> {
  const [row] = await trx('test_results')
    .insert({
      id: crypto.randomUUID(),
      model_id: record.modelId,
      version_id: record.versionId,
      job_id: record.jobId,
      dataset_id: record.datasetId,
      window_from: record.window.from,
      window_to: record.window.to,
      result: JSON.stringify(record.result),
    })
    .returning('*');
  return toTestResult(row);
}

/** A version's test results, newest first. */
export async function listTestResults(db: Db, versionId: string, limit = 100): Promise<StoredTestResult[]> {
  const rows = await db('test_results').where({ version_id: versionId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  return rows.map(toTestResult);
}
