import type { Database } from '../db/connect';
import type { ServiceTaskRegistry } from '../engine/service-tasks/handler-registry';
import type { JobRunner } from '../jobs/job-runner';
import type { MlJobService } from '../ml-tasks/ml-job-service';
import type { ModelService } from '../models/model-service';
import { backtestTopic, listActiveDeploymentsTopic } from '../backtests/backtest-topics';
import { compareModelsTopic } from './compare-models-topic';
import type { DeploymentDirectory } from './deployment-directory';
import { describeModelTopic } from './describe-model-topic';
import { findChampionTopic } from './find-champion-topic';

export interface LifecycleTopicDeps {
  db: Database;
  models: ModelService;
  mlJobs: MlJobService;
  jobs: JobRunner;
  deployments: DeploymentDirectory;
  supportGroup: string;
}

/** The topics of the reference processes (`processes/README.md`): describe-model, find-champion, compare-models, list-active-deployments, backtest. */
export function registerLifecycleTopics(registry: ServiceTaskRegistry, deps: LifecycleTopicDeps): void {
  registry.register('describe-model', describeModelTopic(deps));
  registry.register('find-champion', findChampionTopic(deps));
  registry.register('compare-models', compareModelsTopic(deps));
  registry.register('list-active-deployments', listActiveDeploymentsTopic(deps));
  registry.register('backtest', backtestTopic(deps));
}
