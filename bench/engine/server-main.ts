/**
 * Entry of the Stagegate server the bench runs as its own OS process (for
 * RSS and restart measurements): the real startStagegate with the bench's
 * no-op handler, configured by the environment like `npm start`.
 *
 * Prints `listening <url>` once it serves; answers `{ type: 'memory' }` on the
 * IPC channel with process.memoryUsage(); SIGTERM shuts it down cleanly.
 */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startStagegate } from '../../src/server';
import { SERVICE_TOPIC } from './processes';

async function main(): Promise<void> {
  const config = loadConfig();
  const stagegate = await startStagegate(config, createLogger(config.LOG_LEVEL), (registry) => {
    registry.register(SERVICE_TOPIC, async () => ({}));
  });
  process.on('message', (message: { type?: string; gc?: boolean }) => {
    if (message?.type !== 'memory') return;
    if (message.gc && typeof global.gc === 'function') global.gc();
    process.send?.({ type: 'memory', usage: process.memoryUsage() });
  });
  process.stdout.write(`listening ${stagegate.url}\n`);
  process.once('SIGTERM', () => {
    stagegate.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.stack : err}\n`);
        process.exit(1);
      },
    );
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
