/**
 * SPEC §4: only one server process advances an instance at a time, so several
 * replicas can share one PostgreSQL database. Two real server processes take
 * instances started over either one's REST API; every instance runs its
 * service task once and completes once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bpmnProcess, flow } from '../../support/bpmn';
import { createTestDatabase, TestDatabase, usingPostgres } from '../../support/database';
import { Client, waitFor } from '../../support/http';
import { ServerProcess, spawnServer } from '../../support/process-server';

jest.setTimeout(180_000);

const INSTANCES = 200;
const PARALLEL = 20;

const recordProcess = bpmnProcess(
  'replica_record',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'record')}
   <bpmn:serviceTask id="record" camunda:type="external" camunda:topic="test-record" />
   ${flow('f2', 'record', 'end')}
   <bpmn:endEvent id="end" />`,
);

const reviewProcess = bpmnProcess(
  'replica_review',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'record')}
   <bpmn:serviceTask id="record" camunda:type="external" camunda:topic="test-record" />
   ${flow('f2', 'record', 'review')}
   <bpmn:userTask id="review" name="Review" />
   ${flow('f3', 'review', 'end')}
   <bpmn:endEvent id="end" />`,
);

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** `run <pid> <instanceId> <idempotencyKey>` lines of the invocation log. */
function runLines(file: string): { pid: number; instanceId: string; key: string }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('run '))
    .map((line) => {
      const [, pid, instanceId, key] = line.split(' ');
      return { pid: Number(pid), instanceId, key };
    });
}

async function countByStatus(api: Client, key: string, status: string): Promise<number> {
  const reply = await api.get(`/api/process-instances?key=${key}&status=${status}&limit=1`);
  return reply.body.total;
}

/** Asserts the instance completed with exactly one `end` per element, in order. */
async function expectCompletedOnce(api: Client, id: string, elements: string[]): Promise<any> {
  const reply = await api.get(`/api/process-instances/${id}`);
  expect(reply.body.status).toBe('completed');
  const ends = reply.body.history.filter((entry: any) => entry.event === 'end').map((entry: any) => entry.elementId);
  expect({ id, ends }).toEqual({ id, ends: elements });
  return reply.body;
}

const describeOnPostgres = usingPostgres() ? describe : describe.skip;
const title = usingPostgres()
  ? 'two server processes on one PostgreSQL'
  : 'two server processes on one database (skipped: needs STAGEGATE_TEST_DB=postgres; the embedded PGlite belongs to one process by design)';

describeOnPostgres(title, () => {
  let database: TestDatabase;
  let logFile: string;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    logFile = path.join(database.dataDir, 'invocations.log');
    const env = {
      DATABASE_URL: database.databaseUrl!,
      DATA_DIR: database.dataDir,
      PROCESSES_DIR: path.join(database.dataDir, 'no-processes'),
      TEST_INVOCATION_LOG: logFile,
    };
    // The first one migrates the fresh database; the second finds it migrated.
    servers.push(await spawnServer(env));
    servers.push(await spawnServer(env));
    for (const xml of [recordProcess, reviewProcess]) expect((await servers[0].api.deploy(xml)).status).toBe(201);
  });

  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    servers = [];
    await database?.drop();
  });

  it(`runs ${INSTANCES} instances through both servers, each exactly once`, async () => {
    const began = Date.now();
    const ids = await inParallel(Array.from({ length: INSTANCES }), PARALLEL, async (_, index) => {
      const reply = await servers[index % 2].api.post('/api/process-definitions/replica_record/start', { businessKey: `r-${index}` });
      expect(reply.status).toBe(201);
      return reply.body.id as string;
    });
    expect(new Set(ids).size).toBe(INSTANCES);

    await waitFor(async () => (await countByStatus(servers[1].api, 'replica_record', 'completed')) === INSTANCES, 90000, 'all instances completed');
    const completedIn = Date.now() - began;
    const all = await servers[0].api.get('/api/process-instances?key=replica_record&limit=1');
    expect(all.body.total).toBe(INSTANCES);

    await inParallel(ids, PARALLEL, async (id, index) => {
      const instance = await expectCompletedOnce(servers[index % 2].api, id, ['start', 'record', 'end']);
      expect(instance.variables).toEqual({ recorded: true });
    });

    // One invocation per instance (nobody crashed, so nobody may run it again), with its stable key.
    const lines = runLines(logFile).filter((line) => ids.includes(line.instanceId));
    expect(lines).toHaveLength(INSTANCES);
    expect(new Set(lines.map((line) => line.instanceId)).size).toBe(INSTANCES);
    for (const line of lines) expect(line.key.startsWith(`${line.instanceId}:`)).toBe(true);

    // Both servers did some of the work.
    const pids = servers.map((server) => server.child.pid!);
    const perServer = pids.map((pid) => lines.filter((line) => line.pid === pid).length);
    expect(perServer.every((count) => count > 0)).toBe(true);
    expect(perServer.reduce((a, b) => a + b, 0)).toBe(INSTANCES);

    // eslint-disable-next-line no-console
    console.log(`replicas: ${INSTANCES} instances completed in ${completedIn}ms; service tasks per server: ${perServer.join(' / ')}`);
  });

  it('completes a user task through the other server than the one that started the instance', async () => {
    const count = 20;
    const ids = await inParallel(Array.from({ length: count }), PARALLEL, async (_, index) => {
      const reply = await servers[index % 2].api.post('/api/process-definitions/replica_review/start', { businessKey: `u-${index}` });
      expect(reply.status).toBe(201);
      return reply.body.id as string;
    });
    await waitFor(async () => (await countByStatus(servers[0].api, 'replica_review', 'waiting')) === count, 30000, 'all instances waiting');

    await inParallel(ids, PARALLEL, async (id, index) => {
      const other = servers[(index + 1) % 2].api;
      const tasks = await other.get(`/api/tasks?processInstanceId=${id}`);
      expect(tasks.body.items.map((task: any) => task.status)).toEqual(['open']);
      const taskId = tasks.body.items[0].id;
      const done = await other.post(`/api/tasks/${taskId}/complete`, { variables: { approvedBy: index } });
      expect(done.status).toBe(200);
      // The server that started it refuses a second completion.
      expect((await servers[index % 2].api.post(`/api/tasks/${taskId}/complete`, { variables: {} })).status).toBe(409);
    });

    await waitFor(async () => (await countByStatus(servers[1].api, 'replica_review', 'completed')) === count, 30000, 'all instances completed');
    await inParallel(ids, PARALLEL, async (id, index) => {
      const instance = await expectCompletedOnce(servers[index % 2].api, id, ['start', 'record', 'review', 'end']);
      expect(instance.variables).toEqual({ recorded: true, approvedBy: index });
    });
    const lines = runLines(logFile).filter((line) => ids.includes(line.instanceId));
    expect(lines).toHaveLength(count);
    expect(new Set(lines.map((line) => line.instanceId)).size).toBe(count);
  });
});
