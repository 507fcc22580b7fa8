/**
 * One fresh database per test file: a new PostgreSQL database when
 * STAGEGATE_TEST_DB=postgres (CI runs the suite both ways), else the embedded
 * PGlite in a temporary directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export const ADMIN_URL = process.env.STAGEGATE_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function usingPostgres(): boolean {
  return process.env.STAGEGATE_TEST_DB === 'postgres';
}

export interface TestDatabase {
  /** DATABASE_URL for the server, or undefined for the embedded database. */
  databaseUrl?: string;
  /** DATA_DIR for the server (PGlite files, mail). */
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegate-test-'));
  if (!usingPostgres()) {
    return { dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `sg_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
