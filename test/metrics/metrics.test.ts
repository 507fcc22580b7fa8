import { BpmnError } from '../../src/engine/service-tasks/handler-registry';
import { insertJob } from '../../src/jobs/job-store';
import { observePrediction } from '../../src/metrics/prediction-metrics';
import { bpmnProcess, flow } from '../support/bpmn';
import { client } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

const approval = bpmnProcess(
  'metrics-approval',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'approve')}
   <bpmn:userTask id="approve" name="Approve" camunda:candidateGroups="metrics-reviewers" />
   ${flow('f2', 'approve', 'end')}
   <bpmn:endEvent id="end" />`,
);

const exploding = bpmnProcess(
  'metrics-exploding',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'explode')}
   <bpmn:serviceTask id="explode" camunda:type="external" camunda:topic="explode" />
   ${flow('f2', 'explode', 'end')}
   <bpmn:endEvent id="end" />`,
);

/** The value of one sample in Prometheus exposition text (labels in the order given), or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const selector = Object.keys(labels).length ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : '';
  const line = text.split('\n').find((l) => l.startsWith(`${name}${selector} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('/metrics', () => {
  let server: TestServer;
  let reviewer: TestUser;

  const scrape = async () => {
    const reply = await server.api.get('/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/plain');
    return reply.body as string;
  };

  beforeAll(async () => {
    server = await startTestServer({
      env: { SERVICE_RETRY_BACKOFF_MS: '50' },
      handlers: (registry) => {
        registry.register('explode', async () => {
          throw new BpmnError('BOOM', 'nothing catches this');
        });
      },
    });
    reviewer = await createUser(server, ['model_approver'], ['metrics-reviewers']);
    expect((await server.api.deploy(approval)).status).toBe(201);
    expect((await server.api.deploy(exploding)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('answers 401 without a token, 401 with a bad one and 403 without view:all', async () => {
    const anonymous = await client(server.stagegate.url, null).get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');

    const wrong = await client(server.stagegate.url, 'sg_not_a_real_token_000000000000').get('/metrics');
    expect(wrong.status).toBe(401);

    const contributor = await createUser(server, ['experiment_contributor']);
    const forbidden = await contributor.api.get('/metrics');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain('view:all');

    expect((await reviewer.api.get('/metrics')).status).toBe(200);
  });

  it('moves the instance counters and the work-item gauge as a process runs', async () => {
    const before = await scrape();
    const process = { process: 'metrics-approval' };

    const started = await server.api.post('/api/process-definitions/metrics-approval/start', { variables: {} });
    await server.waitForStatus(started.body.id, 'waiting');
    const waiting = await scrape();
    expect(sample(waiting, 'stagegate_instances_started_total', process)).toBe(sample(before, 'stagegate_instances_started_total', process) + 1);
    expect(sample(waiting, 'stagegate_work_items_open', { group: 'metrics-reviewers' })).toBe(1);
    expect(sample(waiting, 'stagegate_instances_completed_total', process)).toBe(sample(before, 'stagegate_instances_completed_total', process));

    const [item] = (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items;
    expect((await reviewer.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' })).status).toBe(200);
    await server.waitForStatus(started.body.id, 'completed');
    const after = await scrape();
    expect(sample(after, 'stagegate_instances_completed_total', process)).toBe(sample(before, 'stagegate_instances_completed_total', process) + 1);
    // The group stays, at zero, once its last item closed.
    expect(after).toContain('stagegate_work_items_open{group="metrics-reviewers"} 0');
    expect(sample(after, 'stagegate_instances_started_total', process)).toBe(sample(waiting, 'stagegate_instances_started_total', process));
  });

  it('counts a failed instance', async () => {
    const started = await server.api.post('/api/process-definitions/metrics-exploding/start', { variables: {} });
    await server.waitForStatus(started.body.id, 'failed');

    const text = await scrape();
    expect(sample(text, 'stagegate_instances_failed_total', { process: 'metrics-exploding' })).toBe(1);
    expect(sample(text, 'stagegate_instances_completed_total', { process: 'metrics-exploding' })).toBe(0);
  });

  it('reads open incidents and the mail backlog from the database at scrape time', async () => {
    const incidentsBefore = sample(await scrape(), 'stagegate_incidents_open');
    const instance = (await server.api.post('/api/process-definitions/metrics-approval/start', { variables: {} })).body.id;
    await server.waitForStatus(instance, 'waiting');
    // Rows written behind the server's back: a gauge that counted events would not see them.
    await server.stagegate.db('incidents').insert({ id: crypto.randomUUID(), instance_id: instance, element_id: 'approve', execution_id: 'x', type: 'failed-service-task', message: 'test' });
    await server.stagegate.mail.stop();
    await server.stagegate.db('mail_outbox').insert({ id: crypto.randomUUID(), to: JSON.stringify(['a@example.com']), subject: 'metrics', text: 'body' });

    const text = await scrape();
    expect(sample(text, 'stagegate_incidents_open')).toBe(incidentsBefore + 1);
    expect(sample(text, 'stagegate_mail_outbox_pending')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'stagegate_mail_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('times jobs by type and status', async () => {
    server.stagegate.jobs.register('metrics-test', async (io) => {
      io.progress(50);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { result: { ok: true } };
    });
    const job = await insertJob(server.stagegate.db, { type: 'metrics-test', requestedBy: null, modelId: null, processInstanceId: null, idempotencyKey: null, params: {} });
    server.stagegate.jobs.poke();
    await server.stagegate.jobs.waitFor(job.id, 50);

    const text = await scrape();
    expect(sample(text, 'stagegate_job_duration_seconds_count', { type: 'metrics-test', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'stagegate_job_duration_seconds_sum', { type: 'metrics-test', status: 'succeeded' })).toBeGreaterThan(0.1);
  });

  it('times HTTP requests by route pattern, not by raw path', async () => {
    await server.api.get(`/api/process-instances/${crypto.randomUUID()}`);
    await client(server.stagegate.url, null).get('/api/tasks');
    const text = await scrape();
    expect(sample(text, 'stagegate_http_request_duration_seconds_count', { method: 'GET', route: '/api/process-instances/:id', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/route="\/api\/process-instances\/[0-9a-f]{8}-/);
    expect(sample(text, 'stagegate_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '401' })).toBeGreaterThanOrEqual(1);
  });

  it('exposes the prediction latency histogram by deployment', async () => {
    observePrediction('dep-metrics-test', 0.003);
    observePrediction('dep-metrics-test', 0.2);

    const text = await scrape();
    expect(sample(text, 'stagegate_prediction_duration_seconds_count', { deployment: 'dep-metrics-test' })).toBe(2);
    expect(sample(text, 'stagegate_prediction_duration_seconds_bucket', { le: '0.005', deployment: 'dep-metrics-test' })).toBe(1);
  });
});
