/**
 * bench/tasks — work items at scale (issue 5, acceptance 5), measured in one run on PostgreSQL:
 *  (a) p99 latency of GET /api/tasks?candidateGroup=<g>&status=open with 100,000 open work
 *      items, against the same SQL (listWorkItems) run directly on the same database;
 *  (b) completions/s: real instances waiting on a user task, completed over HTTP by a reviewer.
 * Run: npm run bench:tasks
 */
import { listWorkItems } from '../../src/tasks/task-store';
import { createFreshDatabase } from '../engine/postgres';
import { benchEnv, BENCH_TOKEN, startBenchStagegate } from '../engine/stagegate';
import { log, now, removeDir, runPool, tempDir, waitUntil } from '../engine/util';
import { USER_TASK_PROCESS_KEY } from '../engine/processes';

const OPEN_ITEMS = Number(process.env.BENCH_TASK_ITEMS ?? 100_000);
const GROUPS = 50;
const QUERIES = 300;
const COMPLETIONS = Number(process.env.BENCH_TASK_COMPLETIONS ?? 300);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed(count: number, work: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = now();
    await work(i);
    samples.push(now() - started);
  }
  return samples;
}

async function postJson(base: string, path: string, headers: Record<string, string>, body: unknown): Promise<any> {
  const reply = await fetch(base + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (reply.status !== 201) throw new Error(`POST ${path} answered ${reply.status}: ${await reply.text()}`);
  return reply.json();
}

async function main(): Promise<void> {
  const database = await createFreshDatabase();
  if ('unavailable' in database) throw new Error(`bench/tasks needs PostgreSQL: ${database.unavailable}`);
  const dataDir = tempDir('tasks');
  const { stagegate } = await startBenchStagegate(benchEnv(dataDir, database.url));
  const { db } = stagegate;
  const headers = { authorization: `Bearer ${BENCH_TOKEN}` };
  try {
    log(`seeding ${OPEN_ITEMS} open work items in ${GROUPS} groups`);
    const definition = await db('process_definitions').where({ key: USER_TASK_PROCESS_KEY }).first('id', 'version');
    const instances = Array.from({ length: OPEN_ITEMS / 100 }, () => crypto.randomUUID());
    for (let i = 0; i < instances.length; i += 500) {
      await db('process_instances').insert(
        instances.slice(i, i + 500).map((id) => ({ id, definition_id: definition.id, process_key: USER_TASK_PROCESS_KEY, definition_version: definition.version, status: 'waiting' })),
      );
    }
    for (let i = 0; i < OPEN_ITEMS; i += 2000) {
      await db('user_tasks').insert(
        Array.from({ length: Math.min(2000, OPEN_ITEMS - i) }, (_, k) => ({
          id: crypto.randomUUID(),
          instance_id: instances[Math.floor((i + k) / 100)],
          element_id: 'approve',
          execution_id: `seed_${i + k}`,
          name: `Seeded item ${i + k}`,
          candidate_groups: JSON.stringify([`group-${(i + k) % GROUPS}`]),
          priority: (i + k) % 100,
        })),
      );
    }
    await db.raw('ANALYZE user_tasks');

    const filter = { status: 'open', candidateGroup: 'group-7', sort: 'created' as const, order: 'desc' as const, limit: 50, offset: 0 };
    const sql = await timed(QUERIES, async () => void (await listWorkItems(db, filter)));
    const http = await timed(QUERIES, async () => {
      const reply = await fetch(`${stagegate.url}/api/tasks?candidateGroup=group-7&status=open`, { headers });
      if (reply.status !== 200) throw new Error(`GET /api/tasks answered ${reply.status}`);
      await reply.json();
    });

    log(`completing ${COMPLETIONS} real work items over HTTP`);
    const reviewer = await postJson(stagegate.url, '/api/users', headers, { name: 'bench-reviewer', email: 'bench-reviewer@example.com', roles: ['model_approver'], groups: ['reviewers'] });
    const token = await postJson(stagegate.url, `/api/users/${reviewer.id}/tokens`, headers, { name: 'bench' });
    const reviewerHeaders = { authorization: `Bearer ${token.token}` };
    const started: string[] = [];
    await runPool(COMPLETIONS, 16, async () => {
      const reply = await fetch(`${stagegate.url}/api/process-definitions/${USER_TASK_PROCESS_KEY}/start`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
      started.push(((await reply.json()) as { id: string }).id);
    });
    await waitUntil(async () => Number((await db('user_tasks').whereIn('instance_id', started).where('status', 'open').count({ n: '*' }))[0].n) === COMPLETIONS, 120_000, 'work items');
    const items: string[] = await db('user_tasks').whereIn('instance_id', started).pluck('id');
    const t0 = now();
    await runPool(items.length, 16, async (i) => {
      const reply = await fetch(`${stagegate.url}/api/tasks/${items[i]}/complete`, { method: 'POST', headers: { ...reviewerHeaders, 'content-type': 'application/json' }, body: '{"variables":{}}' });
      if (reply.status !== 200) throw new Error(`complete answered ${reply.status}: ${await reply.text()}`);
    });
    await waitUntil(async () => Number((await db('process_instances').whereIn('id', started).where('status', 'completed').count({ n: '*' }))[0].n) === COMPLETIONS, 120_000, 'completed instances');
    const seconds = (now() - t0) / 1000;

    const p99Http = percentile(http, 99);
    const p99Sql = percentile(sql, 99);
    const rows = [
      ['open work items', String(OPEN_ITEMS), ''],
      ['p50 GET /api/tasks?candidateGroup&status=open', `${percentile(http, 50).toFixed(2)} ms`, ''],
      ['p99 GET /api/tasks?candidateGroup&status=open', `${p99Http.toFixed(2)} ms`, ''],
      ['p99 same SQL directly (listWorkItems)', `${p99Sql.toFixed(2)} ms`, ''],
      ['ratio HTTP / SQL at p99 (goal <= 2)', (p99Http / p99Sql).toFixed(2), p99Http / p99Sql <= 2 ? 'met' : 'missed'],
      ['completions (HTTP complete -> instance completed)', `${(COMPLETIONS / seconds).toFixed(1)} /s`, `${COMPLETIONS} in ${seconds.toFixed(1)} s`],
    ];
    process.stdout.write(`\nbench/tasks (PostgreSQL, ${QUERIES} sequential queries each)\n`);
    for (const [name, value, note] of rows) process.stdout.write(`  ${name.padEnd(52)} ${value.padStart(12)}  ${note}\n`);
  } finally {
    await stagegate.close();
    await database.drop();
    removeDir(dataDir);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
