import { bpmnProcess, flow } from '../support/bpmn';
import { startTestServer, TestServer } from '../support/server';

const approval = bpmnProcess(
  'approval',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'review')}
   <bpmn:userTask id="review" name="Review" camunda:candidateGroups="reviewers, risk" camunda:dueDate="P2D" camunda:priority="80">
     <bpmn:documentation>Check the model</bpmn:documentation>
   </bpmn:userTask>
   ${flow('f2', 'review', 'gw')}
   <bpmn:exclusiveGateway id="gw" default="f4" />
   ${flow('f3', 'gw', 'approved', '${approved}')}
   ${flow('f4', 'gw', 'rejected')}
   <bpmn:endEvent id="approved" />
   <bpmn:endEvent id="rejected" />`,
);

describe('process instances over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api.deploy(approval)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('starts an instance that waits on a user task, then completes it with variables', async () => {
    const started = await server.api.post('/api/process-definitions/approval/start', { businessKey: 'model-7', variables: { model: 'churn' } });
    expect(started.status).toBe(201);
    const instance = await server.waitForStatus(started.body.id, 'waiting');
    expect(instance.businessKey).toBe('model-7');
    expect(instance.currentActivities.map((a: any) => a.elementId)).toEqual(['review']);
    expect(instance.userTasks).toHaveLength(1);

    const tasks = await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`);
    const [task] = tasks.body.items;
    expect(task).toMatchObject({ name: 'Review', candidateGroups: ['reviewers', 'risk'], priority: 80, documentation: 'Check the model', status: 'open' });
    expect(new Date(task.dueDate).getTime()).toBeGreaterThan(Date.now() + 47 * 3600 * 1000);

    const done = await server.api.post(`/api/tasks/${task.id}/complete`, { variables: { approved: true } });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    const ended = await server.waitForStatus(started.body.id, 'completed');
    expect(ended.variables).toEqual({ model: 'churn', approved: true });
    const ends = ended.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);
    expect(ends).toEqual(['start', 'review', 'gw', 'approved']);
    expect(ended.endedAt).not.toBeNull();

    const again = await server.api.post(`/api/tasks/${task.id}/complete`, { variables: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it('lists instances with filters and pagination', async () => {
    for (const key of ['a', 'b', 'c']) await server.api.post('/api/process-definitions/approval/start', { businessKey: `list-${key}` });
    const one = await server.api.get('/api/process-instances?key=approval&businessKey=list-b');
    expect(one.body.total).toBe(1);
    expect(one.body.items[0].businessKey).toBe('list-b');
    const page = await server.api.get('/api/process-instances?key=approval&limit=2&offset=0');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThanOrEqual(3);
    const waiting = await server.api.get('/api/process-instances?status=waiting');
    expect(waiting.body.items.every((i: any) => i.status === 'waiting')).toBe(true);
  });

  it('cancels a waiting instance and its open task', async () => {
    const started = await server.api.post('/api/process-definitions/approval/start', {});
    await server.waitForStatus(started.body.id, 'waiting');
    const cancelled = await server.api.post(`/api/process-instances/${started.body.id}/cancel`, { reason: 'superseded' });
    expect(cancelled.status).toBe(200);
    await server.waitForStatus(started.body.id, 'cancelled');
    const tasks = await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`);
    expect(tasks.body.items.map((t: any) => t.status)).toEqual(['cancelled']);
    const again = await server.api.post(`/api/process-instances/${started.body.id}/cancel`, {});
    expect(again.status).toBe(409);
  });

  it('rejects bad start requests with the error shape and stores nothing', async () => {
    const before = (await server.api.get('/api/process-instances?limit=500')).body.total;
    const cases: [string, unknown, number][] = [
      ['/api/process-definitions/nope/start', {}, 404],
      ['/api/process-definitions/approval/start', { variables: 'not-an-object' }, 400],
      ['/api/process-definitions/approval/start', { variables: [1, 2] }, 400],
      ['/api/process-definitions/approval/start', { businessKey: 42 }, 400],
      ['/api/process-definitions/approval/start', { unexpected: true }, 400],
      ['/api/process-definitions/approval/start', { version: 99 }, 404],
    ];
    for (const [path, body, status] of cases) {
      const reply = await server.api.post(path, body);
      expect({ path, body, status: reply.status }).toEqual({ path, body, status });
      expect(reply.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    }
    const malformed = await server.api.request('POST', '/api/process-definitions/approval/start', '{"variables":', 'application/json');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_BODY');
    const huge = await server.api.post('/api/process-definitions/approval/start', { variables: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await server.api.get('/api/process-instances/not-a-uuid')).status).toBe(400);
    expect((await server.api.get('/api/process-instances/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await server.api.get('/api/process-instances?status=bogus')).status).toBe(400);
    expect((await server.api.get("/api/process-instances?businessKey=' OR 1=1 --")).body.total).toBe(0);
    expect((await server.api.get('/api/process-instances?limit=500')).body.total).toBe(before);
    expect((await server.api.get('/api/health')).status).toBe(200);
  });
});
