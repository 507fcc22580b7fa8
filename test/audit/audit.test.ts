import { bpmnProcess, flow } from '../support/bpmn';
import { Reply, waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

const waiting = bpmnProcess(
  'audited',
  `<bpmn:startEvent id="s" />${flow('f1', 's', 'work')}
   <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="audited-work" />${flow('f2', 'work', 'task')}
   <bpmn:userTask id="task" />${flow('f3', 'task', 'e')}<bpmn:endEvent id="e" />`,
);
const messageStart = bpmnProcess(
  'audited-message',
  `<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>${flow('f1', 's', 'e')}<bpmn:endEvent id="e" />`,
  '<bpmn:message id="m" name="audit-me" />',
);
const signalStart = bpmnProcess(
  'audited-signal',
  `<bpmn:startEvent id="s"><bpmn:signalEventDefinition signalRef="g" /></bpmn:startEvent>${flow('f1', 's', 'e')}<bpmn:endEvent id="e" />`,
  '<bpmn:signal id="g" name="audit-signal" />',
);

describe('the audit log', () => {
  let server: TestServer;
  let operator: TestUser;
  const auditCount = async () => Number((await server.stagegate.db('audit_events').count({ count: '*' }))[0].count);
  const newEvents = async (since: number) => server.stagegate.db('audit_events').where('id', '>', since).orderBy('id');
  const lastId = async () => Number((await server.stagegate.db('audit_events').max({ id: 'id' }))[0].id ?? 0);

  /** Runs a state change and returns the audit events it wrote. */
  async function audited(change: () => Promise<Reply>): Promise<{ reply: Reply; events: any[] }> {
    const before = await lastId();
    const reply = await change();
    return { reply, events: await newEvents(before) };
  }

  beforeAll(async () => {
    server = await startTestServer();
    operator = await createUser(server, ['tenant_admin'], [], 'operator');
  });
  afterAll(() => server.close());

  it('writes exactly one event, with actor and request id, for every state-changing endpoint', async () => {
    const api = operator.api;
    const steps: [string, () => Promise<Reply>, number][] = [];
    let instanceId = '';
    let externalTaskId = '';
    let userTaskId = '';
    let createdUser = '';
    steps.push(['definition.deploy', () => api.deploy(waiting), 201]);
    steps.push(['definition.deploy', () => api.deploy(messageStart), 201]);
    steps.push(['definition.deploy', () => api.deploy(signalStart), 201]);
    steps.push(['instance.start', async () => {
      const reply = await api.post('/api/process-definitions/audited/start', { businessKey: 'audit-1' });
      instanceId = reply.body.id;
      return reply;
    }, 201]);
    steps.push(['external-task.lock', async () => {
      await server.waitForStatus(instanceId, 'waiting');
      const reply = await api.post('/api/external-tasks/fetch-and-lock', { workerId: 'w', maxTasks: 1, topics: [{ topicName: 'audited-work', lockDuration: 60000 }] });
      externalTaskId = reply.body[0].id;
      return reply;
    }, 200]);
    steps.push(['external-task.extend-lock', () => api.post(`/api/external-tasks/${externalTaskId}/extend-lock`, { workerId: 'w', newDuration: 60000 }), 204]);
    steps.push(['external-task.complete', () => api.post(`/api/external-tasks/${externalTaskId}/complete`, { workerId: 'w', variables: { ok: true } }), 204]);
    steps.push(['task.complete', async () => {
      const [task] = await waitFor(async () => {
        const open = (await api.get(`/api/tasks?processInstanceId=${instanceId}&status=open`)).body.items;
        return open.length ? open : null;
      }, 15000, 'the user task');
      userTaskId = task.id;
      return api.post(`/api/tasks/${userTaskId}/complete`, { variables: {} });
    }, 200]);
    steps.push(['message.correlate', () => api.post('/api/messages', { name: 'audit-me' }), 200]);
    steps.push(['signal.broadcast', () => api.post('/api/signals', { name: 'audit-signal' }), 200]);
    steps.push(['settings.update', () => api.put('/api/settings', { approvalNotice: 'Check the fairness report.' }), 200]);
    steps.push(['user.create', async () => {
      const reply = await api.post('/api/users', { name: 'audited-user', email: 'audited@example.com', roles: ['viewer'] });
      createdUser = reply.body.id;
      return reply;
    }, 201]);
    steps.push(['user.update', () => api.put(`/api/users/${createdUser}`, { groups: ['g1'] }), 200]);
    steps.push(['token.create', () => api.post(`/api/users/${createdUser}/tokens`, { name: 't' }), 201]);
    steps.push(['token.revoke', async () => {
      const [token] = (await api.get(`/api/users/${createdUser}/tokens`)).body.items;
      return api.del(`/api/users/${createdUser}/tokens/${token.id}`);
    }, 204]);
    steps.push(['user.delete', () => api.del(`/api/users/${createdUser}`), 204]);

    for (const [action, change, status] of steps) {
      const { reply, events } = await audited(change);
      expect({ action, status: reply.status }).toEqual({ action, status });
      expect({ action, count: events.length }).toEqual({ action, count: 1 });
      expect(events[0]).toMatchObject({ action, actor_id: operator.id, actor_name: 'operator', request_id: reply.headers.get('x-request-id') });
    }

    const cancelTarget = await api.post('/api/process-definitions/audited/start', {});
    const cancelled = await audited(() => api.post(`/api/process-instances/${cancelTarget.body.id}/cancel`, { reason: 'wrong data' }));
    expect(cancelled.events.map((e) => [e.action, e.comment])).toEqual([['instance.cancel', 'wrong data']]);
  });

  it('writes nothing when the change is refused', async () => {
    const api = operator.api;
    await api.post('/api/users', { name: 'dup', email: 'dup-audit@example.com', roles: ['viewer'] });
    const me = (await api.get('/api/me')).body;
    const refused: [string, () => Promise<Reply>, number][] = [
      ['duplicate email', () => api.post('/api/users', { name: 'dup2', email: 'dup-audit@example.com', roles: ['viewer'] }), 409],
      ['bad BPMN', () => api.deploy('<definitions/>'), 400],
      ['unknown process', () => api.post('/api/process-definitions/nope/start', {}), 404],
      ['message nobody waits for', () => api.post('/api/messages', { name: 'nothing', businessKey: 'x' }), 404],
      ['signal nobody receives', () => api.post('/api/signals', { name: 'nobody-waits' }), 404],
      ['extend a lock not held', () => api.post('/api/external-tasks/00000000-0000-4000-8000-000000000000/extend-lock', { workerId: 'w', newDuration: 1000 }), 404],
      ['viewer edits settings', async () => (await createUser(server, ['viewer'])).api.put('/api/settings', { approvalNotice: 'x' }), 403],
    ];
    for (const [label, change, status] of refused) {
      const before = await lastId();
      const reply = await change();
      expect({ label, status: reply.status }).toEqual({ label, status });
      const events = (await newEvents(before)).filter((e: any) => !['user.create', 'token.create'].includes(e.action));
      expect({ label, events }).toEqual({ label, events: [] });
    }
    // A change that fails inside its transaction leaves no audit row: demote one admin (allowed,
    // one event), then the other, now the last tenant_admin (refused after the update ran).
    const admin = (await server.api.get('/api/me')).body;
    const first = await audited(() => server.api.put(`/api/users/${me.id}`, { roles: ['viewer'] }));
    expect(first.events.map((e) => e.action)).toEqual(['user.update']);
    const last = await audited(() => server.api.put(`/api/users/${admin.id}`, { roles: ['viewer'] }));
    expect(last.reply.status).toBe(409);
    expect(last.events).toEqual([]);
    expect((await server.api.get('/api/me')).body.roles).toEqual(['tenant_admin']);
    await server.api.put(`/api/users/${me.id}`, { roles: ['tenant_admin'] });
  });

  it('rolls the change back when its audit event cannot be written (same transaction)', async () => {
    const before = await server.api.get('/api/settings');
    await server.stagegate.db.raw(`ALTER TABLE audit_events ADD CONSTRAINT refuse_settings CHECK (action <> 'settings.update') NOT VALID`);
    try {
      const reply = await server.api.put('/api/settings', { approvalNotice: 'this must not stick' });
      expect(reply.status).toBe(500);
      expect(reply.body.error.code).toBe('INTERNAL');
    } finally {
      await server.stagegate.db.raw('ALTER TABLE audit_events DROP CONSTRAINT refuse_settings');
    }
    expect((await server.api.get('/api/settings')).body).toEqual(before.body);
  });

  it('is append-only: the database refuses updates and deletes, and no route changes it', async () => {
    expect(await auditCount()).toBeGreaterThan(0);
    await expect(server.stagegate.db('audit_events').update({ action: 'tampered' })).rejects.toThrow(/append-only/);
    await expect(server.stagegate.db('audit_events').del()).rejects.toThrow(/append-only/);
    expect((await server.api.request('DELETE', '/api/audit')).status).toBe(404);
    expect((await server.api.request('PUT', '/api/audit', {})).status).toBe(404);
  });

  it('filters by entity, actor, action and time, and treats hostile filter values as plain text', async () => {
    const definitions = await server.api.get('/api/audit?entityType=process_definition&action=definition.deploy');
    expect(definitions.body.items.length).toBeGreaterThanOrEqual(2);
    expect(definitions.body.items.every((e: any) => e.entityType === 'process_definition')).toBe(true);
    const byActor = await server.api.get(`/api/audit?actor=${operator.id}&limit=500`);
    expect(byActor.body.items.every((e: any) => e.actorId === operator.id)).toBe(true);
    expect((await server.api.get('/api/audit?actor=operator')).body.total).toBe(byActor.body.total);
    const future = await server.api.get(`/api/audit?since=${new Date(Date.now() + 3600_000).toISOString()}`);
    expect(future.body.total).toBe(0);
    for (const hostile of ["' OR '1'='1", '1; DELETE FROM audit_events; --', '%', '\\']) {
      const reply = await server.api.get(`/api/audit?entityId=${encodeURIComponent(hostile)}&actor=${encodeURIComponent(hostile)}`);
      expect(reply.status).toBe(200);
      expect(reply.body.total).toBe(0);
    }
    expect((await server.api.get('/api/audit?since=yesterday-ish')).status).toBe(400);
    expect(await auditCount()).toBeGreaterThan(0);
  });
});
