import { BpmnError } from '../../src/engine/service-tasks/handler-registry';
import { bpmnProcess, flow } from '../support/bpmn';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const calls: { topic: string; key: string; attempt: number; input: unknown }[] = [];
let flakyFailures = 0;

const scoring = bpmnProcess(
  'scoring',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'score')}
   <bpmn:serviceTask id="score" camunda:type="external" camunda:topic="score">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="modelName">\${model}</camunda:inputParameter>
       <camunda:inputParameter name="threshold">0.8</camunda:inputParameter>
       <camunda:outputParameter name="accuracy">\${acc}</camunda:outputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>
   ${flow('f2', 'score', 'gw')}
   <bpmn:exclusiveGateway id="gw" />
   ${flow('f3', 'gw', 'good', '=accuracy &gt;= 0.9')}
   ${flow('f4', 'gw', 'poor', '${accuracy &lt; 0.9}')}
   <bpmn:endEvent id="good" />
   <bpmn:endEvent id="poor" />`,
);

const guarded = bpmnProcess(
  'guarded',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'deploy')}
   <bpmn:serviceTask id="deploy" implementation="\${environment.services.deploy-model}" />
   <bpmn:boundaryEvent id="noRuntime" attachedToRef="deploy"><bpmn:errorEventDefinition errorRef="Err_NoRuntime" /></bpmn:boundaryEvent>
   ${flow('f2', 'deploy', 'deployed')}
   ${flow('f3', 'noRuntime', 'fallback')}
   <bpmn:endEvent id="deployed" />
   <bpmn:endEvent id="fallback" />`,
  '<bpmn:error id="Err_NoRuntime" errorCode="NO_RUNTIME" />',
);

const flaky = bpmnProcess(
  'flaky',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'call')}
   <bpmn:serviceTask id="call" camunda:type="external" camunda:topic="flaky" />
   ${flow('f2', 'call', 'end')}
   <bpmn:endEvent id="end" />`,
);

// Regression: an error boundary on a service task that waits through several runs (retries).
const flakyGuarded = bpmnProcess(
  'flaky-guarded',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'call')}
   <bpmn:serviceTask id="call" camunda:type="external" camunda:topic="flaky" />
   <bpmn:boundaryEvent id="caught" attachedToRef="call"><bpmn:errorEventDefinition errorRef="Err_Any" /></bpmn:boundaryEvent>
   ${flow('f2', 'call', 'end')}
   ${flow('f3', 'caught', 'handled')}
   <bpmn:endEvent id="end" />
   <bpmn:endEvent id="handled" />`,
  '<bpmn:error id="Err_Any" errorCode="ANY" />',
);

describe('in-process service tasks', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: { SERVICE_RETRY_BACKOFF_MS: '100,200' },
      handlers: (registry) => {
        registry.register('score', async (ctx) => {
          calls.push({ topic: ctx.topic, key: ctx.idempotencyKey, attempt: ctx.attempt, input: ctx.input });
          return { acc: ctx.variables.model === 'good-model' ? 0.95 : 0.5 };
        });
        registry.register('deploy-model', async (ctx) => {
          if (ctx.variables.runtimes === 0) throw new BpmnError('NO_RUNTIME', 'no runtime tagged prod');
          return { deployed: true };
        });
        registry.register('flaky', async (ctx) => {
          calls.push({ topic: ctx.topic, key: ctx.idempotencyKey, attempt: ctx.attempt, input: ctx.input });
          if (flakyFailures > 0) {
            flakyFailures--;
            throw new Error('model server unavailable');
          }
          return { ok: true };
        });
      },
    });
    for (const xml of [scoring, guarded, flaky, flakyGuarded]) expect((await server.api.deploy(xml)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('passes resolved inputs, maps outputs to variables and routes on them', async () => {
    const good = await server.api.post('/api/process-definitions/scoring/start', { variables: { model: 'good-model' } });
    const poor = await server.api.post('/api/process-definitions/scoring/start', { variables: { model: 'poor-model' } });
    const goodEnd = await server.waitForStatus(good.body.id, 'completed');
    const poorEnd = await server.waitForStatus(poor.body.id, 'completed');
    expect(goodEnd.variables).toEqual({ model: 'good-model', accuracy: 0.95 });
    expect(goodEnd.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('good');
    expect(poorEnd.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('poor');
    const call = calls.find((c) => c.key.startsWith(good.body.id));
    expect(call).toMatchObject({ topic: 'score', attempt: 1, input: { modelName: 'good-model', threshold: '0.8' } });
    expect(call!.key).toMatch(new RegExp(`^${good.body.id}:score_`));
  });

  it('routes a BpmnError to the boundary error event with its code', async () => {
    const failing = await server.api.post('/api/process-definitions/guarded/start', { variables: { runtimes: 0 } });
    const ok = await server.api.post('/api/process-definitions/guarded/start', { variables: { runtimes: 2 } });
    const failed = await server.waitForStatus(failing.body.id, 'completed');
    await server.waitForStatus(ok.body.id, 'completed');
    const ends = failed.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);
    expect(ends).toContain('fallback');
    expect(ends).not.toContain('deployed');
  });

  it('retries with backoff, opens an incident after the last retry, and resumes on incident retry', async () => {
    flakyFailures = 3; // first attempt + 2 retries fail
    const started = await server.api.post('/api/process-definitions/flaky/start', {});
    const stuck = await server.waitForStatus(started.body.id, 'incident');
    const attempts = calls.filter((c) => c.key.startsWith(started.body.id));
    expect(attempts.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((c) => c.key)).size).toBe(1); // one idempotency key across retries
    expect(stuck.incidents).toHaveLength(1);
    expect(stuck.incidents[0]).toMatchObject({ elementId: 'call', type: 'failed-service-task', status: 'open' });
    expect(stuck.incidents[0].message).toContain('model server unavailable');

    const listed = await server.api.get(`/api/incidents?status=open&processInstanceId=${started.body.id}`);
    expect(listed.body.items).toHaveLength(1);
    const retried = await server.api.post(`/api/incidents/${listed.body.items[0].id}/retry`);
    expect(retried.status).toBe(200);
    const done = await server.waitForStatus(started.body.id, 'completed');
    expect(done.variables).toEqual({ ok: true });
    expect(done.incidents.map((i: any) => i.status)).toEqual(['resolved']);
    expect((await server.api.post(`/api/incidents/${listed.body.items[0].id}/retry`)).status).toBe(409);
  });

  it('completes a task with an error boundary after it waited through two retries', async () => {
    flakyFailures = 2;
    const started = await server.api.post('/api/process-definitions/flaky-guarded/start', {});
    const done = await server.waitForStatus(started.body.id, 'completed');
    expect(calls.filter((c) => c.key.startsWith(started.body.id)).map((c) => c.attempt)).toEqual([1, 2, 3]);
    const ends = done.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);
    expect(ends).toEqual(['start', 'call', 'end']);
  });

  it('a failing retry after an incident opens a new incident instead of waiting through the backoff', async () => {
    flakyFailures = 4;
    const started = await server.api.post('/api/process-definitions/flaky/start', {});
    await server.waitForStatus(started.body.id, 'incident');
    const [incident] = (await server.api.get(`/api/incidents?processInstanceId=${started.body.id}`)).body.items;
    await server.api.post(`/api/incidents/${incident.id}/retry`);
    const again = await waitFor(async () => {
      const items = (await server.api.get(`/api/incidents?processInstanceId=${started.body.id}&status=open`)).body.items;
      return items.length === 1 && items[0].id !== incident.id ? items : null;
    });
    expect(again).toHaveLength(1);
    expect((await server.api.get(`/api/process-instances/${started.body.id}`)).body.status).toBe('incident');
  });

  it('answers 404 for an unknown incident and 400 for a malformed id', async () => {
    expect((await server.api.post('/api/incidents/00000000-0000-4000-8000-000000000000/retry')).status).toBe(404);
    expect((await server.api.post('/api/incidents/nope/retry')).status).toBe(400);
  });
});
