/**
 * The executor of `batch-predict` jobs: streams a dataset window page by page
 * through the deployment's champion and writes the CSV (`batch-csv.ts`) to the
 * job's output file. Embedded runtime: the rows go to a worker process that
 * scores and writes them as they arrive; `http` runtime: each page is
 * forwarded to the model server as one request. Neither side holds more than
 * a page of rows or output.
 */
import { open } from 'node:fs/promises';
import type { Database } from '../db/connect';
import { findDataset } from '../datasets/dataset-store';
import { findDeployment, findVersionById, type Deployment } from '../deployments/deployment-store';
import type { JobExecutor, JobIO } from '../jobs/job-runner';
import type { ModelArtifact, Row } from '../ml';
import { describeWindow, feedRows, storedWindow, type FeedOptions } from '../ml-tasks/dataset-feed';
import { remotePredict } from '../runtimes/runtime-client';
import { findRuntime } from '../runtimes/runtime-store';
import { headerLine, predictionLines, type BatchCsvLayout } from './batch-csv';
import { readFeatures } from './batch-input';
import { servedArtifact, type BatchPredictJobParams } from './batch-prediction-service';
import type { BatchScorerOptions } from './batch-scorer';
import type { OutputFiles } from './output-files';

export interface BatchPredictJobResult {
  deploymentId: string;
  datasetId: string;
  /** The champion version that scored every row. */
  versionId: string;
  versionNumber: number;
  runtime: 'embedded' | 'http';
  rows: number;
  bytes: number;
  from: string | null;
  to: string | null;
  includeInput: boolean;
  /** Where to download the CSV. */
  outputUrl: string;
}

/** What scoring the window needs: the rows go through the champion into `outputPath`. */
interface Run {
  io: JobIO;
  deployment: Deployment;
  artifact: ModelArtifact;
  layout: BatchCsvLayout;
  feed: FeedOptions;
  outputPath: string;
}

export const outputUrl = (jobId: string) => `/api/jobs/${jobId}/output`;

export function batchPredictJobExecutor(db: Database, files: OutputFiles): JobExecutor {
  return async (io) => {
    const params = io.job.params as unknown as BatchPredictJobParams;
    const deployment = await findDeployment(db, params.deploymentId);
    if (!deployment) throw new Error(`deployment ${params.deploymentId} no longer exists`);
    if (deployment.status !== 'active') throw new Error(`deployment ${deployment.name} was deactivated before the job ran`);
    const dataset = await findDataset(db, params.datasetId);
    if (!dataset?.schema) throw new Error(`dataset ${params.datasetId} no longer exists`);
    const version = (await findVersionById(db, deployment.championVersionId))!;
    const artifact = await servedArtifact(db, version.id);
    const runtime = (await findRuntime(db, deployment.runtimeId))!;
    const window = storedWindow(params);
    const features = artifact.features.map((feature) => feature.name);
    const inputColumns = params.includeInput ? dataset.schema.map((column) => column.name) : [];
    const run: Run = {
      io,
      deployment,
      artifact,
      layout: { inputColumns, classifier: artifact.type === 'classification' },
      feed: { set: 'input', datasetId: dataset.id, window, columns: [...new Set([...inputColumns, ...features])], progress: [0, 98] },
      outputPath: await files.partialPath(io.job.id),
    };
    io.log(`scoring ${describeWindow(window)} of dataset ${dataset.name} with version ${version.number} (champion of ${deployment.name}, ${runtime.kind} runtime ${runtime.name})`);
    try {
      const rows = runtime.kind === 'http' ? await scoreRemotely(db, run, runtime.url!) : await scoreInWorker(db, run);
      if (io.signal.aborted) throw io.signal.reason;
      const bytes = await files.complete(io.job.id);
      io.log(`wrote ${rows} predictions (${bytes} bytes)`);
      const result: BatchPredictJobResult = {
        deploymentId: deployment.id,
        datasetId: dataset.id,
        versionId: version.id,
        versionNumber: version.number,
        runtime: runtime.kind,
        rows,
        bytes,
        from: params.from,
        to: params.to,
        includeInput: params.includeInput,
        outputUrl: outputUrl(io.job.id),
      };
      return { result };
    } catch (err) {
      await files.discard(io.job.id);
      throw err;
    }
  };
}

/** Embedded runtime: the worker scores each page as it arrives and appends its lines to the file. */
async function scoreInWorker(db: Database, run: Run): Promise<number> {
  const worker = run.io.spawnWorker();
  run.io.log(`worker process ${worker.pid} started`);
  const options: BatchScorerOptions = { artifact: run.artifact, outputPath: run.outputPath, layout: run.layout };
  await worker.prepare('batch-predict', options);
  await feedRows(db, run.io, worker, run.feed);
  return (await worker.run<{ rows: number }>('batch-predict', {})).rows;
}

/** `http` runtime: one request to the model server per page, its lines appended before the next page is read. */
async function scoreRemotely(db: Database, run: Run, url: string): Promise<number> {
  const file = await open(run.outputPath, 'w');
  let written = 0;
  try {
    await file.write(headerLine(run.layout));
    const sink = {
      sendRows: async (_set: string, rows: Row[]) => {
        const features = readFeatures(run.artifact, rows, written + 1);
        const predictions = await remotePredict(url, run.deployment.id, features, run.io.signal);
        await file.write(predictionLines(run.layout, rows, predictions));
        written += rows.length;
      },
    };
    await feedRows(db, run.io, sink, run.feed);
    return written;
  } finally {
    await file.close();
  }
}
