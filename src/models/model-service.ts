import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { ActionContext, Actor } from '../identity/actor';
import { assertCanChange, assertCanView } from '../identity/ownership';
import { allows } from '../identity/roles';
import { findJob } from '../jobs/job-store';
import { loadModel, type ModelArtifact, type ModelType, type TestResult } from '../ml';
import { assertMaySetCommand, sameCommand } from './model-command';
import { checkAlgorithm, checkThresholdMetrics, mergeMetadata, type ModelMetadata, type ModelMetadataPatch } from './model-metadata';
import * as store from './model-store';

export interface ModelInput {
  name: string;
  description?: string;
  type: ModelType;
  importance: store.Importance;
  tags: string[];
  metadata: ModelMetadata;
  /** Visible to every contributor (read only); default private. */
  shared?: boolean;
}

export type ModelChanges = Partial<Omit<ModelInput, 'metadata'>> & { metadata?: ModelMetadataPatch };

export type VersionSubmission =
  | { source: 'uploaded'; artifact: Record<string, unknown>; description?: string }
  | { source: 'external'; uri: string; description?: string }
  | { source: 'trained'; trainJob: string; description?: string };

/** "Model changed" (SPEC §7): a version was submitted over REST. */
export interface VersionSubmittedEvent {
  model: store.Model;
  version: store.ModelVersion;
  context: ActionContext;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';
const OWN = 'models you own';

/** Serializes an artifact to the exact bytes stored, and their sha256. */
export function artifactBytes(artifact: unknown): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.from(JSON.stringify(artifact), 'utf8');
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Models and versions: registration, updates, version submission, test results. */
export class ModelService {
  /**
   * Called after a version submitted over REST committed (the "model changed"
   * event, SPEC §7). Versions made by training jobs do not call it: the
   * lifecycle process that trains would otherwise start itself again.
   */
  onVersionSubmitted: ((event: VersionSubmittedEvent) => Promise<void> | void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: { onListenerError?: (err: unknown) => void } = {},
  ) {}

  async create(context: ActionContext, input: ModelInput): Promise<store.Model> {
    if (input.metadata.command) assertMaySetCommand(context.actor);
    checkThresholdMetrics(input.type, input.metadata.thresholds);
    checkAlgorithm(input.type, input.metadata.algorithm);
    try {
      return await this.db.transaction(async (trx) => {
        const model = await store.insertModel(trx, {
          id: crypto.randomUUID(),
          name: input.name,
          description: input.description ?? '',
          type: input.type,
          ownerId: context.actor?.id ?? null,
          shared: input.shared ?? false,
          importance: input.importance,
          tags: [...new Set(input.tags)],
          metadata: input.metadata,
        });
        await recordAudit(trx, context, { action: 'model.create', entityType: 'model', entityId: model.id, after: model });
        return model;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a model named ${input.name} already exists`, { name: input.name });
      throw err;
    }
  }

  /** A model the actor may see, by id (or by name for service tasks). */
  async get(actor: Actor | null, idOrName: string): Promise<store.Model> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
    const model = isUuid ? await store.findModel(this.db, idOrName) : await store.findModelByName(this.db, idOrName);
    if (!model) throw new NotFoundError('model', idOrName);
    assertCanView(actor, model.ownerId, OWN, model.shared);
    return model;
  }

  /** Contributors list what they own and what is shared (`owner` narrows either). */
  list(actor: Actor, filter: Omit<store.ModelFilter, 'ownerId' | 'visibleTo'> & { owner?: string }) {
    const visibleTo = allows(actor.permissions, 'view:all') ? undefined : actor.id;
    return store.listModels(this.db, { ...filter, ownerId: filter.owner, visibleTo });
  }

  /** Changes any subset of the fields; `metadata` keys given replace those keys only. */
  async update(context: ActionContext, id: string, changes: ModelChanges): Promise<store.Model> {
    try {
      return await this.db.transaction(async (trx) => {
        const before = await store.findModel(trx, id, true);
        if (!before) throw new NotFoundError('model', id);
        assertCanChange(context.actor, before.ownerId, OWN);
        const type = changes.type ?? before.type;
        if (type !== before.type && (await store.countVersions(trx, id)) > 0) {
          throw new ConflictError(`model ${before.name} has versions: its type cannot change from ${before.type} to ${type}`, { type: before.type });
        }
        const metadata = changes.metadata ? mergeMetadata(before.metadata, changes.metadata) : before.metadata;
        // Sending the stored command back unchanged (a client that PUTs the whole metadata) needs no admin.
        if (!sameCommand(metadata.command, before.metadata.command)) assertMaySetCommand(context.actor);
        checkThresholdMetrics(type, metadata.thresholds);
        checkAlgorithm(type, metadata.algorithm);
        const after = await store.updateModel(trx, id, { ...changes, tags: changes.tags ? [...new Set(changes.tags)] : undefined, metadata });
        await recordAudit(trx, context, { action: 'model.update', entityType: 'model', entityId: id, before, after });
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a model named ${changes.name} already exists`, { name: changes.name });
      throw err;
    }
  }

  /** Submits a new version (the "model changed" event); the listener runs after commit. */
  async submitVersion(context: ActionContext, modelId: string, submission: VersionSubmission): Promise<store.ModelVersion> {
    const { model, version } = await this.db.transaction(async (trx) => {
      const model = await store.findModel(trx, modelId, true);
      if (!model) throw new NotFoundError('model', modelId);
      assertCanChange(context.actor, model.ownerId, OWN);
      const fields = await this.versionFields(trx, model, submission);
      const version = await store.insertVersion(trx, {
        modelId,
        description: submission.description ?? '',
        status: 'submitted',
        submittedBy: context.actor?.id ?? null,
        ...fields,
      });
      await recordAudit(trx, context, { action: 'model.version.submit', entityType: 'model', entityId: modelId, after: version });
      return { model, version };
    });
    try {
      await this.onVersionSubmitted?.({ model, version, context });
    } catch (err) {
      this.options.onListenerError?.(err);
    }
    return version;
  }

  private async versionFields(trx: Knex.Transaction, model: store.Model, submission: VersionSubmission) {
    const none = { uri: null, trainJobId: null, artifact: null, artifactSha256: null, trainingMetrics: null, trainingData: null };
    if (submission.source === 'external') return { ...none, source: 'external' as const, uri: submission.uri };
    if (submission.source === 'uploaded') {
      const artifact = checkArtifact(model, submission.artifact);
      const { bytes, sha256 } = artifactBytes(artifact);
      return { ...none, source: 'uploaded' as const, artifact: bytes, artifactSha256: sha256 };
    }
    const job = await findJob(trx, submission.trainJob);
    if (!job || job.type !== 'train' || job.modelId !== model.id) throw new ValidationError(`job ${submission.trainJob} is not a training job of model ${model.name}`, { trainJob: submission.trainJob });
    if (job.status !== 'succeeded') throw new ConflictError(`training job ${job.id} is ${job.status}, not succeeded`, { status: job.status });
    const made = await store.findVersionByTrainJob(trx, job.id);
    if (made) throw new ConflictError(`training job ${job.id} already made version ${made.number}`, { version: made.number });
    const result = job.result as { artifact?: ModelArtifact; metrics?: unknown; trainingData?: store.ModelVersion['trainingData'] } | null;
    if (!result?.artifact) throw new ConflictError(`training job ${job.id} kept no artifact`, { trainJob: job.id });
    const { bytes, sha256 } = artifactBytes(result.artifact);
    return { ...none, source: 'trained' as const, trainJobId: job.id, artifact: bytes, artifactSha256: sha256, trainingMetrics: result.metrics ?? null, trainingData: result.trainingData ?? null };
  }

  /** Stores the version a training job made, inside the job's completion transaction. */
  async addTrainedVersion(
    trx: Knex.Transaction,
    context: ActionContext,
    /** A command model's artifact is the bytes its train command wrote, stored as they are. */
    input: { modelId: string; jobId: string; artifact: ModelArtifact | Buffer; metrics: unknown; trainingData: store.ModelVersion['trainingData']; submittedBy: string | null },
  ): Promise<store.ModelVersion> {
    const model = await store.findModel(trx, input.modelId, true);
    if (!model) throw new NotFoundError('model', input.modelId);
    const { bytes, sha256 } = Buffer.isBuffer(input.artifact) ? { bytes: input.artifact, sha256: createHash('sha256').update(input.artifact).digest('hex') } : artifactBytes(input.artifact);
    const version = await store.insertVersion(trx, {
      modelId: input.modelId,
      source: 'trained',
      description: `trained by job ${input.jobId}`,
      uri: null,
      trainJobId: input.jobId,
      artifact: bytes,
      artifactSha256: sha256,
      trainingMetrics: input.metrics,
      trainingData: input.trainingData,
      status: 'submitted',
      submittedBy: input.submittedBy,
    });
    await recordAudit(trx, context, { action: 'model.version.train', entityType: 'model', entityId: input.modelId, after: version });
    return version;
  }

  async getVersion(actor: Actor | null, modelId: string, number: number): Promise<{ model: store.Model; version: store.ModelVersion }> {
    const model = await this.get(actor, modelId);
    const version = await store.findVersion(this.db, model.id, number);
    if (!version) throw new NotFoundError(`version of model ${model.name}`, number);
    return { model, version };
  }

  /** A version with its test results (newest first). */
  async versionWithTests(actor: Actor | null, modelId: string, number: number) {
    const { version } = await this.getVersion(actor, modelId, number);
    const tests = await store.listTestResults(this.db, version.id);
    return { ...version, testResults: tests };
  }

  async listVersions(actor: Actor, modelId: string, limit: number, offset: number) {
    const model = await this.get(actor, modelId);
    return store.listVersions(this.db, model.id, limit, offset);
  }

  /** The stored artifact bytes of a version (404 for external versions). */
  async artifact(actor: Actor | null, modelId: string, number: number): Promise<{ version: store.ModelVersion; bytes: Buffer }> {
    const { model, version } = await this.getVersion(actor, modelId, number);
    const bytes = await store.readArtifact(this.db, version.id);
    if (!bytes) throw new NotFoundError(`artifact of ${model.name} version`, `${number} (source ${version.source}${version.uri ? `, ${version.uri}` : ''})`);
    return { version, bytes };
  }

  /** The newest test result of a version, or null. */
  async latestTestResult(versionId: string): Promise<TestResult | null> {
    const [latest] = await store.listTestResults(this.db, versionId, 1);
    return latest?.result ?? null;
  }

  /** Records a version's status (approved, deployed, rejected, ...) with who and why. */
  async setVersionStatus(context: ActionContext, modelId: string, number: number, status: string, comment?: string): Promise<store.ModelVersion> {
    return this.db.transaction(async (trx) => {
      const before = await store.findVersion(trx, modelId, number);
      if (!before) throw new NotFoundError(`version of model ${modelId}`, number);
      const after = await store.appendStatus(trx, before.id, { status, at: new Date().toISOString(), by: context.actor?.id ?? null, ...(comment ? { comment } : {}) });
      await recordAudit(trx, context, { action: 'model.version.status', entityType: 'model_version', entityId: before.id, before: { status: before.status }, after: { status }, comment });
      return after;
    });
  }
}

/** The uploaded artifact must load and be of the model's type. */
function checkArtifact(model: store.Model, artifact: Record<string, unknown>): ModelArtifact {
  const predictor = loadModel(artifact as unknown as ModelArtifact);
  if (predictor.artifact.type !== model.type) {
    throw new ValidationError(`the artifact is a ${predictor.artifact.type} model but ${model.name} is a ${model.type} model`, { artifactType: predictor.artifact.type, modelType: model.type });
  }
  return artifact as unknown as ModelArtifact;
}
