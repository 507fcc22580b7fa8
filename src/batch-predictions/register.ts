/**
 * Wires batch predictions: the service, the `batch-predict` job executor and
 * topic, and the routes. `server.ts` calls it once.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { Database } from '../db/connect';
import type { DatasetService } from '../datasets/dataset-service';
import type { DeploymentService } from '../deployments/deployment-service';
import type { ServiceTaskRegistry } from '../engine/service-tasks/handler-registry';
import type { JobRunner } from '../jobs/job-runner';
import { batchPredictJobExecutor } from './batch-predict-job';
import { batchPredictTopic } from './batch-predict-topic';
import { BATCH_PREDICT_JOB, BatchPredictionService } from './batch-prediction-service';
import { batchPredictionRoutes } from './batch-prediction-routes';
import { OutputFiles } from './output-files';

export interface BatchPredictionDeps {
  db: Database;
  jobs: JobRunner;
  serviceTasks: ServiceTaskRegistry;
  deployments: DeploymentService;
  datasets: DatasetService;
  /** DATA_DIR: outputs go to its `batch-predictions/`. */
  dataDir: string;
}

/** Registers the job type and the topic; returns the routes' factory. */
export function registerBatchPredictions(deps: BatchPredictionDeps): { routes(registry: OpenAPIRegistry): Router } {
  const files = new OutputFiles(deps.dataDir);
  const batchPredictions = new BatchPredictionService(deps.db, deps.deployments, deps.datasets, deps.jobs);
  deps.jobs.register(BATCH_PREDICT_JOB, batchPredictJobExecutor(deps.db, files));
  deps.serviceTasks.register('batch-predict', batchPredictTopic({ batchPredictions, jobs: deps.jobs }));
  return { routes: (registry) => batchPredictionRoutes(registry, deps.db, batchPredictions, files) };
}
