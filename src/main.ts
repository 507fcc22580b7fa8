import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startStagegate } from './server';

/** `npm start`: configuration from the environment, then serve until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const stagegate = await startStagegate(config, logger);
  if (stagegate.bootstrapToken) {
    // Printed once, to the terminal only (never through the logger); only its hash is stored.
    process.stdout.write(
      `\nCreated the first user "admin" (tenant_admin). Its API token, shown only this once:\n\n    ${stagegate.bootstrapToken}\n\n` +
        `Use it as "Authorization: Bearer <token>". Set ADMIN_TOKEN to choose it yourself on a fresh database.\n\n`,
    );
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    stagegate.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
