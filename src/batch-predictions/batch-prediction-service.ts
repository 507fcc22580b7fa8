/**
 * Starts batch predictions (REST and the `batch-predict` topic share it):
 * checks the deployment (visible, active), the dataset (readable, with the
 * champion's features as columns) and the window before any job exists, then
 * queues a `batch-predict` job whose parameters say exactly what is scored.
 */
import type { Database } from '../db/connect';
import type { DatasetService } from '../datasets/dataset-service';
import { parseWindow, windowJson } from '../datasets/time-window';
import type { DeploymentService } from '../deployments/deployment-service';
import { ConflictError, ValidationError } from '../errors';
import type { ActionContext } from '../identity/actor';
import { enqueueJob, existingJob, type JobOrigin } from '../jobs/enqueue-job';
import type { JobRunner } from '../jobs/job-runner';
import type { Job } from '../jobs/job-store';
import type { ModelArtifact } from '../ml';
import { requireColumns } from '../ml-tasks/ml-job-service';
import { readArtifact } from '../models/model-store';

export const BATCH_PREDICT_JOB = 'batch-predict';

export interface BatchPredictionRequest {
  datasetId: string;
  from?: string;
  to?: string;
  /** Write the dataset's columns before the prediction (default true). */
  includeInput?: boolean;
}

/** Parameters of a `batch-predict` job, as stored on the job. */
export interface BatchPredictJobParams {
  deploymentId: string;
  datasetId: string;
  from: string | null;
  to: string | null;
  includeInput: boolean;
}

/** The stored artifact of a served version (deployments serve only versions that have one). */
export async function servedArtifact(db: Database, versionId: string): Promise<ModelArtifact> {
  const bytes = await readArtifact(db, versionId);
  if (!bytes) throw new Error(`version ${versionId} has no stored artifact`);
  return JSON.parse(bytes.toString('utf8')) as ModelArtifact;
}

export class BatchPredictionService {
  constructor(
    private readonly db: Database,
    private readonly deployments: DeploymentService,
    private readonly datasets: DatasetService,
    private readonly jobs: JobRunner,
  ) {}

  /** Queues the job (or returns the one a service task already started). 404/409/400 before anything is stored. */
  async start(context: ActionContext, deploymentRef: string, request: BatchPredictionRequest, origin?: JobOrigin): Promise<Job> {
    const existing = await existingJob(this.db, origin);
    if (existing) return existing;
    const deployment = await this.deployments.get(context.actor, deploymentRef);
    if (deployment.status !== 'active') {
      throw new ConflictError(`deployment ${deployment.name} is inactive; an approver activates it with POST /api/deployments/${deployment.id}/activate`, { status: deployment.status }, 'DEPLOYMENT_INACTIVE');
    }
    const dataset = await this.datasets.get(context.actor, request.datasetId);
    if (!dataset.schema) throw new ValidationError(`dataset ${dataset.name} has no rows yet: upload a CSV first`, { datasetId: dataset.id });
    const artifact = await servedArtifact(this.db, deployment.championVersionId);
    requireColumns(dataset, artifact.features.map((feature) => feature.name));
    const params: BatchPredictJobParams = {
      deploymentId: deployment.id,
      datasetId: dataset.id,
      ...windowJson(parseWindow(request.from, request.to)),
      includeInput: request.includeInput ?? true,
    };
    return enqueueJob(this.db, this.jobs, context, { type: BATCH_PREDICT_JOB, modelId: deployment.modelId, params: params as unknown as Record<string, unknown>, origin });
  }
}
