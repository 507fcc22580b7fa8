import type { Server } from 'node:http';
import os from 'node:os';
import type { Config } from './config';
import { connectDatabase, Database } from './db/connect';
import { migrateLatest } from './db/migrate';
import { DefinitionService } from './engine/definitions/definition-service';
import { definitionRoutes } from './engine/definitions/definition-routes';
import { EventService } from './engine/events/event-service';
import { IncidentService } from './engine/incidents/incident-service';
import { instanceRoutes } from './engine/instances/instance-routes';
import { InstanceService } from './engine/instances/instance-service';
import { InstanceRunner } from './engine/runtime/instance-runner';
import { externalTaskRoutes } from './engine/service-tasks/external-task-routes';
import { ExternalTaskService } from './engine/service-tasks/external-task-service';
import { ServiceTaskRegistry } from './engine/service-tasks/handler-registry';
import { createApp } from './http/app';
import { createRegistry } from './http/openapi';
import { auditRoutes } from './audit/audit-routes';
import { consoleRoutes } from './console/console-routes';
import { AuthFailureLimit, authenticate, tokenRateLimit } from './identity/authenticate';
import { identityRoutes } from './identity/identity-routes';
import { UserService } from './identity/user-service';
import { settingsRoutes } from './settings/settings';
import { approvalPolicyRoutes } from './tasks/approval-policies';
import { TaskService } from './tasks/task-service';
import { taskRoutes } from './tasks/task-routes';
import { TaskTimeouts } from './tasks/task-timeouts';
import { workItemHooks } from './tasks/work-item-hooks';
import { MailDispatcher } from './notifications/mail-dispatcher';
import { createMailTransport } from './notifications/mail-transport';
import type { Logger } from './logger';
import { datasetRoutes } from './datasets/dataset-routes';
import { DatasetService } from './datasets/dataset-service';
import { JobRunner } from './jobs/job-runner';
import { jobRoutes } from './jobs/job-routes';
import { mlJobRoutes } from './ml-tasks/ml-job-routes';
import { MlJobService } from './ml-tasks/ml-job-service';
import { registerMlJobs, registerMlTopics } from './ml-tasks/register';
import { modelRoutes } from './models/model-routes';
import { ModelService } from './models/model-service';
import { metricsRoutes } from './metrics/metrics-route';
import { observePrediction } from './metrics/prediction-metrics';
import { StagegateMetrics } from './metrics/stagegate-metrics';
import { alertRoutes } from './alerts/alert-routes';
import { AlertService } from './alerts/alert-service';
import { registerAlertTopics } from './alerts/alert-topics';
import { DefinitionSchedules } from './triggers/definition-schedules';
import { LifecycleEvents } from './triggers/lifecycle-events';
import { scheduleRoutes } from './triggers/schedule-routes';
import { ScheduleService } from './triggers/schedule-service';
import { scheduleStarter } from './triggers/schedule-starter';
import { Scheduler } from './triggers/scheduler';
import { createDeployments, type DeploymentsModule } from './deployments/deployments-module';
import { backtestRoutes } from './backtests/backtest-routes';
import { deploymentDirectory } from './lifecycle/deployment-directory-adapter';
import { registerLifecycleTopics } from './lifecycle/register';
import { registerBatchPredictions } from './batch-predictions/register';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json');

export interface Stagegate {
  url: string;
  db: Database;
  runner: InstanceRunner;
  /** Register in-process service-task handlers here (before processes that use them are deployed). */
  serviceTasks: ServiceTaskRegistry;
  /** Runs train/test/... jobs in worker processes (SPEC §5). */
  jobs: JobRunner;
  /** `onVersionSubmitted` is the "model changed" event (SPEC §7). */
  models: ModelService;
  /** `onRowsAppended` is the "labeled data appended" event (SPEC §10). */
  datasets: DatasetService;
  /** `publish(name, businessKey, variables)` sends a lifecycle event (model-changed, data-arrived, deployment-changed). */
  lifecycle: LifecycleEvents;
  /** Runs the cron schedules (SPEC §10). */
  scheduler: Scheduler;
  /** Runtimes, deployments (`onDeploymentChanged`, `listActive`), predictions (`onPredicted`), monitoring. */
  deployments: DeploymentsModule;
  /** Sends the mail outbox; `poke()` it to send what was just queued. */
  mail: MailDispatcher;
  /** The first admin's token when this start created it (printed once), else null. */
  bootstrapToken: string | null;
  close(): Promise<void>;
}

/** How long one request (a CSV upload at the database's pace) may take to arrive. */
const UPLOAD_TIMEOUT_MS = 30 * 60_000;

/**
 * The one place that wires Stagegate together: database, migrations,
 * engine runtime, reference processes, HTTP. Returns once it serves.
 */
export async function startStagegate(
  config: Config,
  logger: Logger,
  configure?: (registry: ServiceTaskRegistry) => void,
): Promise<Stagegate> {
  const db = connectDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrateLatest(db);

  const serviceTasks = new ServiceTaskRegistry();
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const onListenerError = (err: unknown) => logger.error({ err }, 'event listener failed');
  const models = new ModelService(db, { onListenerError });
  const datasets = new DatasetService(db, { maxUploadBytes: config.MAX_UPLOAD_BYTES, onListenerError });
  // A job's heartbeat is its lease: a running job whose server stopped beating for LEASE_MS (at least 6 s) is failed.
  const jobs = new JobRunner(db, { owner, concurrency: config.JOB_CONCURRENCY, pollIntervalMs: config.POLL_INTERVAL_MS, heartbeatMs: 2000, staleMs: Math.max(config.LEASE_MS, 6000) }, logger);
  const mlJobs = new MlJobService(db, models, datasets, jobs);
  registerMlJobs(jobs, db, models);
  registerMlTopics(serviceTasks, { models, mlJobs, jobs });
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const hooks = workItemHooks({ publicUrl, supportGroup: config.SUPPORT_GROUP });
  const runner = new InstanceRunner(
    db,
    serviceTasks,
    {
      owner,
      leaseMs: config.LEASE_MS,
      pollIntervalMs: config.POLL_INTERVAL_MS,
      concurrency: config.RUNNER_CONCURRENCY,
      retryBackoffMs: config.SERVICE_RETRY_BACKOFF_MS,
      hooks,
    },
    logger,
  );
  const definitionSchedules = new DefinitionSchedules(db, config.SCHEDULE_TIMEZONE);
  const definitions = new DefinitionService(db, {
    knownTopics: () => serviceTasks.topics(),
    allowScriptTasks: config.ALLOW_SCRIPT_TASKS,
    onDeployed: (trx, definition) => definitionSchedules.replace(trx, definition),
  });
  const instances = new InstanceService(db, runner);
  const deploymentsModule = createDeployments(db, serviceTasks, { instances, definitions }, { maxActiveModels: config.MAX_ACTIVE_MODELS ?? null, logger, onListenerError });
  const deploymentViews = deploymentDirectory(deploymentsModule.deployments);
  const batchPredictions = registerBatchPredictions({ db, jobs, serviceTasks, deployments: deploymentsModule.deployments, datasets, dataDir: config.DATA_DIR });
  registerLifecycleTopics(serviceTasks, { db, models, mlJobs, jobs, deployments: deploymentViews, supportGroup: config.SUPPORT_GROUP });
  const alerts = new AlertService(db, { supportGroup: config.SUPPORT_GROUP, publicUrl });
  registerAlertTopics(serviceTasks, db, alerts);
  configure?.(serviceTasks);
  const events = new EventService(db, instances);
  const lifecycle = new LifecycleEvents(events, logger);
  lifecycle.listen(models, datasets);
  deploymentsModule.deployments.onDeploymentChanged = async ({ action, deploymentId, context }) => {
    await lifecycle.publish('deployment-changed', deploymentId, { deploymentId, action }, context);
  };
  deploymentsModule.predictions.onPredicted = ({ deploymentId, latencyMs }) => observePrediction(deploymentId, latencyMs / 1000);
  const scheduler = new Scheduler(
    db,
    scheduleStarter(db, instances, logger),
    { owner, pollIntervalMs: config.POLL_INTERVAL_MS, missedFireToleranceMs: config.SCHEDULE_MISSED_FIRE_TOLERANCE_MS },
    logger,
  );
  const schedules = new ScheduleService(db, { timezone: config.SCHEDULE_TIMEZONE, onChange: () => scheduler.poke() });
  const incidents = new IncidentService(db, instances, config.SERVICE_RETRY_BACKOFF_MS.length);
  const tasks = new TaskService(db, instances, incidents, publicUrl);
  const taskTimeouts = new TaskTimeouts(db, tasks, config.POLL_INTERVAL_MS, logger);
  const externalTasks = new ExternalTaskService(db, runner, hooks);
  const users = new UserService(db);
  const mailTransport = createMailTransport(config);
  const mail = new MailDispatcher(
    db,
    mailTransport,
    { pollIntervalMs: config.POLL_INTERVAL_MS, retryBackoffMs: config.MAIL_RETRY_BACKOFF_MS },
    logger,
  );
  const bootstrapToken = await users.bootstrapAdmin(config.ADMIN_TOKEN);

  const deployed = await definitions.deployDirectory(config.PROCESSES_DIR);
  for (const { definition, created } of deployed) {
    logger.info({ key: definition.key, version: definition.version, created }, 'process definition loaded');
  }
  await definitionSchedules.reconcile();

  const metrics = new StagegateMetrics(db);
  metrics.observeInstances(runner);
  metrics.observeJobs(jobs);
  const authentication = authenticate(db, new AuthFailureLimit(config.AUTH_FAILURES_PER_MINUTE));

  let ready = false;
  const registry = createRegistry();
  const app = createApp({
    logger,
    registry,
    version,
    maxBodyBytes: config.MAX_BODY_BYTES,
    largeJson: { paths: [/^\/api\/models\/[^/]+\/versions$/], maxBytes: config.MAX_UPLOAD_BYTES },
    isReady: () => ready,
    authentication: [authentication, tokenRateLimit(config.RATE_LIMIT_PER_MINUTE)],
    observers: [metrics.httpMiddleware()],
    selfAuthenticated: deploymentsModule.selfAuthenticated,
    routers: [
      // Deployments first: predictions are the hot path.
      ...deploymentsModule.routers(registry),
      metricsRoutes(metrics, authentication),
      identityRoutes(registry, db, users),
      auditRoutes(registry, db),
      settingsRoutes(registry, db),
      definitionRoutes(registry, db, definitions, instances),
      instanceRoutes(registry, db, { instances, events, incidents }),
      taskRoutes(registry, db, tasks),
      approvalPolicyRoutes(registry, db),
      externalTaskRoutes(registry, externalTasks),
      modelRoutes(registry, models),
      mlJobRoutes(registry, mlJobs),
      datasetRoutes(registry, datasets, config.MAX_UPLOAD_BYTES),
      jobRoutes(registry, db, jobs),
      batchPredictions.routes(registry),
      scheduleRoutes(registry, schedules),
      alertRoutes(registry, alerts),
      backtestRoutes(registry, db, deploymentViews),
      consoleRoutes(),
    ],
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
  });
  // A large CSV upload streams into the database as it arrives; Node's default would cut it off after 5 min.
  server.requestTimeout = UPLOAD_TIMEOUT_MS;
  runner.start();
  await jobs.start();
  taskTimeouts.start();
  mail.start();
  deploymentsModule.start();
  logger.info({ mail: mailTransport.description }, 'mail dispatcher started');
  await scheduler.start();
  ready = true;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, database: config.DATABASE_URL ? 'postgres' : 'embedded' }, 'stagegate listening');

  return {
    url: `http://127.0.0.1:${port}`,
    db,
    runner,
    serviceTasks,
    jobs,
    models,
    datasets,
    deployments: deploymentsModule,
    bootstrapToken,
    mail,
    lifecycle,
    scheduler,
    async close() {
      ready = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await scheduler.close();
      // Jobs first: service tasks waiting for a job give up (and retry after a restart), so the runner can stop.
      await jobs.stop();
      await runner.stop();
      await taskTimeouts.stop();
      await mail.stop();
      await deploymentsModule.stop();
      await db.destroy();
    },
  };
}
