/** A fresh PostgreSQL database for one bench run (created, then dropped), as test/support/database.ts does. */
import { Client } from 'pg';

export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Null (with the reason) when no PostgreSQL answers at ADMIN_URL. */
export async function createFreshDatabase(): Promise<FreshDatabase | { unavailable: string }> {
  const name = `sg_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  try {
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    return { unavailable: err instanceof Error ? err.message : String(err) };
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** PostgreSQL's version string, for the report. */
export async function serverVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SHOW server_version');
    return rows[0].server_version;
  } finally {
    await client.end();
  }
}

/** Storage of the waiting instances: database size and the mean stored engine state of `waiting` rows. */
export async function storageStats(url: string): Promise<{ databaseBytes: number; engineStateBytes: number; waiting: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT pg_database_size(current_database()) AS database_bytes,
              coalesce(avg(pg_column_size(engine_state)), 0) AS engine_state_bytes,
              count(*) AS waiting
       FROM process_instances WHERE status = 'waiting'`,
    );
    return { databaseBytes: Number(rows[0].database_bytes), engineStateBytes: Number(rows[0].engine_state_bytes), waiting: Number(rows[0].waiting) };
  } finally {
    await client.end();
  }
}
