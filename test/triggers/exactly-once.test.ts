/**
 * SPEC §10 / issue 7 acceptance 1: two server processes on one PostgreSQL run
 * the same schedule (firing every second) for about ten seconds; every fire
 * starts exactly one instance. PostgreSQL only: the embedded PGlite belongs
 * to one process, so two servers cannot share it.
 */
import { Client as PgClient } from 'pg';
import { bpmnProcess, flow } from '../support/bpmn';
import { createTestDatabase, TestDatabase, usingPostgres } from '../support/database';
import { waitFor } from '../support/http';
import { ServerProcess, spawnServer } from '../support/process-server';

jest.setTimeout(180_000);

const tick = bpmnProcess(
  'every-second',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'end')}
   <bpmn:endEvent id="end" />`,
);

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('exactly-once schedule fires across two server processes (PostgreSQL only: PGlite cannot be shared)', () => {
  let database: TestDatabase;
  let servers: ServerProcess[] = [];
  let sql: PgClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.databaseUrl!, DATA_DIR: database.dataDir, PROCESSES_DIR: `${database.dataDir}/none` };
    // One after the other: both would otherwise race to run the migrations.
    servers.push(await spawnServer(env));
    servers.push(await spawnServer(env));
    sql = new PgClient({ connectionString: database.databaseUrl });
    await sql.connect();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.terminate()));
    await sql?.end();
    await database?.drop();
  });

  it('starts one instance per fire, whichever server claims it', async () => {
    const [a, b] = servers;
    expect((await a.api.deploy(tick)).status).toBe(201);
    const schedule = (await a.api.post('/api/schedules', { process: 'every-second', cron: '* * * * * *', timezone: 'UTC' })).body;
    // Created on A, the schedule is seen by B through its poll.
    await waitFor(async () => (await b.api.get(`/api/schedules/${schedule.id}`)).status === 200, 5000, 'B to see the schedule');

    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect((await b.api.post(`/api/schedules/${schedule.id}/pause`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // both schedulers reload; fires under way finish

    const fires = (await sql.query('SELECT fire_key, fire_at, claimed_by, instance_id, error FROM schedule_fires WHERE schedule_id = $1 ORDER BY fire_at', [schedule.id])).rows;
    const instances = (await sql.query(`SELECT id FROM process_instances WHERE process_key = 'every-second'`)).rows;
    expect(fires.length).toBeGreaterThanOrEqual(8);
    expect(fires.filter((fire) => fire.error !== null || fire.instance_id === null)).toEqual([]);
    // One instance per fire, one fire per second.
    expect(instances.length).toBe(fires.length);
    expect(new Set(fires.map((fire) => fire.instance_id))).toEqual(new Set(instances.map((row) => row.id)));
    expect(new Set(fires.map((fire) => new Date(fire.fire_at).getTime())).size).toBe(fires.length);
    // Each fire was claimed by one of the two servers (which one is a race both run every second).
    const pids = [String(a.child.pid), String(b.child.pid)];
    for (const fire of fires) expect(pids).toContain(fire.claimed_by.split(':')[1]);
    await waitFor(async () => {
      const done = (await sql.query(`SELECT count(*)::int AS n FROM process_instances WHERE process_key = 'every-second' AND status = 'completed'`)).rows[0].n;
      return done === instances.length;
    }, 15000, 'every instance to complete');
  });
});
