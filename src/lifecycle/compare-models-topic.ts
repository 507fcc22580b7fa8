/**
 * `compare-models`: tests a candidate version and the champion on the same
 * labeled rows (the holdout) — two test jobs side by side — and says whether
 * the candidate wins on one metric by at least `minImprovement`.
 */
import { z } from 'zod';
import type { ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import { ValidationError } from '../errors';
import { SYSTEM } from '../identity/actor';
import type { JobRunner } from '../jobs/job-runner';
import type { TestResult } from '../ml';
import type { MlJobService } from '../ml-tasks/ml-job-service';
import { awaitJob } from '../ml-tasks/ml-topics';
import type { TestJobResult } from '../ml-tasks/test-job';
import type { ModelService } from '../models/model-service';
import { Integer, taskInputs, Text, TimePoint } from '../engine/service-tasks/task-inputs';

export interface CompareModelsDeps {
  models: ModelService;
  mlJobs: MlJobService;
  jobs: JobRunner;
}

/** Metrics where lower is better; every other metric is better higher. */
const LOWER_IS_BETTER = new Set(['rmse', 'mae', 'logLoss']);
const COMPARABLE = ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss', 'rmse', 'mae', 'r2'] as const;

const Inputs = z.object({
  modelId: Text,
  candidateVersion: Integer.min(1),
  championVersion: Integer.min(1),
  datasetId: z.uuid(),
  from: TimePoint,
  to: TimePoint,
  metric: z.enum(COMPARABLE).optional(),
  minImprovement: z.coerce.number().min(0).default(0),
});

/** The metric's value, or null when the result lacks it. */
function metricOf(result: TestResult, metric: string): number | null {
  const value = (result.metrics as unknown as Record<string, unknown>)[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function compareModelsTopic(deps: CompareModelsDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(Inputs, task);
    if (inputs.candidateVersion === inputs.championVersion) throw new ValidationError(`compare-models task ${task.elementId}: candidate and champion are both version ${inputs.championVersion}`);
    const model = await deps.models.get(null, inputs.modelId);
    const metric = inputs.metric ?? (model.type === 'regression' ? 'rmse' : 'rocAuc');
    const window = { datasetId: inputs.datasetId, from: inputs.from, to: inputs.to };
    // One job per version, each with its own idempotency key derived from the task's.
    const test = async (role: string, versionNumber: number) => {
      const origin = { idempotencyKey: `${task.idempotencyKey}:${role}`, processInstanceId: task.instanceId };
      const job = await deps.mlJobs.startTest(SYSTEM, model.id, versionNumber, window, origin);
      return ((await awaitJob(deps.jobs, job)).result as TestJobResult).testResult;
    };
    const [candidate, champion] = await Promise.all([test('candidate', inputs.candidateVersion), test('champion', inputs.championVersion)]);
    const candidateMetric = metricOf(candidate, metric);
    const championMetric = metricOf(champion, metric);
    const sign = LOWER_IS_BETTER.has(metric) ? -1 : 1;
    const improvement = candidateMetric !== null && championMetric !== null ? sign * (candidateMetric - championMetric) : null;
    const candidateWins = improvement !== null && improvement > 0 && improvement >= inputs.minImprovement;
    const { version } = await deps.models.getVersion(null, model.id, inputs.candidateVersion);
    return {
      candidateWins,
      metric,
      candidateMetric,
      championMetric,
      improvement,
      candidateVersionId: version.id,
      candidateTestResult: candidate,
      championTestResult: champion,
      // The work item shows the latest test result: the candidate's.
      testResult: candidate,
    };
  };
}
