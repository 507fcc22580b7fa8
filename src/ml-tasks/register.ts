import type { Database } from '../db/connect';
import type { ServiceTaskRegistry } from '../engine/service-tasks/handler-registry';
import type { JobRunner } from '../jobs/job-runner';
import type { ModelService } from '../models/model-service';
import { checkThresholdsTopic, testTopic, trainTopic, type MlTopicDeps } from './ml-topics';
import { testJobExecutor } from './test-job';
import { trainJobExecutor } from './train-job';

/** The ML topics' handler names, as the registry knows them. */
export const ML_TOPICS = ['train', 'test', 'check-thresholds'] as const;

/** Registers the `train`, `test` and `check-thresholds` handlers (before processes using them are deployed). */
export function registerMlTopics(registry: ServiceTaskRegistry, deps: MlTopicDeps): void {
  registry.register('train', trainTopic(deps));
  registry.register('test', testTopic(deps));
  registry.register('check-thresholds', checkThresholdsTopic(deps));
}

/** Registers the executors of `train` and `test` jobs with the job runner. */
export function registerMlJobs(jobs: JobRunner, db: Database, models: ModelService): void {
  jobs.register('train', trainJobExecutor(db, models));
  jobs.register('test', testJobExecutor(db));
}
