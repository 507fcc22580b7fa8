import { loadConfig } from '../config';
import { connectDatabase } from './connect';
import { migrateDownAll, migrateLatest } from './migrate';

/** `npm run migrate [-- down|redo]`: up (default), all the way down, or down then up. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = connectDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const mode = process.argv[2] ?? 'up';
  try {
    if (mode === 'down' || mode === 'redo') await migrateDownAll(db);
    if (mode === 'up' || mode === 'redo') await migrateLatest(db);
    console.log(`migrate ${mode}: done`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
