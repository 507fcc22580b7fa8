/**
 * `train` jobs of models with a `command` (the command runtime): the dataset
 * window goes to a CSV file, the model's own train command runs on it in its
 * own process group, and the artifact it wrote (any bytes) becomes the next
 * version, stored with its sha256. Contract: `processes/README.md`.
 */
import type { Database } from '../db/connect';
import { findDataset } from '../datasets/dataset-store';
import { SYSTEM } from '../identity/actor';
import type { JobIO, JobOutcome } from '../jobs/job-runner';
import { categoryOfCell, isEmptyCell, sortCategories } from '../ml/schema/cell-values';
import type { ModelService } from '../models/model-service';
import { findModel } from '../models/model-store';
import { commandEnv, makeWorkDir, readArtifactFile, readMetricsFile, runModelCommand, writeWindowCsv } from './command-files';
import { describeWindow, storedWindow } from './dataset-feed';
import type { TrainJobParams } from './ml-job-service';
import type { TrainJobResult } from './train-job';

/** A classification label column with more distinct values than this is not recorded as classes. */
const MAX_CLASSES = 1000;

export async function runCommandTraining(db: Database, models: ModelService, io: JobIO, params: TrainJobParams): Promise<JobOutcome> {
  const command = params.command!;
  const [model, dataset] = await Promise.all([findModel(db, params.modelId), findDataset(db, params.datasetId)]);
  if (!model) throw new Error(`model ${params.modelId} no longer exists`);
  if (!dataset) throw new Error(`dataset ${params.datasetId} no longer exists`);
  const window = storedWindow(params);
  const work = await makeWorkDir(io.job.id);
  try {
    const classes = new Set<string>();
    const rows = await writeWindowCsv(db, io, {
      file: work.file('train.csv'),
      datasetId: dataset.id,
      window,
      columns: [...params.features, params.label],
      progress: [0, 20],
      onPage: (page) => {
        if (model.type !== 'classification' || classes.size > MAX_CLASSES) return;
        for (const row of page) {
          const cell = row[params.label];
          if (!isEmptyCell(cell)) classes.add(categoryOfCell(cell as string | number));
        }
      },
    });
    if (rows === 0) throw new Error(`dataset ${dataset.name} has no rows in the window (${describeWindow(window)})`);
    io.log(`wrote ${rows} rows of dataset ${dataset.name} (${describeWindow(window)}) to train.csv; features: ${params.features.join(', ')}; label: ${params.label}`);

    const started = performance.now();
    await runModelCommand(io, {
      argv: command.argv,
      timeoutMs: command.timeoutMs,
      cwd: work.dir,
      label: 'the train command',
      progress: [20, 95],
      env: commandEnv({
        STAGEGATE_INPUT_CSV: work.file('train.csv'),
        STAGEGATE_ARTIFACT_PATH: work.file('artifact'),
        STAGEGATE_METRICS_JSON: work.file('metrics.json'),
        STAGEGATE_WORK_DIR: work.dir,
        STAGEGATE_JOB_ID: io.job.id,
        STAGEGATE_MODEL_TYPE: model.type,
        STAGEGATE_FEATURES: JSON.stringify(params.features),
        STAGEGATE_LABEL: params.label,
        STAGEGATE_SEED: params.seed === undefined ? undefined : String(params.seed),
        STAGEGATE_HYPERPARAMETERS: params.hyperparameters ? JSON.stringify(params.hyperparameters) : undefined,
        STAGEGATE_POSITIVE_CLASS: params.positiveClass,
      }),
    });
    const durationMs = performance.now() - started;
    const artifact = await readArtifactFile(work.file('artifact'));
    const reported = await readMetricsFile(work.file('metrics.json'));
    io.log(`the train command wrote a ${artifact.length}-byte artifact in ${Math.round(durationMs)} ms${reported ? ' and training metrics' : ''}`);

    const result: TrainJobResult = {
      metrics: {
        rows,
        durationMs,
        ...(reported ? { training: reported } : {}),
        algorithm: 'command',
        features: params.features,
        label: params.label,
        datasetId: dataset.id,
        ...(model.type === 'classification' && classes.size <= MAX_CLASSES ? { classes: sortCategories(classes) } : {}),
      },
      trainingData: { datasetId: dataset.id, from: params.from, to: params.to },
    };
    return {
      result,
      commit: async (trx) => {
        const version = await models.addTrainedVersion(trx, SYSTEM, {
          modelId: model.id,
          jobId: io.job.id,
          artifact,
          metrics: result.metrics,
          trainingData: result.trainingData,
          submittedBy: io.job.requestedBy,
        });
        return { versionNumber: version.number, versionId: version.id };
      },
    };
  } finally {
    await work.remove();
  }
}
