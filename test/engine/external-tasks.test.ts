import { bpmnProcess, flow } from '../support/bpmn';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const worker = bpmnProcess(
  'worker-process',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'train')}
   <bpmn:serviceTask id="train" camunda:type="external" camunda:topic="gpu-train" />
   <bpmn:boundaryEvent id="trainFailed" attachedToRef="train"><bpmn:errorEventDefinition errorRef="Err_Train" /></bpmn:boundaryEvent>
   ${flow('f2', 'train', 'trained')}
   ${flow('f3', 'trainFailed', 'failed')}
   <bpmn:endEvent id="trained" />
   <bpmn:endEvent id="failed" />`,
  '<bpmn:error id="Err_Train" errorCode="TRAINING_DIVERGED" />',
);

describe('external tasks (Camunda-style workers)', () => {
  let server: TestServer;
  const fetchAndLock = (workerId: string, lockDuration = 10000, maxTasks = 10) =>
    server.api.post('/api/external-tasks/fetch-and-lock', { workerId, maxTasks, topics: [{ topicName: 'gpu-train', lockDuration }] });
  const startOne = async (variables: Record<string, unknown> = {}) => {
    const started = await server.api.post('/api/process-definitions/worker-process/start', { businessKey: 'bk-1', variables });
    await server.waitForStatus(started.body.id, 'waiting');
    return started.body.id as string;
  };
  const lockFor = async (instanceId: string, workerId: string, lockDuration = 10000) => {
    const locked = await fetchAndLock(workerId, lockDuration);
    const task = locked.body.find((t: any) => t.processInstanceId === instanceId);
    expect(task).toBeDefined();
    return task;
  };

  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api.deploy(worker)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('fetches with the process variables, completes, and the instance continues with the worker variables', async () => {
    const id = await startOne({ dataset: 'credit-2026' });
    const task = await lockFor(id, 'w1');
    expect(task).toMatchObject({ topicName: 'gpu-train', workerId: 'w1', activityId: 'train', businessKey: 'bk-1', processDefinitionKey: 'worker-process', variables: { dataset: 'credit-2026' } });
    expect(task.variables).toEqual({ dataset: 'credit-2026' }); // no engine-internal keys (fields, content, properties)
    expect((await fetchAndLock('w2')).body.find((t: any) => t.id === task.id)).toBeUndefined();

    const wrongWorker = await server.api.post(`/api/external-tasks/${task.id}/complete`, { workerId: 'w2', variables: {} });
    expect(wrongWorker.status).toBe(409);
    const done = await server.api.post(`/api/external-tasks/${task.id}/complete`, { workerId: 'w1', variables: { auc: 0.91 } });
    expect(done.status).toBe(204);
    const ended = await server.waitForStatus(id, 'completed');
    expect(ended.variables).toEqual({ dataset: 'credit-2026', auc: 0.91 });
    expect(ended.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('trained');
    expect((await server.api.post(`/api/external-tasks/${task.id}/complete`, { workerId: 'w1', variables: {} })).status).toBe(409);
  });

  it('makes a task fetchable again when its lock expires, and the old worker loses it', async () => {
    const id = await startOne();
    const task = await lockFor(id, 'slow-worker', 200);
    const retaken = await waitFor(async () => (await fetchAndLock('fast-worker')).body.find((t: any) => t.id === task.id));
    expect(retaken.workerId).toBe('fast-worker');
    expect((await server.api.post(`/api/external-tasks/${task.id}/complete`, { workerId: 'slow-worker', variables: {} })).status).toBe(409);
    expect((await server.api.post(`/api/external-tasks/${task.id}/complete`, { workerId: 'fast-worker', variables: {} })).status).toBe(204);
    await server.waitForStatus(id, 'completed');
  });

  it('extends a lock for the worker that holds it', async () => {
    const id = await startOne();
    const task = await lockFor(id, 'w1', 300);
    expect((await server.api.post(`/api/external-tasks/${task.id}/extend-lock`, { workerId: 'w2', newDuration: 60000 })).status).toBe(409);
    expect((await server.api.post(`/api/external-tasks/${task.id}/extend-lock`, { workerId: 'w1', newDuration: 60000 })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await fetchAndLock('w2')).body.find((t: any) => t.id === task.id)).toBeUndefined();
    await server.api.post(`/api/external-tasks/${task.id}/complete`, { workerId: 'w1', variables: {} });
    await server.waitForStatus(id, 'completed');
  });

  it('routes a worker BPMN error to the boundary event', async () => {
    const id = await startOne();
    const task = await lockFor(id, 'w1');
    const reply = await server.api.post(`/api/external-tasks/${task.id}/bpmn-error`, { workerId: 'w1', errorCode: 'TRAINING_DIVERGED', errorMessage: 'loss is NaN' });
    expect(reply.status).toBe(204);
    const ended = await server.waitForStatus(id, 'completed');
    expect(ended.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('failed');
  });

  it('retries a reported failure after retryTimeout, opens an incident at retries 0, and an incident retry makes it fetchable', async () => {
    const id = await startOne();
    const task = await lockFor(id, 'w1');
    await server.api.post(`/api/external-tasks/${task.id}/failure`, { workerId: 'w1', errorMessage: 'OOM', retries: 1, retryTimeout: 300 });
    expect((await fetchAndLock('w1')).body.find((t: any) => t.id === task.id)).toBeUndefined();
    const again = await waitFor(async () => (await fetchAndLock('w1')).body.find((t: any) => t.id === task.id));
    expect(again).toMatchObject({ retries: 1, errorMessage: 'OOM' });
    await server.api.post(`/api/external-tasks/${task.id}/failure`, { workerId: 'w1', errorMessage: 'OOM again', retries: 0 });
    const stuck = await server.waitForStatus(id, 'incident');
    expect(stuck.incidents[0]).toMatchObject({ type: 'failed-external-task', status: 'open' });
    expect((await fetchAndLock('w1')).body.find((t: any) => t.id === task.id)).toBeUndefined();

    await server.api.post(`/api/incidents/${stuck.incidents[0].id}/retry`);
    const fetched = await waitFor(async () => (await fetchAndLock('w1')).body.find((t: any) => t.id === task.id));
    const completed = await server.api.post(`/api/external-tasks/${fetched.id}/complete`, { workerId: 'w1', variables: {} });
    expect(completed.status).toBe(204);
    await server.waitForStatus(id, 'completed');
  });

  it('rejects malformed worker requests with 4xx and the error shape', async () => {
    const bad: [string, unknown][] = [
      ['/api/external-tasks/fetch-and-lock', { workerId: 'w', maxTasks: 0, topics: [{ topicName: 't', lockDuration: 1000 }] }],
      ['/api/external-tasks/fetch-and-lock', { workerId: 'w', maxTasks: 1, topics: [] }],
      ['/api/external-tasks/fetch-and-lock', { workerId: '', maxTasks: 1, topics: [{ topicName: 't', lockDuration: 1000 }] }],
      ['/api/external-tasks/fetch-and-lock', { workerId: 'w', maxTasks: 1, topics: [{ topicName: 't', lockDuration: -5 }] }],
      ['/api/external-tasks/not-a-uuid/complete', { workerId: 'w' }],
      ['/api/external-tasks/00000000-0000-4000-8000-000000000000/failure', { workerId: 'w', errorMessage: 'x', retries: -1 }],
    ];
    for (const [path, body] of bad) {
      const reply = await server.api.post(path, body);
      expect({ path, status: reply.status }).toEqual({ path, status: 400 });
      expect(reply.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await server.api.post('/api/external-tasks/00000000-0000-4000-8000-000000000000/complete', { workerId: 'w' })).status).toBe(404);
  });
});
