/**
 * The `train`, `test` and `check-thresholds` service-task topics (SPEC §5).
 * Inputs come from the task's input parameters, else from the process
 * variables of the same name; outputs become process variables. The heavy
 * work is a job (awaited here, run by the job runner in a worker process); the
 * task's idempotency key makes a re-invoked task find its job again. See
 * `processes/README.md` for the reference.
 */
import { z } from 'zod';
import { ALGORITHM_NAMES, ThresholdSchema } from '../models/model-metadata';
import type { ModelService } from '../models/model-service';
import { BpmnError, type ServiceTaskContext, type ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import { ValidationError } from '../errors';
import { SYSTEM } from '../identity/actor';
import type { JobRunner } from '../jobs/job-runner';
import type { Job } from '../jobs/job-store';
import { checkThresholds, type TestResult, type Threshold } from '../ml';
import { Integer, jsonText, taskInputs, Text, TimePoint } from '../engine/service-tasks/task-inputs';
import type { MlJobService } from './ml-job-service';
import type { TrainJobResult } from './train-job';
import type { TestJobResult } from './test-job';

export interface MlTopicDeps {
  models: ModelService;
  mlJobs: MlJobService;
  jobs: JobRunner;
}

const TrainInputs = z.object({
  modelId: Text,
  datasetId: z.uuid().optional(),
  algorithm: z.enum(ALGORITHM_NAMES).optional(),
  seed: Integer.optional(),
  hyperparameters: jsonText(z.record(z.string(), z.number())).optional(),
  from: TimePoint,
  to: TimePoint,
});
const TestInputs = z.object({ modelId: Text, versionNumber: Integer.min(1), datasetId: z.uuid(), from: TimePoint, to: TimePoint });
const CheckInputs = z.object({
  modelId: Text.optional(),
  versionNumber: Integer.min(1).optional(),
  thresholds: jsonText(z.array(ThresholdSchema)).optional(),
  testResult: jsonText(z.object({ schema: z.string(), type: z.string(), rows: z.number(), metrics: z.record(z.string(), z.unknown()) }).passthrough()).optional(),
});

/** Waits for the job; a failed or cancelled one is a BPMN error the process can catch. */
export async function awaitJob(jobs: JobRunner, job: Job): Promise<Job> {
  const final = await jobs.waitFor(job.id);
  if (final.status === 'cancelled') throw new BpmnError('JOB_CANCELLED', `${final.type} job ${final.id} was cancelled`);
  if (final.status === 'failed') throw new BpmnError('JOB_FAILED', `${final.type} job ${final.id} failed: ${final.error}`);
  return final;
}

const origin = (task: ServiceTaskContext) => ({ idempotencyKey: task.idempotencyKey, processInstanceId: task.instanceId });

/** `train`: trains the model on a dataset → versionNumber, trainJobId, trainingMetrics. */
export function trainTopic(deps: MlTopicDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(TrainInputs, task);
    const job = await deps.mlJobs.startTraining(SYSTEM, inputs.modelId, { ...inputs, createVersion: true }, origin(task));
    const result = (await awaitJob(deps.jobs, job)).result as TrainJobResult;
    return { versionNumber: result.versionNumber, trainJobId: job.id, trainingMetrics: result.metrics };
  };
}

/** `test`: tests a version on a dataset window → testResult, testJobId. */
export function testTopic(deps: MlTopicDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(TestInputs, task);
    const job = await deps.mlJobs.startTest(SYSTEM, inputs.modelId, inputs.versionNumber, inputs, origin(task));
    const result = (await awaitJob(deps.jobs, job)).result as TestJobResult;
    return { testResult: result.testResult, testJobId: job.id };
  };
}

/**
 * `check-thresholds`: compares a test result with thresholds → passed, breaches.
 * Thresholds: the input, else the model's metadata; the test result: the
 * input/variable `testResult`, else the version's latest.
 */
export function checkThresholdsTopic(deps: MlTopicDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(CheckInputs, task);
    const needModel = !inputs.thresholds || !inputs.testResult;
    if (needModel && !inputs.modelId) throw new ValidationError(`check-thresholds task ${task.elementId} needs modelId unless thresholds and testResult are both given`);
    const model = needModel ? await deps.models.get(null, inputs.modelId!) : null;
    const thresholds: Threshold[] = inputs.thresholds ?? model!.metadata.thresholds;
    let testResult = inputs.testResult as unknown as TestResult | undefined;
    if (!testResult) {
      if (!inputs.versionNumber) throw new ValidationError(`check-thresholds task ${task.elementId} needs testResult or versionNumber`);
      const { version } = await deps.models.getVersion(null, model!.id, inputs.versionNumber);
      testResult = (await deps.models.latestTestResult(version.id)) ?? undefined;
      if (!testResult) throw new ValidationError(`version ${inputs.versionNumber} of ${model!.name} has no test result yet`);
    }
    const { passed, breaches } = checkThresholds(testResult, thresholds);
    return { passed, breaches };
  };
}
