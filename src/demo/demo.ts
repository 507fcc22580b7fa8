/**
 * `npm run demo`: starts Stagegate on the embedded database in a fresh data
 * directory, walks On Model Changed from a submitted version to a deployed,
 * predicting model, and prints what to look at next. Stops the server at the
 * end unless `--keep` is given.
 *
 *   npm run demo [-- --keep] [--port 3000] [--data-dir ./data/demo]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startStagegate } from '../server';
import { walkThrough, type DemoOutcome } from './demo-walkthrough';

interface DemoOptions {
  keep: boolean;
  port: number;
  dataDir?: string;
}

function parseOptions(argv: string[]): DemoOptions {
  const program = new Command('demo')
    .option('--keep', 'leave the server running after the walk-through (Ctrl-C stops it)', false)
    .option('--port <port>', 'port to listen on (default: 3000 with --keep, else any free port)')
    .option('--data-dir <dir>', 'an empty directory for the embedded database (default: a new temporary directory)')
    .parse(argv);
  const options = program.opts<{ keep: boolean; port?: string; dataDir?: string }>();
  const port = options.port !== undefined ? Number(options.port) : options.keep ? 3000 : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${options.port}`);
  return { keep: options.keep, port, dataDir: options.dataDir };
}

/** The demo needs a fresh database: its names (users, model, runtime) must be free. */
function freshDataDir(requested: string | undefined): string {
  if (!requested) return mkdtempSync(path.join(os.tmpdir(), 'stagegate-demo-'));
  if (existsSync(requested) && readdirSync(requested).length > 0) throw new Error(`--data-dir ${requested} is not empty: the demo starts from a fresh database (remove it or pick another)`);
  return requested;
}

function nextSteps(url: string, dataDir: string, outcome: DemoOutcome, keep: boolean): string {
  const { admin, scientist, reviewer } = outcome.people;
  const auth = (token: string) => `-H "Authorization: Bearer ${token}"`;
  const lines = [
    '',
    'What to look at next',
    '',
    `  Server        ${url}${keep ? '' : '   (stopped now; run with --keep to explore it)'}`,
    `  API docs      ${url}/docs   (OpenAPI: ${url}/api/openapi.json)`,
    `  Data dir      ${dataDir}   (embedded PostgreSQL; mail as .eml files in mail/)`,
    '',
    '  Tokens',
    `    ${admin.name.padEnd(15)} ${admin.role.padEnd(24)} ${admin.token}`,
    `    ${scientist.name.padEnd(15)} ${scientist.role.padEnd(24)} ${scientist.token}`,
    `    ${reviewer.name.padEnd(15)} ${reviewer.role.padEnd(24)} ${reviewer.token}`,
    '',
    '  Try',
    `    # the instance that deployed the model, with its history and variables`,
    `    curl -s ${auth(admin.token)} ${url}/api/process-instances/${outcome.instanceId}`,
    `    # the approval work item the reviewer completed`,
    `    curl -s ${auth(reviewer.token)} ${url}/api/tasks/${outcome.taskId}`,
    `    # predict with the deployed champion (version ${outcome.deployedVersion})`,
    `    curl -s ${auth(scientist.token)} -H "content-type: application/json" -d '${JSON.stringify({ row: outcome.prediction.input })}' ${url}/api/deployments/${outcome.deploymentId}/predict`,
    `    # run Daily Backtesting now instead of at 06:00, then read the deployment's backtest history`,
    `    curl -s ${auth(admin.token)} -X POST ${url}/api/process-definitions/daily-backtesting/start`,
    `    curl -s ${auth(admin.token)} ${url}/api/deployments/${outcome.deploymentId}/backtests`,
    `    # submit another version: On Model Changed runs again and replaces the champion once approved`,
    `    curl -s ${auth(scientist.token)} -H "content-type: application/json" -d '{"source":"external","uri":"https://models.example.com/credit-default/v2"}' ${url}/api/models/${outcome.modelId}/versions`,
    `    # who did what`,
    `    curl -s ${auth(admin.token)} "${url}/api/audit?limit=20"`,
    '',
    '  Read processes/README.md (the three reference processes) and open processes/*.bpmn in Camunda Modeler.',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const started = Date.now();
  const dataDir = freshDataDir(options.dataDir);
  const adminToken = `sg_demo_${randomBytes(18).toString('hex')}`;
  const config = loadConfig({
    PORT: String(options.port),
    HOST: options.keep ? '0.0.0.0' : '127.0.0.1',
    DATA_DIR: dataDir,
    PROCESSES_DIR: path.join(__dirname, '..', '..', 'processes'),
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    POLL_INTERVAL_MS: '100',
  });
  const step = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
  step(`starting Stagegate on the embedded database in ${dataDir}`);
  const stagegate = await startStagegate(config, createLogger(config.LOG_LEVEL));
  const url = config.PUBLIC_URL ?? stagegate.url;
  step(`listening on ${url}; processes/ deployed`);
  try {
    const outcome = await walkThrough(stagegate.url, adminToken, step);
    step('done');
    process.stdout.write(nextSteps(url, dataDir, outcome, options.keep));
  } catch (err) {
    await stagegate.close();
    throw err;
  }
  if (!options.keep) {
    await stagegate.close();
    // Worker processes and timers of a closed server must not keep the demo alive.
    process.exit(0);
  }
  process.stdout.write('Server still running (--keep); Ctrl-C stops it.\n');
  const stop = () => void stagegate.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
