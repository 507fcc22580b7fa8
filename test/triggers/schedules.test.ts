/**
 * SPEC §10 cron schedules through REST on a real server: create, read (next
 * and last fire), fire, pause, resume, change, delete, audit, permissions and
 * bad input; cron timer start events as schedules owned by their definition;
 * instances start at the right start event.
 */
import { bpmnProcess, flow } from '../support/bpmn';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser } from '../support/users';

const waiting = bpmnProcess(
  'scheduled-review',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'review')}
   <bpmn:userTask id="review" />
   ${flow('f2', 'review', 'end')}
   <bpmn:endEvent id="end" />`,
);

const messageOnly = bpmnProcess(
  'message-only',
  `<bpmn:startEvent id="changed"><bpmn:messageEventDefinition messageRef="Msg" /></bpmn:startEvent>
   ${flow('f1', 'changed', 'end')}
   <bpmn:endEvent id="end" />`,
  '<bpmn:message id="Msg" name="only-by-message" />',
);

/** A none start event and a cron timer start event, each with its own path. */
const ticking = (cron: string) =>
  bpmnProcess(
    'ticking',
    `<bpmn:startEvent id="manual" />
     ${flow('f1', 'manual', 'byHand')}
     <bpmn:userTask id="byHand" />
     ${flow('f2', 'byHand', 'end1')}
     <bpmn:endEvent id="end1" />
     <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${cron}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
     ${flow('f3', 'tick', 'onTick')}
     <bpmn:userTask id="onTick" />
     ${flow('f4', 'onTick', 'end2')}
     <bpmn:endEvent id="end2" />`,
  );

const dailyOnly = bpmnProcess(
  'daily-only',
  `<bpmn:startEvent id="daily"><bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">0 0 6 * * ?</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
   ${flow('f1', 'daily', 'work')}
   <bpmn:userTask id="work" />
   ${flow('f2', 'work', 'end')}
   <bpmn:endEvent id="end" />`,
);

describe('schedules', () => {
  let server: TestServer;

  const instancesOf = async (key: string) => (await server.api.get(`/api/process-instances?key=${key}&limit=500`)).body.items as any[];
  const historyIds = async (id: string) => [...new Set(((await server.api.get(`/api/process-instances/${id}`)).body.history as any[]).map((h) => h.elementId))];
  const auditActions = async (id: string) =>
    ((await server.api.get(`/api/audit?entityType=schedule&entityId=${id}`)).body.items as any[]).map((e) => e.action).reverse();

  beforeAll(async () => {
    server = await startTestServer();
    for (const xml of [waiting, messageOnly, dailyOnly]) expect((await server.api.deploy(xml)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('fires every second with the variables and business key, shows next and last fire, pauses, resumes and deletes', async () => {
    const created = await server.api.post('/api/schedules', { process: 'scheduled-review', cron: '* * * * * *', timezone: 'Europe/Berlin', variables: { region: 'eu' }, businessKey: 'nightly-eu' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ processKey: 'scheduled-review', cron: '* * * * * *', timezone: 'Europe/Berlin', status: 'active', origin: 'api', lastFireAt: null });
    expect(new Date(created.body.nextFireAt).getTime()).toBeGreaterThan(Date.now() - 1000);
    const id = created.body.id;

    const fired = await waitFor(async () => {
      const items = await instancesOf('scheduled-review');
      return items.length >= 2 ? items : null;
    }, 15000, 'two scheduled instances');
    const instance = await server.waitForStatus(fired[0].id, 'waiting');
    expect(instance).toMatchObject({ businessKey: 'nightly-eu', variables: { region: 'eu' }, startedBy: null });

    const shown = (await server.api.get(`/api/schedules/${id}`)).body;
    expect(shown.lastFireAt).not.toBeNull();
    expect(shown.recentFires.length).toBeGreaterThanOrEqual(2);
    expect(shown.recentFires[0]).toMatchObject({ error: null });
    const started = (await instancesOf('scheduled-review')).map((i) => i.id);
    for (const fire of shown.recentFires) if (fire.instanceId) expect(started).toContain(fire.instanceId);
    expect(new Set(shown.recentFires.map((f: any) => f.instanceId)).size).toBe(shown.recentFires.length);
    // Fires land on whole seconds, one instance each.
    for (const fire of shown.recentFires) expect(new Date(fire.fireAt).getMilliseconds()).toBe(0);

    const paused = await server.api.post(`/api/schedules/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', nextFireAt: null });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a fire under way at pause time may still land
    const afterPause = (await instancesOf('scheduled-review')).length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await instancesOf('scheduled-review')).length).toBe(afterPause);

    const resumed = await server.api.post(`/api/schedules/${id}/resume`);
    expect(resumed.body.status).toBe('active');
    await waitFor(async () => (await instancesOf('scheduled-review')).length > afterPause, 10000, 'a fire after resume');

    const changed = await server.api.request('PATCH', `/api/schedules/${id}`, { cron: '0 0 5 * * ?', variables: { region: 'us' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ cron: '0 0 5 * * ?', variables: { region: 'us' }, timezone: 'Europe/Berlin' });
    // 05:00 in Berlin is 04:00 or 03:00 UTC.
    expect([3, 4]).toContain(new Date(changed.body.nextFireAt).getUTCHours());

    expect((await server.api.del(`/api/schedules/${id}`)).status).toBe(204);
    expect((await server.api.get(`/api/schedules/${id}`)).status).toBe(404);
    expect(await auditActions(id)).toEqual(['schedule.create', 'schedule.pause', 'schedule.resume', 'schedule.update', 'schedule.delete']);
  });

  it('runs a cron timer start event as a schedule owned by the definition, replaced by a new version', async () => {
    expect((await server.api.deploy(ticking('* * * * * *'))).status).toBe(201);
    const owned = (await server.api.get('/api/schedules?process=ticking')).body;
    expect(owned.items).toEqual([expect.objectContaining({ origin: 'definition', startEventId: 'tick', cron: '* * * * * *', status: 'active', createdBy: null })]);
    const scheduleId = owned.items[0].id;

    // A fire starts at the timer start event only, not at the none start event.
    const first = await waitFor(async () => (await instancesOf('ticking'))[0], 15000, 'a ticking instance');
    await server.waitForStatus(first.id, 'waiting');
    expect(await historyIds(first.id)).toEqual(['tick', 'onTick']);
    // A start over REST takes the none start event only.
    const manual = await server.api.post('/api/process-definitions/ticking/start', {});
    expect((await server.waitForStatus(manual.body.id, 'waiting')).userTasks.map((t: any) => t.elementId)).toEqual(['byHand']);
    expect(await historyIds(manual.body.id)).toEqual(['manual', 'byHand']);

    // Definition-owned schedules are paused, not edited or deleted, over REST.
    expect((await server.api.request('PATCH', `/api/schedules/${scheduleId}`, { cron: '0 * * * *' })).status).toBe(409);
    const refused = await server.api.del(`/api/schedules/${scheduleId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('timer start event tick');
    expect((await server.api.post(`/api/schedules/${scheduleId}/pause`)).status).toBe(200);

    // A new version replaces the schedule and keeps it paused.
    expect((await server.api.deploy(ticking('0 30 7 * * ?'))).status).toBe(201);
    const replaced = (await server.api.get('/api/schedules?process=ticking')).body.items;
    expect(replaced).toEqual([expect.objectContaining({ origin: 'definition', startEventId: 'tick', cron: '0 30 7 * * ?', status: 'paused' })]);
    expect(replaced[0].id).not.toBe(scheduleId);
    expect((await server.api.get(`/api/schedules/${scheduleId}`)).status).toBe(404);
  });

  it('starts a process whose only start event is a cron timer by hand, at that start event', async () => {
    const started = await server.api.post('/api/process-definitions/daily-only/start', { variables: { manual: true } });
    expect(started.status).toBe(201);
    const instance = await server.waitForStatus(started.body.id, 'waiting');
    expect(instance.userTasks.map((t: any) => t.elementId)).toEqual(['work']);
    expect(await historyIds(started.body.id)).toEqual(['daily', 'work']);
  });

  it('rejects a process definition whose timer start event has an invalid cron, naming the element', async () => {
    const reply = await server.api.deploy(ticking('0 0 25 * * ?'));
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.problems).toEqual([expect.objectContaining({ elementId: 'tick', rule: 'timer-definition' })]);
    expect(reply.body.error.details.problems[0].message).toContain('0 0 25 * * ?');
  });

  it('answers bad schedule requests with a clear 4xx', async () => {
    const cases: [string, unknown, number, string | RegExp][] = [
      ['invalid cron', { process: 'scheduled-review', cron: '0 0 61 * *' }, 400, /not a valid cron expression/],
      ['seven fields', { process: 'scheduled-review', cron: '0 0 2 * * ? 2030' }, 400, /has 7 field\(s\)/],
      ['three fields', { process: 'scheduled-review', cron: '* * *' }, 400, /has 3 field\(s\)/],
      ['unknown time zone', { process: 'scheduled-review', cron: '0 6 * * *', timezone: 'Mars/Olympus' }, 400, /Mars\/Olympus.*time zone/],
      ['unknown process', { process: 'no-such-process', cron: '0 6 * * *' }, 404, /no-such-process/],
      ['no suitable start event', { process: 'message-only', cron: '0 6 * * *' }, 400, /none start event or a timer start event.*changed \(message\)/],
      ['missing cron', { process: 'scheduled-review' }, 400, /cron/],
      ['unknown field', { process: 'scheduled-review', cron: '0 6 * * *', every: 'day' }, 400, /every/],
      ['variables not an object', { process: 'scheduled-review', cron: '0 6 * * *', variables: [1] }, 400, /variables/],
    ];
    for (const [what, body, status, message] of cases) {
      const reply = await server.api.post('/api/schedules', body);
      expect({ what, status: reply.status }).toEqual({ what, status });
      expect(reply.body.error.message).toMatch(message);
      expect(Object.keys(reply.body.error)).toEqual(expect.arrayContaining(['code', 'message']));
    }
    expect((await server.api.post('/api/schedules', { process: 'scheduled-review', cron: '0 6 * * *', timezone: 'Mars/Olympus' })).body.error.code).toBe('INVALID_SCHEDULE');
    expect((await server.api.post('/api/schedules', { process: 'message-only', cron: '0 6 * * *' })).body.error.code).toBe('NOT_SCHEDULABLE');

    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const path of [`/api/schedules/${unknown}/pause`, `/api/schedules/${unknown}/resume`]) {
      const reply = await server.api.post(path);
      expect(reply.status).toBe(404);
      expect(reply.body.error).toMatchObject({ code: 'NOT_FOUND', message: `schedule ${unknown} not found` });
    }
    expect((await server.api.del(`/api/schedules/${unknown}`)).status).toBe(404);
    expect((await server.api.get('/api/schedules/not-a-uuid')).status).toBe(400);
    expect((await server.api.get('/api/schedules?status=sleeping')).status).toBe(400);

    const schedule = (await server.api.post('/api/schedules', { process: 'scheduled-review', cron: '0 6 * * *', timezone: 'UTC' })).body;
    expect((await server.api.post(`/api/schedules/${schedule.id}/resume`)).status).toBe(409);
    expect((await server.api.post(`/api/schedules/${schedule.id}/pause`)).status).toBe(200);
    const twice = await server.api.post(`/api/schedules/${schedule.id}/pause`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('already paused');
    expect((await server.api.request('PATCH', `/api/schedules/${schedule.id}`, {})).status).toBe(400);
    expect((await server.api.request('PATCH', `/api/schedules/${schedule.id}`, { cron: 'every day' })).status).toBe(400);
    expect((await server.api.request('PATCH', `/api/schedules/${schedule.id}`, { timezone: 'Nowhere/Land' })).status).toBe(400);
    expect((await server.api.get(`/api/schedules/${schedule.id}`)).body).toMatchObject({ cron: '0 6 * * *', timezone: 'UTC', status: 'paused' });
  });

  it('needs instances:start to change schedules; contributors see and change only their own', async () => {
    const viewer = await createUser(server, ['viewer']);
    const alice = await createUser(server, ['experiment_contributor']);
    const bob = await createUser(server, ['experiment_contributor']);
    const denied = await viewer.api.post('/api/schedules', { process: 'scheduled-review', cron: '0 6 * * *' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('instances:start');

    const mine = await alice.api.post('/api/schedules', { process: 'scheduled-review', cron: '0 6 * * *', timezone: 'UTC' });
    expect(mine.status).toBe(201);
    expect(mine.body.createdBy).toBe(alice.id);
    expect((await alice.api.get('/api/schedules')).body.items.map((s: any) => s.id)).toEqual([mine.body.id]);
    expect((await bob.api.get('/api/schedules')).body.items).toEqual([]);
    expect((await bob.api.get(`/api/schedules/${mine.body.id}`)).status).toBe(403);
    expect((await bob.api.post(`/api/schedules/${mine.body.id}/pause`)).status).toBe(403);
    expect((await viewer.api.get(`/api/schedules/${mine.body.id}`)).status).toBe(200);
    expect((await viewer.api.post(`/api/schedules/${mine.body.id}/pause`)).status).toBe(403);
    expect((await alice.api.post(`/api/schedules/${mine.body.id}/pause`)).status).toBe(200);
  });
});
