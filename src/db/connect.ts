import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knex, { Knex } from 'knex';
import { PreparingPgLiteClient } from './prepared-client';

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
  let dataDir: string | undefined;
  if (options.dataDir !== 'memory') {
    dataDir = path.resolve(options.dataDir, 'pg');
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const pglite = new PGlite({ ...(dataDir ? { dataDir } : {}), startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  return knex({ client: PreparingPgLiteClient, dialect: 'postgres', connection: { pglite } } as Knex.Config);
}

/**
 * PostgreSQL settings of the embedded database. Its shared buffers live in the
 * server's own memory (PGlite's WASM heap, which never shrinks): PostgreSQL's
 * default of 128 MB made an idle server about 120 MB larger than 16 MB does
 * (`bench/jobs`, bench/README.md). The files are local, so few buffers cost little.
 */
const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB'];

/** True when the database is the embedded one (a single connection). */
export function isEmbedded(db: Database): boolean {
  return db.client.config.client !== 'pg';
}
