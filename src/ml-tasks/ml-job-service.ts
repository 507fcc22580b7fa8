/**
 * Starts training and test jobs (REST and the `train` / `test` topics share
 * it): resolves the defaults from the model's metadata and the dataset,
 * checks that the columns exist, and queues the job with its parameters spelled
 * out, so the job row says exactly what was run.
 */
import type { Database } from '../db/connect';
import type { Dataset } from '../datasets/dataset-store';
import type { DatasetService } from '../datasets/dataset-service';
import { parseWindow, windowJson } from '../datasets/time-window';
import { ConflictError, ValidationError } from '../errors';
import type { ActionContext } from '../identity/actor';
import { assertCanChange } from '../identity/ownership';
import type { JobRunner } from '../jobs/job-runner';
import { enqueueJob, existingJob, type JobOrigin } from '../jobs/enqueue-job';
import type { Job } from '../jobs/job-store';
import type { Algorithm, ModelArtifact } from '../ml';
import { checkAlgorithm, DEFAULT_COMMAND_TIMEOUT_MS, defaultAlgorithm } from '../models/model-metadata';
import type { ModelService } from '../models/model-service';
import { readArtifact, type Model } from '../models/model-store';

export interface TrainRequest {
  datasetId?: string;
  algorithm?: Algorithm;
  seed?: number;
  hyperparameters?: Record<string, number>;
  features?: string[];
  label?: string;
  positiveClass?: string;
  from?: string;
  to?: string;
  /** false: the job keeps the artifact in its result; `POST /versions {source: 'trained'}` submits it later. */
  createVersion?: boolean;
}

export type { JobOrigin };

export interface TestRequest {
  datasetId: string;
  from?: string;
  to?: string;
}

/** A model command snapshotted on the job when it is queued (a later change of the model does not affect it). */
export interface JobCommand {
  argv: string[];
  timeoutMs: number;
}

/** Parameters of a `train` job, as stored on the job. */
export interface TrainJobParams {
  modelId: string;
  datasetId: string;
  /** `command`: the model's own train command runs (`command` below). */
  algorithm: Algorithm | 'command';
  command?: JobCommand;
  features: string[];
  label: string;
  seed?: number;
  hyperparameters?: Record<string, number>;
  positiveClass?: string;
  from: string | null;
  to: string | null;
  createVersion: boolean;
}

/** Parameters of a `test` job, as stored on the job. */
export interface TestJobParams {
  modelId: string;
  versionNumber: number;
  datasetId: string;
  from: string | null;
  to: string | null;
  /** Set for a version a train command made: its score command runs. */
  command?: JobCommand;
}

export class MlJobService {
  constructor(
    private readonly db: Database,
    private readonly models: ModelService,
    private readonly datasets: DatasetService,
    private readonly jobs: JobRunner,
  ) {}

  /** Queues a training job (or returns the job a service task already started). */
  async startTraining(context: ActionContext, modelRef: string, request: TrainRequest, origin?: JobOrigin): Promise<Job> {
    const existing = await existingJob(this.db, origin);
    if (existing) return existing;
    const model = await this.models.get(context.actor, modelRef);
    assertCanChange(context.actor, model.ownerId, 'models you own');
    const { metadata } = model;
    const datasetId = request.datasetId ?? metadata.datasetId;
    if (!datasetId) throw new ValidationError(`no dataset to train ${model.name} on: give datasetId or set the model's metadata.datasetId`, { field: 'datasetId' });
    const dataset = await this.readableDataset(context, datasetId);
    const label = request.label ?? metadata.label ?? dataset.labelColumn;
    const excluded = new Set([label, dataset.timestampColumn, metadata.protectedAttribute]);
    const features = request.features ?? metadata.features ?? dataset.schema!.map((column) => column.name).filter((name) => !excluded.has(name));
    requireColumns(dataset, [...features, label]);
    const command = metadata.command ? trainCommand(model, request) : undefined;
    const algorithm = command ? 'command' : (request.algorithm ?? metadata.algorithm ?? defaultAlgorithm(model.type));
    if (!command) checkAlgorithm(model.type, algorithm);
    const window = windowJson(parseWindow(request.from, request.to));
    const hyperparameters = request.hyperparameters ?? metadata.hyperparameters;
    const positiveClass = request.positiveClass ?? metadata.positiveClass;
    const params: TrainJobParams = {
      modelId: model.id,
      datasetId: dataset.id,
      algorithm,
      ...(command ? { command } : {}),
      features,
      label,
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(hyperparameters ? { hyperparameters } : {}),
      ...(positiveClass !== undefined && model.type === 'classification' ? { positiveClass } : {}),
      ...window,
      createVersion: request.createVersion ?? true,
    };
    return this.enqueue(context, 'train', model.id, params as unknown as Record<string, unknown>, origin);
  }

  /** Queues a test job of a version on a dataset window (or returns the service task's existing one). */
  async startTest(context: ActionContext, modelRef: string, versionNumber: number, request: TestRequest, origin?: JobOrigin): Promise<Job> {
    const existing = await existingJob(this.db, origin);
    if (existing) return existing;
    const { model, version } = await this.models.getVersion(context.actor, modelRef, versionNumber);
    assertCanChange(context.actor, model.ownerId, 'models you own');
    const bytes = await readArtifact(this.db, version.id);
    if (!bytes) throw new ConflictError(`version ${versionNumber} of ${model.name} is ${version.source} (${version.uri ?? 'no artifact'}): there is no stored artifact to test`, { source: version.source });
    const commandVersion = commandTrained(version.trainingMetrics);
    const command = commandVersion ? scoreCommand(model, versionNumber) : undefined;
    const columns = commandVersion ? [...commandVersion.features, commandVersion.label] : artifactColumns(bytes);
    const dataset = await this.readableDataset(context, request.datasetId);
    requireColumns(dataset, columns);
    const params: TestJobParams = { modelId: model.id, versionNumber, datasetId: dataset.id, ...windowJson(parseWindow(request.from, request.to)), ...(command ? { command } : {}) };
    return this.enqueue(context, 'test', model.id, params as unknown as Record<string, unknown>, origin);
  }

  private async readableDataset(context: ActionContext, id: string): Promise<Dataset> {
    const dataset = await this.datasets.get(context.actor, id);
    if (!dataset.schema) throw new ValidationError(`dataset ${dataset.name} has no rows yet: upload a CSV first`, { datasetId: id });
    return dataset;
  }

  private enqueue(context: ActionContext, type: string, modelId: string, params: Record<string, unknown>, origin?: JobOrigin): Promise<Job> {
    return enqueueJob(this.db, this.jobs, context, { type, modelId, params, origin });
  }
}

/** The train command of a command model; 400 for options only built-in trainers have. */
function trainCommand(model: Model, request: TrainRequest): JobCommand {
  const command = model.metadata.command!;
  if (!command.train) throw new ConflictError(`model ${model.name} has a command without "train": give metadata.command.train or remove the command to use a built-in trainer`, { command });
  if (request.algorithm) throw new ValidationError(`model ${model.name} is trained by its own command; "algorithm" applies to built-in trainers only`, { field: 'algorithm' });
  if (request.createVersion === false) throw new ValidationError(`model ${model.name} is trained by its own command: its artifact is always stored as a version (createVersion false is for built-in trainers)`, { field: 'createVersion' });
  return { argv: command.train, timeoutMs: command.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
}

/** The score command that tests a version a train command made (409 when the model has none now). */
function scoreCommand(model: Model, versionNumber: number): JobCommand {
  const command = model.metadata.command;
  if (!command?.score) throw new ConflictError(`version ${versionNumber} of ${model.name} was made by a train command; testing it needs metadata.command.score`, { versionNumber });
  return { argv: command.score, timeoutMs: command.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
}

/** The features and label of a version a train command made (null for other versions). */
export function commandTrained(metrics: unknown): { features: string[]; label: string; classes?: string[] } | null {
  const record = metrics as { algorithm?: string; features?: string[]; label?: string; classes?: string[] } | null;
  if (record?.algorithm !== 'command' || !Array.isArray(record.features) || typeof record.label !== 'string') return null;
  return { features: record.features, label: record.label, ...(record.classes ? { classes: record.classes } : {}) };
}

/** The columns a built-in artifact reads. */
function artifactColumns(bytes: Buffer): string[] {
  const artifact = JSON.parse(bytes.toString('utf8')) as ModelArtifact;
  return [...artifact.features.map((feature) => feature.name), artifact.label];
}

/** 400 naming the columns the dataset lacks. */
export function requireColumns(dataset: Dataset, columns: string[]): void {
  const present = new Set(dataset.schema!.map((column) => column.name));
  const missing = [...new Set(columns)].filter((name) => !present.has(name));
  if (missing.length) {
    throw new ValidationError(`dataset ${dataset.name} has no column ${missing.map((name) => `"${name}"`).join(', ')} (it has ${[...present].join(', ')})`, { missing });
  }
}
