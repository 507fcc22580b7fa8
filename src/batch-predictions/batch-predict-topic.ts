/**
 * The `batch-predict` service-task topic: scores a dataset window with a
 * deployment's champion as a `batch-predict` job, awaited here (a schedule
 * runs it by starting a process such as `processes/batch-prediction.bpmn`).
 * Inputs (task input parameters over process variables): `deploymentId` (id
 * or name), `datasetId`, the window as `from`/`to` or `window` ({from, to},
 * JSON text in an input parameter), `includeInput` (default true). Outputs:
 * `jobId`, `rows`, `outputUrl`. A failed job raises `JOB_FAILED`, a cancelled
 * one `JOB_CANCELLED`.
 */
import { z } from 'zod';
import type { ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import { SYSTEM } from '../identity/actor';
import type { JobRunner } from '../jobs/job-runner';
import { jsonText, taskInputs, Text, TimePoint } from '../engine/service-tasks/task-inputs';
import { awaitJob } from '../ml-tasks/ml-topics';
import type { BatchPredictJobResult } from './batch-predict-job';
import type { BatchPredictionService } from './batch-prediction-service';

const Inputs = z.object({
  deploymentId: Text,
  datasetId: z.uuid(),
  from: TimePoint,
  to: TimePoint,
  window: jsonText(z.object({ from: TimePoint, to: TimePoint }).strict()).optional(),
  includeInput: z.preprocess((v) => (v === 'false' ? false : v === 'true' ? true : v), z.boolean()).optional(),
});

export function batchPredictTopic(deps: { batchPredictions: BatchPredictionService; jobs: JobRunner }): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(Inputs, task);
    const request = { datasetId: inputs.datasetId, from: inputs.from ?? inputs.window?.from, to: inputs.to ?? inputs.window?.to, includeInput: inputs.includeInput };
    const job = await deps.batchPredictions.start(SYSTEM, inputs.deploymentId, request, { idempotencyKey: task.idempotencyKey, processInstanceId: task.instanceId });
    const result = (await awaitJob(deps.jobs, job)).result as BatchPredictJobResult;
    return { jobId: job.id, rows: result.rows, outputUrl: result.outputUrl };
  };
}
