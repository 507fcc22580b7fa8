import { bpmnProcess, flow } from '../support/bpmn';
import { startTestServer, TestServer } from '../support/server';

/**
 * Regression: more concurrent start requests than RUNNER_CONCURRENCY push the
 * runner's active count past its limit (each request runs its own instance);
 * the poll loop must keep sleeping, not spin and block the event loop.
 */
describe('the runner under more concurrent starts than its concurrency', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { RUNNER_CONCURRENCY: '2' }, handlers: (registry) => registry.register('slowish', () => new Promise((resolve) => setTimeout(() => resolve({}), 50))) });
    await server.api.deploy(bpmnProcess('busy', `<bpmn:startEvent id="s" />${flow('f1', 's', 'w')}<bpmn:serviceTask id="w" camunda:type="external" camunda:topic="slowish" />${flow('f2', 'w', 'e')}<bpmn:endEvent id="e" />`));
  });
  afterAll(() => server.close());

  it('completes 40 instances started at once and keeps answering', async () => {
    const started = await Promise.all(Array.from({ length: 40 }, () => server.api.post('/api/process-definitions/busy/start', {})));
    expect(started.filter((reply) => reply.status !== 201).map((reply) => reply.body)).toEqual([]);
    for (const reply of started) await server.waitForStatus(reply.body.id, 'completed', 30000);
    expect((await server.api.get('/api/health')).status).toBe(200);
  });
});
