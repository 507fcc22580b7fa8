/**
 * Starts the real Stagegate in this process (startStagegate: migrations,
 * processes directory, runner, HTTP on 127.0.0.1) with a no-op in-process
 * handler for the bench topic.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { InstanceService } from '../../src/engine/instances/instance-service';
import { createLogger } from '../../src/logger';
import { startStagegate, Stagegate } from '../../src/server';
import {
  SERVICE_PROCESS_KEY,
  SERVICE_PROCESS_XML,
  SERVICE_TOPIC,
  TIMEOUT_PROCESS_KEY,
  TIMEOUT_PROCESS_XML,
  USER_TASK_PROCESS_KEY,
  USER_TASK_PROCESS_XML,
} from './processes';

/** Writes the bench processes into `<dataDir>/processes` (deployed at start-up) and returns the directory. */
export function writeProcesses(dataDir: string): string {
  const dir = path.join(dataDir, 'processes');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${SERVICE_PROCESS_KEY}.bpmn`), SERVICE_PROCESS_XML);
  fs.writeFileSync(path.join(dir, `${USER_TASK_PROCESS_KEY}.bpmn`), USER_TASK_PROCESS_XML);
  fs.writeFileSync(path.join(dir, `${TIMEOUT_PROCESS_KEY}.bpmn`), TIMEOUT_PROCESS_XML);
  return dir;
}

/** The admin token of every bench server (ADMIN_TOKEN: the first admin on a new database). */
export const BENCH_TOKEN = `bench-${randomBytes(24).toString('hex')}`;

/**
 * The environment of a bench server; everything not set here is Stagegate's
 * default. The per-token rate limit is lifted: the bench drives thousands of
 * requests with one token, which the default limit would throttle.
 */
export function benchEnv(dataDir: string, databaseUrl?: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PROCESSES_DIR: writeProcesses(dataDir),
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: BENCH_TOKEN,
    RATE_LIMIT_PER_MINUTE: '100000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

export async function startBenchStagegate(env: Record<string, string>): Promise<{ stagegate: Stagegate; instances: InstanceService }> {
  const config = loadConfig(env);
  const stagegate = await startStagegate(config, createLogger(config.LOG_LEVEL), (registry) => {
    registry.register(SERVICE_TOPIC, async () => ({}));
  });
  // The same service the REST start route uses (create the row + start command, then wait for the first run).
  const instances = new InstanceService(stagegate.db, stagegate.runner);
  return { stagegate, instances };
}
