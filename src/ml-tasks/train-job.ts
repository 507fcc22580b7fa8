/**
 * The executor of `train` jobs: streams the dataset window into a worker
 * process, trains there (ml.js, off the event loop) and, in the transaction
 * that marks the job succeeded, stores the artifact as the model's next version.
 * Models with a `command` are trained by it instead (`command-train-job.ts`).
 */
import type { Database } from '../db/connect';
import { findDataset } from '../datasets/dataset-store';
import { SYSTEM } from '../identity/actor';
import type { JobExecutor } from '../jobs/job-runner';
import type { Algorithm, ModelArtifact, TrainingMetrics, TrainOptions } from '../ml';
import type { ModelService } from '../models/model-service';
import { findModel } from '../models/model-store';
import { runCommandTraining } from './command-train-job';
import { describeWindow, feedRows, storedWindow } from './dataset-feed';
import type { TrainJobParams } from './ml-job-service';

/** What a command model's training reports: what Stagegate measured, and the command's own metrics file as `training`. */
export interface CommandTrainingMetrics {
  rows: number;
  durationMs: number;
  training?: Record<string, unknown>;
  /** Classification: the label values seen in training, sorted. */
  classes?: string[];
}

/** What a `train` job's result holds. */
export interface TrainJobResult {
  metrics: (TrainingMetrics | CommandTrainingMetrics) & { algorithm: string; features: string[]; label: string; datasetId: string };
  trainingData: { datasetId: string; from: string | null; to: string | null };
  /** Only when the job made no version (createVersion false). */
  artifact?: ModelArtifact;
  versionNumber?: number;
  versionId?: string;
}

export function trainJobExecutor(db: Database, models: ModelService): JobExecutor {
  return async (io) => {
    const params = io.job.params as unknown as TrainJobParams;
    if (params.command) return runCommandTraining(db, models, io, params);
    const [model, dataset] = await Promise.all([findModel(db, params.modelId), findDataset(db, params.datasetId)]);
    if (!model) throw new Error(`model ${params.modelId} no longer exists`);
    if (!dataset) throw new Error(`dataset ${params.datasetId} no longer exists`);
    const window = storedWindow(params);

    const worker = io.spawnWorker();
    io.log(`worker process ${worker.pid} started`);
    const rows = await feedRows(db, io, worker, { set: 'train', datasetId: dataset.id, window, columns: [...params.features, params.label], progress: [0, 20] });
    if (rows === 0) throw new Error(`dataset ${dataset.name} has no rows in the window (${describeWindow(window)})`);
    io.log(`training ${params.algorithm} (${model.type}) on ${rows} rows of dataset ${dataset.name} (${describeWindow(window)}); features: ${params.features.join(', ')}; label: ${params.label}`);

    worker.events.progress = (percent) => io.progress(20 + percent * 0.75);
    const options: TrainOptions = {
      algorithm: params.algorithm as Algorithm,
      type: model.type,
      features: params.features,
      label: params.label,
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      ...(params.hyperparameters ? { hyperparameters: params.hyperparameters } : {}),
      ...(params.positiveClass !== undefined ? { positiveClass: params.positiveClass } : {}),
    };
    const trained = await worker.run<{ artifact: ModelArtifact; metrics: TrainingMetrics }>('train', options);
    io.log(`trained in ${Math.round(trained.metrics.durationMs)} ms`);

    const result: TrainJobResult = {
      metrics: { ...trained.metrics, algorithm: params.algorithm, features: params.features, label: params.label, datasetId: dataset.id },
      trainingData: { datasetId: dataset.id, from: params.from, to: params.to },
    };
    if (!params.createVersion) return { result: { ...result, artifact: trained.artifact } };
    return {
      result,
      commit: async (trx) => {
        const version = await models.addTrainedVersion(trx, SYSTEM, {
          modelId: model.id,
          jobId: io.job.id,
          artifact: trained.artifact,
          metrics: result.metrics,
          trainingData: result.trainingData,
          submittedBy: io.job.requestedBy,
        });
        return { versionNumber: version.number, versionId: version.id };
      },
    };
  };
}
