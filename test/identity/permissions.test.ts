/**
 * SPEC §9's permission matrix, every role against every row that has an
 * endpoint, through real HTTP: allowed roles succeed, the others get 403 with
 * a message naming the missing permission.
 */
import { bpmnProcess, flow } from '../support/bpmn';
import { client } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { modelWithVersions, runtime } from '../deployments/fixtures';

const ROLES = ['tenant_admin', 'analytics_admin', 'model_approver', 'deployment_contributor', 'experiment_contributor', 'viewer', 'external_worker'] as const;
type RoleName = (typeof ROLES)[number];

const approval = bpmnProcess('matrix-approval', `<bpmn:startEvent id="s" />${flow('f1', 's', 't')}<bpmn:userTask id="t" />${flow('f2', 't', 'e')}<bpmn:endEvent id="e" />`);

let server: TestServer;
const users = {} as Record<RoleName, TestUser>;
let adminInstance = '';
let serial = 0;
let dataset = '';
/** An admin's model version, runtime and deployment for the deployment rows. */
let versionId = '';
let runtimeId = '';
let adminDeployment = '';

/** A training job someone else (the admin) requested; queued or running, it can be cancelled. */
async function adminJob(): Promise<string> {
  const model = await server.api.post('/api/models', { name: `job-model-${++serial}`, type: 'classification', metadata: { thresholds: [], train: true, label: 'default' } });
  const job = await server.api.post(`/api/models/${model.body.id}/train`, { datasetId: dataset, algorithm: 'random-forest' });
  if (job.status !== 202) throw new Error(`train answered ${job.status}: ${JSON.stringify(job.body)}`);
  return job.body.id;
}

async function openTask(): Promise<string> {
  const started = await server.api.post('/api/process-definitions/matrix-approval/start', {});
  await server.waitForStatus(started.body.id, 'waiting');
  return (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items[0].id;
}

interface Row {
  row: string;
  permission: string;
  allowed: RoleName[];
  attempt: (user: TestUser) => Promise<{ status: number; body: any }>;
  success: number;
  /** Roles refused by an earlier check than the row's own permission. */
  refusedEarlier?: Partial<Record<RoleName, string>>;
}

const rows: Row[] = [
  {
    row: 'manage users and roles',
    permission: 'users:manage',
    allowed: ['tenant_admin'],
    attempt: (u) => u.api.post('/api/users', { name: `made-${++serial}`, email: `made-${serial}@example.com`, roles: ['viewer'] }),
    success: 201,
  },
  {
    row: 'view everything (an instance someone else started)',
    permission: 'view:all',
    allowed: ['tenant_admin', 'analytics_admin', 'model_approver', 'viewer'],
    attempt: (u) => u.api.get(`/api/process-instances/${adminInstance}`),
    success: 200,
    refusedEarlier: { external_worker: 'view:own' },
  },
  {
    row: 'approve/reject (complete an approval work item)',
    permission: 'tasks:approve',
    allowed: ['tenant_admin', 'model_approver'],
    attempt: async (u) => u.api.post(`/api/tasks/${await openTask()}/complete`, { variables: { decision: 'approved' } }),
    success: 200,
  },
  {
    row: 'edit approval notice, limits, settings',
    permission: 'settings:edit',
    allowed: ['tenant_admin', 'analytics_admin', 'model_approver'],
    attempt: (u) => u.api.put('/api/settings', { approvalNotice: `notice by ${u.name}` }),
    success: 200,
  },
  {
    row: 'deploy process definitions',
    permission: 'definitions:deploy',
    allowed: ['tenant_admin', 'analytics_admin'],
    attempt: (u) => u.api.deploy(bpmnProcess(`deployed-by-${u.id.slice(0, 8)}`, `<bpmn:startEvent id="s" />${flow('f', 's', 'e')}<bpmn:endEvent id="e" />`)),
    success: 201,
  },
  {
    row: 'stop/cancel jobs (one someone else requested)',
    permission: 'jobs:cancel:any',
    allowed: ['tenant_admin', 'analytics_admin'],
    attempt: async (u) => u.api.post(`/api/jobs/${await adminJob()}/cancel`),
    success: 200,
    refusedEarlier: { model_approver: 'jobs:cancel:own', viewer: 'jobs:cancel:own', external_worker: 'jobs:cancel:own' },
  },
  {
    row: 'activate/deactivate deployed models',
    permission: 'deployments:activate',
    allowed: ['tenant_admin', 'model_approver'],
    attempt: (u) => u.api.post(`/api/deployments/${adminDeployment}/${serial++ % 2 ? 'activate' : 'deactivate'}`),
    success: 200,
  },
  {
    row: 'create deployments, request changes',
    permission: 'deployments:write',
    allowed: ['tenant_admin', 'analytics_admin', 'deployment_contributor'],
    attempt: (u) => u.api.post('/api/deployments', { name: `deployment-${++serial}`, versionId, runtimeId }),
    success: 201,
  },
  {
    row: 'register models, submit versions, upload data',
    permission: 'models:write',
    allowed: ['tenant_admin', 'analytics_admin', 'experiment_contributor'],
    attempt: (u) => u.api.post('/api/models', { name: `model-${++serial}`, type: 'classification' }),
    success: 201,
  },
  {
    row: 'start processes, send messages and signals (extension)',
    permission: 'instances:start',
    allowed: ['tenant_admin', 'analytics_admin', 'deployment_contributor', 'experiment_contributor'],
    attempt: (u) => u.api.post('/api/process-definitions/matrix-approval/start', {}),
    success: 201,
  },
  {
    row: 'work on external tasks (extension)',
    permission: 'external-tasks:work',
    allowed: ['tenant_admin', 'external_worker'],
    attempt: (u) => u.api.post('/api/external-tasks/fetch-and-lock', { workerId: u.name, maxTasks: 1, topics: [{ topicName: 'none', lockDuration: 1000 }] }),
    success: 200,
  },
];

beforeAll(async () => {
  server = await startTestServer();
  expect((await server.api.deploy(approval)).status).toBe(201);
  for (const role of ROLES) users[role] = await createUser(server, [role]);
  adminInstance = (await server.api.post('/api/process-definitions/matrix-approval/start', {})).body.id;
  dataset = (await server.api.post('/api/datasets', { name: 'matrix-data', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
  expect((await uploadCsv(server.stagegate.url, dataset, creditRisk(300, 3).csv)).status).toBeLessThan(300);
  await server.waitForStatus(adminInstance, 'waiting');
  versionId = (await modelWithVersions(server.api, 'matrix-model')).versionIds[0];
  runtimeId = await runtime(server.api, 'matrix-runtime', ['prod']);
  adminDeployment = (await server.api.post('/api/deployments', { name: 'matrix-deployment', versionId, runtimeId })).body.id;
});
afterAll(() => server.close());

describe.each(rows)('$row', ({ permission: rowPermission, allowed, attempt, success, refusedEarlier }) => {
  it.each(ROLES)('%s', async (role) => {
    const reply = await attempt(users[role]);
    if (allowed.includes(role)) {
      expect({ role, status: reply.status, error: reply.body?.error?.code }).toEqual({ role, status: success, error: undefined });
    } else {
      const permission = refusedEarlier?.[role] ?? rowPermission;
      expect({ role, status: reply.status }).toEqual({ role, status: 403 });
      expect(reply.body.error.code).toBe('FORBIDDEN');
      expect(reply.body.error.message).toContain(`Missing permission "${permission}"`);
      expect(reply.body.error.details).toEqual({ permission, roles: [role] });
    }
  });
});

describe('own + shared for contributors', () => {
  it('a contributor sees the instances they started and shared definitions, not others\' instances', async () => {
    const contributor = users.experiment_contributor;
    const own = await contributor.api.post('/api/process-definitions/matrix-approval/start', {});
    expect((await contributor.api.get(`/api/process-instances/${own.body.id}`)).status).toBe(200);
    const listed = await contributor.api.get('/api/process-instances?limit=500');
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((i: any) => i.startedBy === contributor.id)).toBe(true);
    expect((await contributor.api.get('/api/process-definitions')).status).toBe(200);
    expect((await contributor.api.get(`/api/process-instances/${adminInstance}`)).status).toBe(403);
  });

  it('a contributor cancels the jobs they requested', async () => {
    const contributor = users.experiment_contributor;
    const own = (await contributor.api.post('/api/datasets', { name: 'contributor-data', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, own, creditRisk(300, 4).csv, { token: contributor.token })).status).toBeLessThan(300);
    expect((await contributor.api.post(`/api/models/x/train`, { datasetId: dataset })).status).toBe(400);
    const model = await contributor.api.post('/api/models', { name: 'contributor-model', type: 'classification', metadata: { thresholds: [], train: true, label: 'default' } });
    expect((await contributor.api.post(`/api/models/${model.body.id}/train`, { datasetId: dataset })).status).toBe(403);
    const job = await contributor.api.post(`/api/models/${model.body.id}/train`, { datasetId: own, algorithm: 'random-forest' });
    expect(job.status).toBe(202);
    const cancelled = await contributor.api.post(`/api/jobs/${job.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
  });
});

describe('401 is not 403', () => {
  it('answers 401 without credentials, with a malformed, unknown, revoked or expired token', async () => {
    const anonymous = client(server.stagegate.url, null);
    const cases = [
      anonymous.get('/api/process-instances'),
      client(server.stagegate.url, 'short').get('/api/process-instances'),
      client(server.stagegate.url, 'sg_unknown_token_that_was_never_issued_1234').get('/api/process-instances'),
    ];
    for (const reply of await Promise.all(cases)) {
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('UNAUTHORIZED');
    }
    const basic = await fetch(`${server.stagegate.url}/api/me`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);

    const user = await createUser(server, ['viewer']);
    const expiring = await server.api.post(`/api/users/${user.id}/tokens`, { name: 'short-lived', expiresInDays: 1 });
    const expiringClient = client(server.stagegate.url, expiring.body.token);
    expect((await expiringClient.get('/api/me')).status).toBe(200);
    // A day passes: the token's expiry moves into the past.
    await server.stagegate.db('api_tokens').where({ id: expiring.body.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await expiringClient.get('/api/me')).status).toBe(401);
  });

  it('keeps health, readiness and the OpenAPI document public', async () => {
    const anonymous = client(server.stagegate.url, null);
    for (const path of ['/api/health', '/api/ready', '/api/openapi.json']) expect((await anonymous.get(path)).status).toBe(200);
  });
});
