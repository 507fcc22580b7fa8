/**
 * The executor of `test` jobs: scores a version's artifact on a dataset window
 * in a worker process and stores the standardized test result on the version
 * (and on the job). Drift is measured against a sample of the version's
 * training rows when it was trained here; fairness over the model's protected
 * attribute when it names one. Versions a train command made are scored by
 * the model's score command (`command-test-job.ts`).
 */
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { findDataset, type Dataset } from '../datasets/dataset-store';
import { SYSTEM } from '../identity/actor';
import type { JobExecutor, JobIO, JobOutcome } from '../jobs/job-runner';
import type { EvaluateOptions, ModelArtifact, TestResult } from '../ml';
import { findModel, findVersion, insertTestResult, readArtifact, type Model, type ModelVersion } from '../models/model-store';
import { runCommandTest } from './command-test-job';
import { describeWindow, feedRows, storedWindow } from './dataset-feed';
import type { TestJobParams } from './ml-job-service';

/** At most this many training rows are sent as the drift reference. */
const MAX_REFERENCE_ROWS = 20000;

export interface TestJobResult {
  testResult: TestResult;
  versionNumber: number;
  datasetId: string;
  from: string | null;
  to: string | null;
  testResultId?: string;
}

export function testJobExecutor(db: Database): JobExecutor {
  return async (io) => {
    const params = io.job.params as unknown as TestJobParams;
    const model = await findModel(db, params.modelId);
    if (!model) throw new Error(`model ${params.modelId} no longer exists`);
    const version = await findVersion(db, model.id, params.versionNumber);
    if (!version) throw new Error(`version ${params.versionNumber} of ${model.name} no longer exists`);
    const dataset = await findDataset(db, params.datasetId);
    if (!dataset) throw new Error(`dataset ${params.datasetId} no longer exists`);
    const bytes = await readArtifact(db, version.id);
    if (!bytes) throw new Error(`version ${version.number} of ${model.name} has no stored artifact`);
    if (params.command) {
      const testResult = await runCommandTest(db, io, { params, model, version, dataset, artifact: bytes });
      io.log(`tested ${testResult.rows} rows`);
      return outcome(io, { model, version, dataset, params, testResult });
    }
    const artifact = JSON.parse(bytes.toString('utf8')) as ModelArtifact;
    const features = artifact.features.map((feature) => feature.name);
    const protectedAttribute = model.type === 'classification' ? model.metadata.protectedAttribute : undefined;
    const window = storedWindow(params);

    const evaluate: EvaluateOptions = protectedAttribute ? { protectedAttribute, ...(model.metadata.privilegedGroup ? { privilegedGroup: model.metadata.privilegedGroup } : {}) } : {};
    const worker = io.spawnWorker();
    io.log(`worker process ${worker.pid} started`);
    // The worker scores the rows as they arrive and keeps only compact outcomes: a large window never sits in memory whole.
    // The drift reference goes first: the worker then only counts the test rows' drift bins.
    await worker.prepare('test', { artifact, evaluate });
    let referenceRows = 0;
    const training = version.trainingData;
    if (training && (await findDataset(db, training.datasetId))) {
      const referenceWindow = storedWindow(training);
      referenceRows = await feedRows(db, io, worker, { set: 'reference', datasetId: training.datasetId, window: referenceWindow, columns: features, maxRows: MAX_REFERENCE_ROWS, progress: [0, 5] });
    }
    const columns = [...features, artifact.label, ...(protectedAttribute && !features.includes(protectedAttribute) ? [protectedAttribute] : [])];
    const rows = await feedRows(db, io, worker, { set: 'test', datasetId: dataset.id, window, columns, progress: [5, 60] });
    if (rows === 0) throw new Error(`dataset ${dataset.name} has no rows in the window (${describeWindow(window)})`);
    io.log(
      `testing version ${version.number} of ${model.name} on ${rows} rows of dataset ${dataset.name} (${describeWindow(window)})` +
        (referenceRows ? `; drift against ${referenceRows} training rows` : '; no training rows for drift') +
        (protectedAttribute ? `; fairness over ${protectedAttribute}` : ''),
    );

    worker.events.progress = (percent) => io.progress(60 + percent * 0.35);
    const testResult = await worker.run<TestResult>('test', { artifact, evaluate });
    io.log(`tested ${testResult.rows} rows`);
    return outcome(io, { model, version, dataset, params, testResult });
  };
}

/** Stores the test result on the version (and the job) when the job succeeds. */
function outcome(io: JobIO, input: { model: Model; version: ModelVersion; dataset: Dataset; params: TestJobParams; testResult: TestResult }): JobOutcome {
  const { model, version, dataset, params, testResult } = input;
  const window = storedWindow(params);
  const result: TestJobResult = { testResult, versionNumber: version.number, datasetId: dataset.id, from: params.from, to: params.to };
  return {
    result,
    commit: async (trx) => {
      const stored = await insertTestResult(trx, { modelId: model.id, versionId: version.id, jobId: io.job.id, datasetId: dataset.id, window: { from: window.from ?? null, to: window.to ?? null }, result: testResult });
      await recordAudit(trx, SYSTEM, { action: 'model.version.test', entityType: 'model_version', entityId: version.id, after: { testResultId: stored.id, jobId: io.job.id, rows: testResult.rows }, comment: `test job ${io.job.id}` });
      return { testResultId: stored.id };
    },
  };
}
