/**
 * `test` jobs of versions a train command made: the stored artifact and the
 * window's feature columns go to files, the model's score command writes its
 * predictions CSV, and a worker process turns the predictions and the labels
 * into the same standardized test result built-in models get (metrics,
 * fairness, drift). Contract: `processes/README.md`.
 */
import { writeFile } from 'node:fs/promises';
import type { Database } from '../db/connect';
import { findDataset, type Dataset } from '../datasets/dataset-store';
import type { JobIO } from '../jobs/job-runner';
import type { ScoredModel } from '../jobs/job-worker';
import type { EvaluateOptions, FeatureSpec, TestResult } from '../ml';
import type { Model, ModelVersion } from '../models/model-store';
import { commandEnv, makeWorkDir, readPredictions, runModelCommand, writeWindowCsv } from './command-files';
import { describeWindow, feedRows, storedWindow } from './dataset-feed';
import { commandTrained, type TestJobParams } from './ml-job-service';

const MAX_REFERENCE_ROWS = 20000;

/** Scores the window with the score command; resolves with the test result. */
export async function runCommandTest(db: Database, io: JobIO, input: { params: TestJobParams; model: Model; version: ModelVersion; dataset: Dataset; artifact: Buffer }): Promise<TestResult> {
  const { params, model, version, dataset } = input;
  const command = params.command!;
  const trained = commandTrained(version.trainingMetrics);
  if (!trained) throw new Error(`version ${version.number} of ${model.name} was not made by a train command`);
  const kinds = new Map((dataset.schema ?? []).map((column) => [column.name, column.kind]));
  const features: FeatureSpec[] = trained.features.map((name) => ({ name, kind: kinds.get(name) === 'numeric' ? 'numeric' : 'categorical' }));
  const protectedAttribute = model.type === 'classification' ? model.metadata.protectedAttribute : undefined;
  const sent = [...trained.features, trained.label, ...(protectedAttribute && !trained.features.includes(protectedAttribute) ? [protectedAttribute] : [])];
  const window = storedWindow(params);
  const work = await makeWorkDir(io.job.id);
  try {
    await writeFile(work.file('artifact'), input.artifact);
    const scored: ScoredModel = {
      type: model.type,
      label: trained.label,
      features,
      ...(trained.classes ? { classes: trained.classes } : {}),
      ...(model.metadata.positiveClass ? { positiveClass: model.metadata.positiveClass } : {}),
    };
    const evaluate: EvaluateOptions = protectedAttribute ? { protectedAttribute, ...(model.metadata.privilegedGroup ? { privilegedGroup: model.metadata.privilegedGroup } : {}) } : {};
    const worker = io.spawnWorker();
    io.log(`worker process ${worker.pid} started`);
    // The worker keeps only compact labels and groups of the rows (and drift counts), then takes the predictions as they are read.
    await worker.prepare('evaluate-predictions', { model: scored, evaluate });
    // The drift reference goes first: the worker then only counts the test rows' drift bins.
    let referenceRows = 0;
    const training = version.trainingData;
    if (training && (await findDataset(db, training.datasetId))) {
      referenceRows = await feedRows(db, io, worker, { set: 'reference', datasetId: training.datasetId, window: storedWindow(training), columns: trained.features, maxRows: MAX_REFERENCE_ROWS, progress: [0, 5] });
    }
    const rows = await writeWindowCsv(db, io, {
      file: work.file('input.csv'),
      datasetId: dataset.id,
      window,
      columns: trained.features,
      progress: [5, 40],
      // The labels (and the protected attribute) go to the worker, never to the command.
      pageColumns: sent,
      onPage: (page) => worker.sendRows('test', page),
    });
    if (rows === 0) throw new Error(`dataset ${dataset.name} has no rows in the window (${describeWindow(window)})`);
    io.log(`wrote ${rows} rows of dataset ${dataset.name} (${describeWindow(window)}) to input.csv; features: ${trained.features.join(', ')}`);

    await runModelCommand(io, {
      argv: command.argv,
      timeoutMs: command.timeoutMs,
      cwd: work.dir,
      label: 'the score command',
      progress: [40, 70],
      env: commandEnv({
        STAGEGATE_INPUT_CSV: work.file('input.csv'),
        STAGEGATE_ARTIFACT_PATH: work.file('artifact'),
        STAGEGATE_OUTPUT_CSV: work.file('predictions.csv'),
        STAGEGATE_WORK_DIR: work.dir,
        STAGEGATE_JOB_ID: io.job.id,
        STAGEGATE_MODEL_TYPE: model.type,
        STAGEGATE_FEATURES: JSON.stringify(trained.features),
        STAGEGATE_LABEL: trained.label,
        STAGEGATE_CLASSES: trained.classes ? JSON.stringify(trained.classes) : undefined,
      }),
    });
    const predicted = await readPredictions(work.file('predictions.csv'), model.type, (batch) => worker.sendRows('predictions', batch as never));
    if (predicted !== rows) throw new Error(`the score command wrote ${predicted} predictions for ${rows} input rows (STAGEGATE_OUTPUT_CSV needs one line per input row, in order)`);

    io.log(`evaluating ${rows} predictions` + (referenceRows ? `; drift against ${referenceRows} training rows` : '') + (protectedAttribute ? `; fairness over ${protectedAttribute}` : ''));
    worker.events.progress = (percent) => io.progress(80 + percent * 0.15);
    return await worker.run<TestResult>('evaluate-predictions', {});
  } finally {
    await work.remove();
  }
}
