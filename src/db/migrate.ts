import type { Knex } from 'knex';
import type { Database } from './connect';
import * as engine001 from '../../migrations/001_engine';
import * as identity002 from '../../migrations/002_identity_audit';
import * as ml003 from '../../migrations/003_models_datasets_jobs';
import * as mail004 from '../../migrations/004_mail_outbox';
import * as workItems005 from '../../migrations/005_work_items';
import * as deployments006 from '../../migrations/006_runtimes_deployments';
import * as triggers007 from '../../migrations/007_schedules_alerts';
import * as sharing008 from '../../migrations/008_sharing';
import * as backtests010 from '../../migrations/010_backtests';
import * as changeRequests011 from '../../migrations/011_change_requests';

/**
 * Migrations are listed here rather than discovered on disk so they load the
 * same way under tsx, jest and a compiled build.
 */
const migrations: Record<string, Knex.Migration> = {
  '001_engine': engine001,
  '002_identity_audit': identity002,
  '003_models_datasets_jobs': ml003,
  '004_mail_outbox': mail004,
  '005_work_items': workItems005,
  '006_runtimes_deployments': deployments006,
  '007_schedules_alerts': triggers007,
  '008_sharing': sharing008,
  '010_backtests': backtests010,
  '011_change_requests': changeRequests011,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

/** Brings the schema to the latest version. */
export async function migrateLatest(db: Database): Promise<void> {
  await db.migrate.latest({ migrationSource: source });
}

/** Rolls every migration back (CI runs up, down and up again). */
export async function migrateDownAll(db: Database): Promise<void> {
  await db.migrate.rollback({ migrationSource: source }, true);
}
