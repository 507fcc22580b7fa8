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
import { UserTaskService } from './engine/user-tasks/user-task-service';
import { createApp } from './http/app';
import { createRegistry } from './http/openapi';
import { auditRoutes } from './audit/audit-routes';
import { authenticate, rateLimits } from './identity/authenticate';
import { identityRoutes } from './identity/identity-routes';
import { UserService } from './identity/user-service';
import { settingsRoutes } from './settings/settings';
import type { Logger } from './logger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json');

export interface Stagegate {
  url: string;
  db: Database;
  runner: InstanceRunner;
  /** Register in-process service-task handlers here (before processes that use them are deployed). */
  serviceTasks: ServiceTaskRegistry;
  /** The first admin's token when this start created it (printed once), else null. */
  bootstrapToken: string | null;
  close(): Promise<void>;
}

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
  configure?.(serviceTasks);
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const runner = new InstanceRunner(
    db,
    serviceTasks,
    {
      owner,
      leaseMs: config.LEASE_MS,
      pollIntervalMs: config.POLL_INTERVAL_MS,
      concurrency: config.RUNNER_CONCURRENCY,
      retryBackoffMs: config.SERVICE_RETRY_BACKOFF_MS,
    },
    logger,
  );
  const definitions = new DefinitionService(db, {
    knownTopics: () => serviceTasks.topics(),
    allowScriptTasks: config.ALLOW_SCRIPT_TASKS,
  });
  const instances = new InstanceService(db, runner);
  const events = new EventService(db, instances);
  const incidents = new IncidentService(db, instances, config.SERVICE_RETRY_BACKOFF_MS.length);
  const userTasks = new UserTaskService(db, instances);
  const externalTasks = new ExternalTaskService(db, runner);
  const users = new UserService(db);
  const bootstrapToken = await users.bootstrapAdmin(config.ADMIN_TOKEN);

  const deployed = await definitions.deployDirectory(config.PROCESSES_DIR);
  for (const { definition, created } of deployed) {
    logger.info({ key: definition.key, version: definition.version, created }, 'process definition loaded');
  }

  let ready = false;
  const registry = createRegistry();
  const app = createApp({
    logger,
    registry,
    version,
    maxBodyBytes: config.MAX_BODY_BYTES,
    isReady: () => ready,
    authentication: [
      ...rateLimits({ failuresPerMinute: config.AUTH_FAILURES_PER_MINUTE, requestsPerMinute: config.RATE_LIMIT_PER_MINUTE }),
      authenticate(db),
    ],
    routers: [
      identityRoutes(registry, db, users),
      auditRoutes(registry, db),
      settingsRoutes(registry, db),
      definitionRoutes(registry, db, definitions, instances),
      instanceRoutes(registry, db, { instances, events, incidents, userTasks }),
      externalTaskRoutes(registry, externalTasks),
    ],
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
  });
  runner.start();
  ready = true;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, database: config.DATABASE_URL ? 'postgres' : 'embedded' }, 'stagegate listening');

  return {
    url: `http://127.0.0.1:${port}`,
    db,
    runner,
    serviceTasks,
    bootstrapToken,
    async close() {
      ready = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await runner.stop();
      await db.destroy();
    },
  };
}
