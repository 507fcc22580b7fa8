import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

export type Database = Knex;

export interface DatabaseOptions {
  /** postgres://... for a real server; absent for the embedded PGlite. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files; `memory` for none. */
  dataDir: string;
}

/**
 * Opens the database: PostgreSQL when a URL is given, else the embedded
 * PGlite under DATA_DIR/pg (one connection, owned by this process).
 */
export function connectDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    return knex({
      client: 'pg',
      connection: options.databaseUrl,
      pool: { min: 0, max: 10 },
    });
  }
  let connection: { filename?: string } = {};
  if (options.dataDir !== 'memory') {
    const filename = path.resolve(options.dataDir, 'pg');
    fs.mkdirSync(filename, { recursive: true });
    connection = { filename };
  }
  return knex({ client: ClientPgLite, dialect: 'postgres', connection } as Knex.Config);
}

/** True when the database is the embedded one (a single connection). */
export function isEmbedded(db: Database): boolean {
  return db.client.config.client !== 'pg';
}
