/**
 * Entry of a Stagegate server started as its own OS process by tests that kill
 * it (SIGKILL) or run several replicas. It is the real server plus test
 * handlers that record each invocation (with its idempotency key) as a line in
 * TEST_INVOCATION_LOG, so a test can count invocations across processes.
 */
import fs from 'node:fs';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startStagegate } from '../../src/server';

const log = process.env.TEST_INVOCATION_LOG;
const record = (line: string) => {
  if (log) fs.appendFileSync(log, `${line}\n`);
};

async function main(): Promise<void> {
  const config = loadConfig();
  const stagegate = await startStagegate(config, createLogger(config.LOG_LEVEL), (registry) => {
    registry.register('test-slow', async (context) => {
      record(`start ${process.pid} ${context.idempotencyKey}`);
      await new Promise((resolve) => setTimeout(resolve, Number(context.input.ms ?? 1000)));
      record(`done ${process.pid} ${context.idempotencyKey}`);
      return { slowDone: true };
    });
    registry.register('test-record', async (context) => {
      record(`run ${process.pid} ${context.instanceId} ${context.idempotencyKey}`);
      return { recorded: true };
    });
  });
  process.stdout.write(`listening ${stagegate.url}\n`);
  process.once('SIGTERM', () => void stagegate.close().then(() => process.exit(0)));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
