import { bpmnProcess, flow } from '../support/bpmn';
import { startTestServer, TestServer } from '../support/server';

const awaitingLabels = bpmnProcess(
  'awaiting-labels',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'labels')}
   <bpmn:intermediateCatchEvent id="labels"><bpmn:messageEventDefinition messageRef="Msg_labels" /></bpmn:intermediateCatchEvent>
   ${flow('f2', 'labels', 'end')}
   <bpmn:endEvent id="end" />`,
  '<bpmn:message id="Msg_labels" name="labels-arrived" />',
);

const onModelChanged = bpmnProcess(
  'on-change',
  `<bpmn:startEvent id="changed"><bpmn:messageEventDefinition messageRef="Msg_changed" /></bpmn:startEvent>
   ${flow('f1', 'changed', 'review')}
   <bpmn:userTask id="review" />
   ${flow('f2', 'review', 'end')}
   <bpmn:endEvent id="end" />`,
  '<bpmn:message id="Msg_changed" name="model-changed" />',
);

const freeze = bpmnProcess(
  'freeze-wait',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'frozen')}
   <bpmn:intermediateCatchEvent id="frozen"><bpmn:signalEventDefinition signalRef="Sig_thaw" /></bpmn:intermediateCatchEvent>
   ${flow('f2', 'frozen', 'end')}
   <bpmn:endEvent id="end" />`,
  '<bpmn:signal id="Sig_thaw" name="release-freeze" />',
);

const onSignal = bpmnProcess(
  'on-release',
  `<bpmn:startEvent id="released"><bpmn:signalEventDefinition signalRef="Sig_thaw2" /></bpmn:startEvent>
   ${flow('f1', 'released', 'end')}
   <bpmn:endEvent id="end" />`,
  '<bpmn:signal id="Sig_thaw2" name="release-freeze" />',
);

describe('messages and signals over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    for (const xml of [awaitingLabels, onModelChanged, freeze, onSignal]) expect((await server.api.deploy(xml)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('delivers a message to the instance with the business key, with its variables', async () => {
    const a = await server.api.post('/api/process-definitions/awaiting-labels/start', { businessKey: 'ds-a' });
    const b = await server.api.post('/api/process-definitions/awaiting-labels/start', { businessKey: 'ds-b' });
    const waiting = await server.waitForStatus(a.body.id, 'waiting');
    expect(waiting.subscriptions).toEqual([{ kind: 'message', name: 'labels-arrived', elementId: 'labels' }]);
    await server.waitForStatus(b.body.id, 'waiting');

    const reply = await server.api.post('/api/messages', { name: 'labels-arrived', businessKey: 'ds-a', variables: { rows: 120 } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ delivered: [a.body.id], started: [] });
    const done = await server.waitForStatus(a.body.id, 'completed');
    expect(done.variables).toEqual({ rows: 120 });
    expect((await server.api.get(`/api/process-instances/${b.body.id}`)).body.status).toBe('waiting');
  });

  it('starts a process with a message start event and passes the business key', async () => {
    const reply = await server.api.post('/api/messages', { name: 'model-changed', businessKey: 'churn:v3', variables: { version: 3 } });
    expect(reply.body.delivered).toEqual([]);
    expect(reply.body.started).toHaveLength(1);
    const instance = await server.waitForStatus(reply.body.started[0], 'waiting');
    expect(instance).toMatchObject({ processKey: 'on-change', businessKey: 'churn:v3', variables: { version: 3 } });
    expect(instance.userTasks.map((t: any) => t.elementId)).toEqual(['review']);
  });

  it('answers 404 for a message nobody waits for', async () => {
    const reply = await server.api.post('/api/messages', { name: 'nobody-listens', businessKey: 'x' });
    expect(reply.status).toBe(404);
    expect(reply.body.error.message).toContain('nobody-listens');
  });

  it('broadcasts a signal to every waiting instance and signal start event', async () => {
    const one = await server.api.post('/api/process-definitions/freeze-wait/start', {});
    const two = await server.api.post('/api/process-definitions/freeze-wait/start', {});
    await server.waitForStatus(one.body.id, 'waiting');
    await server.waitForStatus(two.body.id, 'waiting');
    const reply = await server.api.post('/api/signals', { name: 'release-freeze', variables: { by: 'ops' } });
    expect(reply.status).toBe(200);
    expect(reply.body.delivered.sort()).toEqual([one.body.id, two.body.id].sort());
    expect(reply.body.started).toHaveLength(1);
    for (const id of [one.body.id, two.body.id, reply.body.started[0]]) {
      const done = await server.waitForStatus(id, 'completed');
      expect(done.variables).toEqual({ by: 'ops' });
    }
  });

  it('rejects malformed message and signal requests', async () => {
    for (const [path, body] of [
      ['/api/messages', {}],
      ['/api/messages', { name: '' }],
      ['/api/messages', { name: 'x', variables: 5 }],
      ['/api/signals', { name: 42 }],
      ['/api/signals', { name: 'x', extra: 1 }],
    ] as [string, unknown][]) {
      const reply = await server.api.post(path, body);
      expect({ path, body, status: reply.status }).toEqual({ path, body, status: 400 });
    }
  });
});
