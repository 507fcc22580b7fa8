import { bpmnProcess, flow } from '../support/bpmn';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const waitTimer = (id: string, duration: string) =>
  bpmnProcess(
    id,
    `<bpmn:startEvent id="start" />
     ${flow('f1', 'start', 'pause')}
     <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition><bpmn:timeDuration>${duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
     ${flow('f2', 'pause', 'end')}
     <bpmn:endEvent id="end" />`,
  );

const escalation = bpmnProcess(
  'escalation',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'approve')}
   <bpmn:userTask id="approve" camunda:candidateGroups="approvers" />
   <bpmn:boundaryEvent id="timeout" attachedToRef="approve"><bpmn:timerEventDefinition><bpmn:timeDuration>PT0.6S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   ${flow('f2', 'approve', 'approved')}
   ${flow('f3', 'timeout', 'timedOut')}
   <bpmn:endEvent id="approved" />
   <bpmn:endEvent id="timedOut" />`,
);

const ends = (instance: any) => instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);

describe('timers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    for (const xml of [waitTimer('short-wait', 'PT0.8S'), waitTimer('month-wait', 'P30D'), waitTimer('downtime-wait', 'PT2S'), escalation]) {
      expect((await server.api.deploy(xml)).status).toBe(201);
    }
  });
  afterAll(() => server.close());

  it('stores a timer with its due time and fires it from the poller', async () => {
    const started = await server.api.post('/api/process-definitions/short-wait/start', {});
    const waiting = await server.waitForStatus(started.body.id, 'waiting');
    expect(waiting.timers).toHaveLength(1);
    expect(waiting.timers[0].elementId).toBe('pause');
    const due = new Date(waiting.timers[0].dueAt).getTime();
    expect(due).toBeGreaterThan(Date.now() - 1000);
    const done = await server.waitForStatus(started.body.id, 'completed');
    expect(ends(done)).toEqual(['start', 'pause', 'end']);
    expect(new Date(done.endedAt).getTime()).toBeGreaterThanOrEqual(due);
  });

  it('interrupts a user task with a boundary timer and cancels its work item', async () => {
    const started = await server.api.post('/api/process-definitions/escalation/start', {});
    const done = await server.waitForStatus(started.body.id, 'completed');
    expect(ends(done)).toContain('timedOut');
    expect(ends(done)).not.toContain('approved');
    const tasks = await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`);
    expect(tasks.body.items.map((t: any) => t.status)).toEqual(['cancelled']);
  });

  it('keeps a timer longer than setTimeout allows (30 days) and fires it once it is due', async () => {
    const started = await server.api.post('/api/process-definitions/month-wait/start', {});
    const waiting = await server.waitForStatus(started.body.id, 'waiting');
    const due = new Date(waiting.timers[0].dueAt).getTime();
    expect(due - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    const row = await server.stagegate.db('process_instances').where({ id: started.body.id }).first('wake_at');
    expect(new Date(row.wake_at).getTime()).toBe(due);

    // Thirty days pass: move the stored due time (engine state and wake_at) into the past.
    const past = new Date(Date.now() - 1000).toISOString();
    const stored = await server.stagegate.db('process_instances').where({ id: started.body.id }).first('engine_state');
    const text = JSON.stringify(stored.engine_state).split(new Date(due).toISOString()).join(past);
    expect(text).toContain(past);
    await server.stagegate.db('process_instances').where({ id: started.body.id }).update({ engine_state: text, wake_at: past });
    const done = await server.waitForStatus(started.body.id, 'completed');
    expect(ends(done)).toEqual(['start', 'pause', 'end']);
  });
});

describe('a timer due while the server was down', () => {
  it('fires once at start-up', async () => {
    let server = await startTestServer();
    const { database } = server;
    try {
      expect((await server.api.deploy(waitTimer('downtime-wait', 'PT1S'))).status).toBe(201);
      const started = await server.api.post('/api/process-definitions/downtime-wait/start', {});
      await server.waitForStatus(started.body.id, 'waiting');
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      server = await startTestServer({ database });
      const done = await server.waitForStatus(started.body.id, 'completed');
      expect(ends(done)).toEqual(['start', 'pause', 'end']);
      const fired = await waitFor(async () => (await server.api.get(`/api/process-instances/${started.body.id}`)).body);
      expect(fired.history.filter((h: any) => h.elementId === 'pause' && h.event === 'end')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
