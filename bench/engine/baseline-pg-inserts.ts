/**
 * Baseline (b): the raw commit rate of PostgreSQL on this machine — one client
 * (`pg`), one single-row jsonb INSERT per transaction (autocommit), on the same
 * database Stagegate uses.
 */
import { Client } from 'pg';
import type { ThroughputResult } from './baseline-bpmn-engine';
import { now } from './util';

export async function measureSingleRowCommits(url: string, seconds: number): Promise<ThroughputResult> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE bench_commits (id bigserial PRIMARY KEY, doc jsonb NOT NULL)');
    const insert = { name: 'bench-insert', text: 'INSERT INTO bench_commits (doc) VALUES ($1)' };
    const doc = (i: number) => [JSON.stringify({ i, status: 'completed', variables: { n: i } })];
    for (let i = 0; i < 200; i++) await client.query({ ...insert, values: doc(i) }); // warm-up
    let count = 0;
    const started = now();
    const until = started + seconds * 1000;
    while (now() < until) await client.query({ ...insert, values: doc(count++) });
    const elapsed = (now() - started) / 1000;
    return { instances: count, seconds: elapsed, perSecond: count / elapsed };
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_commits').catch(() => undefined);
    await client.end();
  }
}
