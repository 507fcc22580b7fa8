/**
 * `list-active-deployments` and `backtest`, the topics of Daily Backtesting.
 * A backtest tests the exact champion version of a deployment on a window of
 * labeled data (by default yesterday), checks the model's thresholds and
 * stores both in the deployment's backtest history. Because a multi-instance
 * task hands its element only to the task itself, `backtest` also collects
 * what the rest of the process needs: the list of breached deployments.
 */
import { z } from 'zod';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { countRows } from '../datasets/dataset-store';
import { parseWindow, windowJson } from '../datasets/time-window';
import type { ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import { ValidationError } from '../errors';
import { SYSTEM } from '../identity/actor';
import type { JobRunner } from '../jobs/job-runner';
import { checkThresholds, type TestResult } from '../ml';
import type { MlJobService } from '../ml-tasks/ml-job-service';
import { awaitJob } from '../ml-tasks/ml-topics';
import type { TestJobResult } from '../ml-tasks/test-job';
import { ThresholdSchema } from '../models/model-metadata';
import type { ModelService } from '../models/model-service';
import type { DeploymentDirectory } from '../lifecycle/deployment-directory';
import { jsonText, taskInputs, TimePoint } from '../engine/service-tasks/task-inputs';
import { versionRef } from '../lifecycle/version-ref';
import { insertBacktest, type Backtest } from './backtest-store';

export interface BacktestDeps {
  db: Database;
  models: ModelService;
  mlJobs: MlJobService;
  jobs: JobRunner;
  deployments: DeploymentDirectory;
}

/** What the process carries about one backtest (the full record is in the history). */
export interface BacktestSummary {
  backtestId: string;
  deploymentId: string;
  deploymentName: string;
  modelId: string;
  versionNumber: number;
  status: Backtest['status'];
  rows: number;
  breaches: Backtest['breaches'];
}

/** One breached deployment: the inputs of its `raise-alert`. */
export interface BreachedDeployment {
  deploymentId: string;
  modelId: string;
  severity: 'critical' | 'warning';
  message: string;
}

/** `list-active-deployments` → deployments, deploymentCount (and empty accumulators for `backtest`). */
export function listActiveDeploymentsTopic(deps: Pick<BacktestDeps, 'deployments'>): ServiceTaskHandler {
  return async () => {
    const deployments = await deps.deployments.listActive();
    return { deployments, deploymentCount: deployments.length, backtests: [], breached: [], breachCount: 0 };
  };
}

const Inputs = z.object({
  deploymentId: z.uuid(),
  datasetId: z.uuid().optional(),
  from: TimePoint,
  to: TimePoint,
  thresholds: jsonText(z.array(ThresholdSchema)).optional(),
});

/** `backtest` → backtest (this one), backtests, breached, breachCount (the run's so far). */
export function backtestTopic(deps: BacktestDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(Inputs, task);
    const deployment = await deps.deployments.get(null, inputs.deploymentId);
    const model = await deps.models.get(null, deployment.modelId);
    const champion = await versionRef(deps.db, deployment.championVersionId);
    const datasetId = inputs.datasetId ?? model.metadata.datasetId;
    if (!datasetId) throw new ValidationError(`model ${model.name} names no dataset (metadata.datasetId) to backtest deployment ${deployment.deploymentName} on`);
    const from = inputs.from ?? 'yesterday';
    const to = inputs.to ?? 'today';
    const window = parseWindow(from, to);
    const thresholds = inputs.thresholds ?? model.metadata.thresholds;

    let result: TestResult | null = null;
    let jobId: string | null = null;
    if ((await countRows(deps.db, datasetId, window)) > 0) {
      const job = await deps.mlJobs.startTest(SYSTEM, model.id, champion.versionNumber, { datasetId, from, to }, { idempotencyKey: task.idempotencyKey, processInstanceId: task.instanceId });
      result = ((await awaitJob(deps.jobs, job)).result as TestJobResult).testResult;
      jobId = job.id;
    }
    const check = result ? checkThresholds(result, thresholds) : { passed: true, breaches: [] };
    const stored = await deps.db.transaction(async (trx) => {
      const backtest = await insertBacktest(trx, {
        deploymentId: deployment.deploymentId,
        deploymentName: deployment.deploymentName,
        modelId: model.id,
        versionId: champion.versionId,
        versionNumber: champion.versionNumber,
        datasetId,
        window: { from: window.from ?? null, to: window.to ?? null },
        status: !result ? 'no_data' : check.passed ? 'ok' : 'breached',
        rows: result?.rows ?? 0,
        result,
        thresholds,
        breaches: check.breaches,
        jobId,
        processInstanceId: task.instanceId,
        idempotencyKey: task.idempotencyKey,
      });
      await recordAudit(trx, SYSTEM, {
        action: 'deployment.backtest',
        entityType: 'deployment',
        entityId: deployment.deploymentId,
        after: { backtestId: backtest.id, status: backtest.status, versionNumber: champion.versionNumber, ...windowJson(window) },
      });
      return backtest;
    });
    const summary: BacktestSummary = {
      backtestId: stored.id,
      deploymentId: stored.deploymentId,
      deploymentName: stored.deploymentName,
      modelId: stored.modelId,
      versionNumber: stored.versionNumber,
      status: stored.status,
      rows: stored.rows,
      breaches: stored.breaches,
    };
    // Sequential iterations see the previous ones' lists; a re-run iteration replaces its own entry.
    const backtests = [...previous<BacktestSummary>(task.variables.backtests).filter((b) => b.deploymentId !== summary.deploymentId), summary];
    const breached = [...previous<BreachedDeployment>(task.variables.breached).filter((b) => b.deploymentId !== summary.deploymentId)];
    if (stored.status === 'breached') {
      const what = stored.breaches.map((b) => b.message).join('; ');
      breached.push({
        deploymentId: stored.deploymentId,
        modelId: stored.modelId,
        severity: ['critical', 'high'].includes(deployment.importance) ? 'critical' : 'warning',
        message: `Backtest of deployment ${stored.deploymentName} (${model.name} version ${stored.versionNumber}) on ${stored.rows} rows from ${from} to ${to} breached its thresholds: ${what}`,
      });
    }
    return { backtest: summary, backtests, breached, breachCount: breached.length };
  };
}

function previous<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}
