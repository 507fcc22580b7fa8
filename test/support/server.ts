/** Starts a real Stagegate (real HTTP, real database) inside the test process. */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startStagegate, Stagegate } from '../../src/server';
import type { ServiceTaskRegistry } from '../../src/engine/service-tasks/handler-registry';
import { createTestDatabase, TestDatabase } from './database';
import { client, Client, TEST_ADMIN_TOKEN, waitFor } from './http';

export interface TestServer {
  stagegate: Stagegate;
  api: Client;
  database: TestDatabase;
  /** Stops the server, keeps the database (for restart tests). */
  stop(): Promise<void>;
  /** Stops the server and drops the database. */
  close(): Promise<void>;
  /** Waits until the instance has the given status; returns the instance. */
  waitForStatus(instanceId: string, status: string, timeoutMs?: number): Promise<any>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  handlers?: (registry: ServiceTaskRegistry) => void;
  database?: TestDatabase;
  /** Collects the server's log lines (JSON) at level info. */
  logLines?: string[];
  /** Groups of the test admin, so it may act on the work items of the engine tests' processes. */
  adminGroups?: string[];
}

/** The candidate groups the engine tests' processes name. */
const ENGINE_TEST_GROUPS = ['admins', 'reviewers', 'risk', 'tech', 'approvers', 'model-approvers', 'approval-leads'];

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: database.dataDir,
    PROCESSES_DIR: `${database.dataDir}/no-processes`,
    LOG_LEVEL: 'silent',
    POLL_INTERVAL_MS: '50',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...options.env,
  });
  const logger = options.logLines
    ? createLogger('info', { write: (line: string) => void options.logLines!.push(line) })
    : createLogger(config.LOG_LEVEL);
  const stagegate = await startStagegate(config, logger, options.handlers);
  const api = client(stagegate.url);
  const me = await api.get('/api/me');
  await api.put(`/api/users/${me.body.id}`, { groups: options.adminGroups ?? ENGINE_TEST_GROUPS });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stagegate.close();
  };
  return {
    stagegate,
    api,
    database,
    stop,
    async close() {
      await stop();
      await database.drop();
    },
    waitForStatus: (instanceId, status, timeoutMs = 15000) =>
      waitFor(
        async () => {
          const reply = await api.get(`/api/process-instances/${instanceId}`);
          return reply.body.status === status ? reply.body : null;
        },
        timeoutMs,
        `instance ${instanceId} to be ${status}`,
      ),
  };
}
