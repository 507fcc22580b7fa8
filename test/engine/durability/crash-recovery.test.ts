/**
 * SPEC §4: a crash (kill -9) at any moment loses no instance. A real server
 * process is SIGKILLed while instances are (a) inside an in-process service
 * task, (b) waiting on a user task, (c) waiting on a timer; a new process on
 * the same database (PGlite files on disk, or PostgreSQL) finishes them all,
 * each exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bpmnProcess, flow } from '../../support/bpmn';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { Client, waitFor } from '../../support/http';
import { ServerProcess, spawnServer } from '../../support/process-server';

jest.setTimeout(120_000);

const SLOW_MS = 6000;
const PER_KIND = 3;

const serviceProcess = bpmnProcess(
  'crash_service',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'work')}
   <bpmn:serviceTask id="work" name="Slow work" camunda:type="external" camunda:topic="test-slow">
     <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="ms">${SLOW_MS}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>
   ${flow('f2', 'work', 'end')}
   <bpmn:endEvent id="end" />`,
);

const userTaskProcess = bpmnProcess(
  'crash_user_task',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'review')}
   <bpmn:userTask id="review" name="Review" />
   ${flow('f2', 'review', 'end')}
   <bpmn:endEvent id="end" />`,
);

const timerProcess = bpmnProcess(
  'crash_timer',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'pause')}
   <bpmn:intermediateCatchEvent id="pause" name="Pause">
     <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">\${duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
   </bpmn:intermediateCatchEvent>
   ${flow('f2', 'pause', 'end')}
   <bpmn:endEvent id="end" />`,
);

interface LogLine {
  kind: string;
  pid: number;
  key: string;
}

function readLog(file: string): LogLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, pid, key] = line.split(' ');
      return { kind, pid: Number(pid), key };
    });
}

async function startMany(api: Client, key: string, count: number, variables: Record<string, unknown> = {}): Promise<string[]> {
  const replies = await Promise.all(Array.from({ length: count }, () => api.post(`/api/process-definitions/${key}/start`, { variables })));
  for (const reply of replies) expect(reply.status).toBe(201);
  return replies.map((reply) => reply.body.id);
}

async function instanceOf(api: Client, id: string): Promise<any> {
  const reply = await api.get(`/api/process-instances/${id}`);
  expect(reply.status).toBe(200);
  return reply.body;
}

/** elementId → number of `end` events in the instance's history. */
function endsPerElement(instance: any): Record<string, number> {
  const ends: Record<string, number> = {};
  for (const entry of instance.history) if (entry.event === 'end') ends[entry.elementId] = (ends[entry.elementId] ?? 0) + 1;
  return ends;
}

describe('crash recovery (SIGKILL of a server process)', () => {
  let database: TestDatabase;
  let logFile: string;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];

  const spawn = async () => {
    const server = await spawnServer(env);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    logFile = path.join(database.dataDir, 'invocations.log');
    env = {
      DATA_DIR: database.dataDir,
      PROCESSES_DIR: path.join(database.dataDir, 'no-processes'),
      TEST_INVOCATION_LOG: logFile,
      // A crashed server's leases expire this soon (renewed every LEASE_MS/3 while alive).
      LEASE_MS: '3000',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    };
  });

  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    await database?.drop();
  });

  it('finishes instances that were in a service task, a user task and a timer, each exactly once', async () => {
    const began = Date.now();
    const first = await spawn();
    const firstReadyIn = Date.now() - began;
    for (const xml of [serviceProcess, userTaskProcess, timerProcess]) expect((await first.api.deploy(xml)).status).toBe(201);

    // (b) and (c) first: they settle fast. Timers of `dueWhileDown` come due during the downtime,
    // those of `dueAfterRestart` while the new server runs.
    const [userTaskIds, dueWhileDown, dueAfterRestart] = await Promise.all([
      startMany(first.api, 'crash_user_task', PER_KIND),
      startMany(first.api, 'crash_timer', PER_KIND, { duration: 'PT10S' }),
      startMany(first.api, 'crash_timer', PER_KIND, { duration: 'PT30S' }),
    ]);
    const timerIds = [...dueWhileDown, ...dueAfterRestart];
    const dueAt = new Map<string, number>();
    for (const id of userTaskIds) {
      const instance = await waitFor(async () => {
        const body = await instanceOf(first.api, id);
        return body.status === 'waiting' && body.userTasks.length === 1 ? body : null;
      }, 15000, `user task of ${id}`);
      expect(instance.userTasks[0].elementId).toBe('review');
    }
    for (const id of timerIds) {
      const instance = await waitFor(async () => {
        const body = await instanceOf(first.api, id);
        return body.status === 'waiting' && body.timers.length === 1 ? body : null;
      }, 15000, `timer of ${id}`);
      dueAt.set(id, new Date(instance.timers[0].dueAt).getTime());
    }

    // (a): kill while every handler has logged `start` and none `done`.
    const serviceIds = await startMany(first.api, 'crash_service', PER_KIND);
    const firstPid = first.child.pid!;
    await waitFor(async () => readLog(logFile).filter((l) => l.kind === 'start').length === PER_KIND, 15000, 'handlers to start');
    await first.kill();
    const killedAt = Date.now();
    const beforeCrash = readLog(logFile);
    expect(beforeCrash.filter((l) => l.kind === 'done')).toEqual([]);
    expect(beforeCrash.every((l) => l.kind === 'start' && l.pid === firstPid)).toBe(true);
    const keyOf = new Map<string, string>();
    for (const id of serviceIds) {
      const lines = beforeCrash.filter((l) => l.key.startsWith(`${id}:`));
      expect(lines).toHaveLength(1);
      keyOf.set(id, lines[0].key);
    }

    // Stay down until the short timers are overdue.
    const latestShortDue = Math.max(...dueWhileDown.map((id) => dueAt.get(id)!));
    expect(latestShortDue).toBeGreaterThan(killedAt);
    await new Promise((resolve) => setTimeout(resolve, latestShortDue - Date.now() + 500));
    const restartedAt = Date.now();
    const second = await spawn();
    const readyAt = Date.now();
    const secondPid = second.child.pid!;
    for (const id of dueAfterRestart) expect(dueAt.get(id)!).toBeGreaterThan(readyAt);

    // The database survived the crash: definitions and every instance are there.
    const definitions = await second.api.get('/api/process-definitions');
    expect(definitions.body.items.map((d: any) => d.key).sort()).toEqual(['crash_service', 'crash_timer', 'crash_user_task']);
    const all = await second.api.get('/api/process-instances?limit=500');
    expect(all.body.total).toBe(4 * PER_KIND);

    // The overdue timers fire at start-up, without anything else happening.
    for (const id of dueWhileDown) {
      await waitFor(async () => (await instanceOf(second.api, id)).status === 'completed', 15000, `overdue timer of ${id}`);
    }

    // (b): the tasks that were open before the crash are completed over REST.
    const taskIds: string[] = [];
    for (const id of userTaskIds) {
      const tasks = await second.api.get(`/api/tasks?processInstanceId=${id}`);
      expect(tasks.body.items.map((t: any) => t.status)).toEqual(['open']);
      const done = await second.api.post(`/api/tasks/${tasks.body.items[0].id}/complete`, { variables: { approved: true } });
      expect(done.status).toBe(200);
      taskIds.push(tasks.body.items[0].id);
    }

    const everyId = [...serviceIds, ...userTaskIds, ...timerIds];
    const finished = new Map<string, any>();
    await waitFor(
      async () => {
        for (const id of everyId) {
          if (finished.has(id)) continue;
          const body = await instanceOf(second.api, id);
          if (body.status === 'completed') finished.set(id, body);
        }
        return finished.size === everyId.length;
      },
      60000,
      'every instance to complete',
    ).catch(async (err) => {
      const unfinished = everyId.filter((id) => !finished.has(id));
      const states = await Promise.all(unfinished.map((id) => instanceOf(second.api, id)));
      throw new Error(`${err.message}; unfinished: ${JSON.stringify(states, null, 1)}; log: ${fs.readFileSync(logFile, 'utf8')}`);
    });
    const completedAt = Date.now();

    // None lost, none twice completed.
    const completed = await second.api.get('/api/process-instances?status=completed&limit=500');
    expect(completed.body.total).toBe(everyId.length);
    for (const id of serviceIds) expect(endsPerElement(finished.get(id))).toEqual({ start: 1, work: 1, end: 1 });
    for (const id of userTaskIds) expect(endsPerElement(finished.get(id))).toEqual({ start: 1, review: 1, end: 1 });
    for (const id of timerIds) expect(endsPerElement(finished.get(id))).toEqual({ start: 1, pause: 1, end: 1 });

    // (a): re-invoked once by the new process, with the first invocation's idempotency key.
    const log = readLog(logFile);
    for (const id of serviceIds) {
      const lines = log.filter((l) => l.key.startsWith(`${id}:`));
      expect(lines.map(({ kind, pid, key }) => ({ kind, pid, key }))).toEqual([
        { kind: 'start', pid: firstPid, key: keyOf.get(id) },
        { kind: 'start', pid: secondPid, key: keyOf.get(id) },
        { kind: 'done', pid: secondPid, key: keyOf.get(id) },
      ]);
      expect(finished.get(id).variables).toEqual({ slowDone: true });
      const workEnd = finished.get(id).history.find((h: any) => h.elementId === 'work' && h.event === 'end');
      expect(new Date(workEnd.at).getTime()).toBeGreaterThanOrEqual(restartedAt);
    }

    // (b): each task completed once; a second completion is refused.
    for (const [index, id] of userTaskIds.entries()) {
      expect(finished.get(id).variables).toEqual({ approved: true });
      expect((await second.api.post(`/api/tasks/${taskIds[index]}/complete`, { variables: {} })).status).toBe(409);
    }

    // (c): every timer fired after the restart, never before its due time.
    for (const id of timerIds) {
      const pauseEnd = finished.get(id).history.find((h: any) => h.elementId === 'pause' && h.event === 'end');
      const firedAt = new Date(pauseEnd.at).getTime();
      expect(firedAt).toBeGreaterThanOrEqual(restartedAt);
      expect(firedAt).toBeGreaterThanOrEqual(dueAt.get(id)!);
    }

    // eslint-disable-next-line no-console
    console.log(
      `crash-recovery timings: first server up in ${firstReadyIn}ms, killed ${killedAt - began}ms after spawn, down ${restartedAt - killedAt}ms; ` +
        `restart took ${readyAt - restartedAt}ms; all completed ${completedAt - readyAt}ms after restart`,
    );
  });
});
