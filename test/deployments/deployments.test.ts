import { creditArtifact, applicant, modelWithVersions, predict, runtime } from './fixtures';
import { createUser, type TestUser } from '../support/users';
import { startTestServer, type TestServer } from '../support/server';

describe('runtimes and deployments over REST', () => {
  let server: TestServer;
  let url: string;
  let embedded: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { MAX_ACTIVE_MODELS: '2' } });
    url = server.stagegate.url;
    embedded = await runtime(server.api, 'local-prod', ['prod', 'credit']);
  });
  afterAll(() => server.close());

  const deploy = async (name: string, versionId: string, extra: Record<string, unknown> = {}) => {
    const reply = await server.api.post('/api/deployments', { name, versionId, runtimeId: embedded, ...extra });
    expect(reply.status).toBe(201);
    return reply.body;
  };

  describe('runtimes', () => {
    it('validates kinds and urls, filters by tags, reports health, refuses deleting one in use', async () => {
      expect((await server.api.post('/api/runtimes', { name: 'x', kind: 'http', tags: [] })).body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/needs a url/) });
      expect((await server.api.post('/api/runtimes', { name: 'x', kind: 'embedded', url: 'http://127.0.0.1:1', tags: [] })).status).toBe(400);
      expect((await server.api.post('/api/runtimes', { name: 'x', kind: 'gpu', tags: [] })).status).toBe(400);
      expect((await server.api.post('/api/runtimes', { name: 'x', kind: 'embedded', tags: ['a b'] })).status).toBe(400);
      expect((await server.api.post('/api/runtimes', { name: 'LOCAL-PROD', kind: 'embedded', tags: [] })).status).toBe(409);
      const dev = await runtime(server.api, 'local-dev', ['dev']);
      expect((await server.api.get('/api/runtimes?tags=prod,credit')).body.items.map((r: any) => r.name)).toEqual(['local-prod']);
      expect((await server.api.get('/api/runtimes?tags=prod,gpu')).body.items).toEqual([]);
      expect((await server.api.get(`/api/runtimes/${embedded}/health`)).body).toMatchObject({ status: 'up' });
      expect((await server.api.request('PATCH', `/api/runtimes/${dev}`, { tags: ['dev', 'sandbox'] })).body.tags).toEqual(['dev', 'sandbox']);
      const down = await runtime(server.api, 'nowhere', [], 'http://127.0.0.1:9');
      expect((await server.api.get(`/api/runtimes/${down}/health`)).body).toMatchObject({ status: 'down', error: expect.any(String) });
      expect((await server.api.del(`/api/runtimes/${dev}`)).status).toBe(204);
      const { versionIds } = await modelWithVersions(server.api, 'runtime-user');
      await deploy('pins-runtime', versionIds[0]);
      expect((await server.api.del(`/api/runtimes/${embedded}`)).body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/serves 1 deployment/) });
    });

    it('needs settings:edit to change runtimes', async () => {
      const contributor = await createUser(server, ['deployment_contributor']);
      const reply = await contributor.api.post('/api/runtimes', { name: 'mine', kind: 'embedded', tags: [] });
      expect(reply.status).toBe(403);
      expect(reply.body.error.message).toMatch(/settings:edit/);
      expect((await contributor.api.get('/api/runtimes')).status).toBe(200);
    });
  });

  describe('predictions and access', () => {
    let versionIds: string[];
    let publicId: string;
    let instanceId: string;
    let projectId: string;
    let member: TestUser;
    let outsider: TestUser;

    beforeAll(async () => {
      ({ versionIds } = await modelWithVersions(server.api, 'credit-access', 2));
      member = await createUser(server, ['viewer']);
      outsider = await createUser(server, ['deployment_contributor']);
      publicId = (await deploy('open', versionIds[0], { access: 'public' })).id;
      instanceId = (await deploy('company', versionIds[0], { access: 'instance' })).id;
      projectId = (await deploy('project', versionIds[0], { access: 'project', members: [member.id] })).id;
      for (const id of [publicId, instanceId, projectId]) expect((await server.api.post(`/api/deployments/${id}/activate`)).status).toBe(200);
    });

    it('answers public deployments without credentials, with the champion and approval status', async () => {
      const reply = await predict(url, publicId, { row: applicant() });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ predictions: [expect.stringMatching(/^[01]$/)], championVersionId: versionIds[0], championVersion: 1, approvalStatus: 'needs_approval' });
      expect(Object.keys(reply.body.probabilities[0]).sort()).toEqual(['0', '1']);
      const many = await predict(url, publicId, { rows: [applicant(3, 0), applicant(3, 1), applicant(3, 2)] });
      expect(many.body.predictions).toHaveLength(3);
    });

    it('names missing, extra and mistyped features in a 400', async () => {
      const { income: _income, ...missing } = applicant();
      expect((await predict(url, publicId, { row: missing })).body.error).toMatchObject({ code: 'INVALID_FEATURES', message: expect.stringContaining('missing feature "income"') });
      expect((await predict(url, publicId, { row: { ...applicant(), shoe_size: 42 } })).body.error.message).toContain('unexpected column "shoe_size"');
      const mistyped = await predict(url, publicId, { row: { ...applicant(), age: 'old' } });
      expect(mistyped.status).toBe(400);
      expect(mistyped.body.error.details.problems).toEqual([{ row: 0, feature: 'age', message: 'expected a number for "age", got "old"' }]);
      expect((await predict(url, publicId, { rows: [] })).status).toBe(400);
      expect((await predict(url, publicId, { something: 1 })).status).toBe(400);
    });

    it('instance access needs any valid user token', async () => {
      expect((await predict(url, instanceId, { row: applicant() })).status).toBe(401);
      expect((await predict(url, instanceId, { row: applicant() }, { authorization: 'Bearer sg_not_a_real_token_at_all_000' })).status).toBe(401);
      expect((await predict(url, instanceId, { row: applicant() }, { authorization: `Bearer ${outsider.token}` })).status).toBe(200);
    });

    it('project access needs membership or a key of this deployment; a revoked key gets 401 at once', async () => {
      const row = { row: applicant() };
      expect((await predict(url, projectId, row)).status).toBe(401);
      expect((await predict(url, projectId, row, { authorization: `Bearer ${outsider.token}` })).status).toBe(403);
      expect((await predict(url, projectId, row, { authorization: `Bearer ${member.token}` })).status).toBe(200);
      // Access is checked before the body: an outsider learns nothing about the features.
      expect((await predict(url, projectId, { nonsense: true })).status).toBe(401);

      const created = await server.api.post(`/api/deployments/${projectId}/keys`, { name: 'scoring service' });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      expect(created.body.prefix).toBe(key.slice(0, 10));
      const listed = await server.api.get(`/api/deployments/${projectId}/keys`);
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect(listed.body.items).toHaveLength(1);
      expect((await predict(url, projectId, row, { authorization: `Bearer ${key}` })).status).toBe(200);
      expect((await predict(url, projectId, row, { 'x-api-key': key })).status).toBe(200);
      const other = (await server.api.post(`/api/deployments/${instanceId}/keys`, { name: 'other' })).body.key;
      expect((await predict(url, projectId, row, { 'x-api-key': other })).status).toBe(403);

      expect((await server.api.del(`/api/deployments/${projectId}/keys/${created.body.id}`)).status).toBe(204);
      const revoked = await predict(url, projectId, row, { 'x-api-key': key });
      expect(revoked.status).toBe(401);
      expect(revoked.body.error.code).toBe('UNAUTHORIZED');
      expect((await server.api.get(`/api/deployments/${projectId}/keys`)).body.items[0].revokedAt).not.toBeNull();
      const audit = await server.api.get(`/api/audit?entityId=${projectId}&action=deployment.key.revoke`);
      expect(audit.body.items).toHaveLength(1);
    });

    it('an inactive deployment refuses predictions with 409, after the access check', async () => {
      expect((await server.api.post(`/api/deployments/${instanceId}/deactivate`)).body.status).toBe('inactive');
      expect((await predict(url, instanceId, { row: applicant() })).status).toBe(401);
      const refused = await predict(url, instanceId, { row: applicant() }, { authorization: `Bearer ${outsider.token}` });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'DEPLOYMENT_INACTIVE', message: expect.stringContaining('/activate') });
      expect((await server.api.post(`/api/deployments/${instanceId}/activate`)).body.status).toBe('active');
    });

    it('rolls back to an earlier champion and swaps the served model', async () => {
      const replaced = await server.api.request('PATCH', `/api/deployments/${publicId}`, { championVersionId: versionIds[1] });
      expect(replaced.body.championVersionId).toBe(versionIds[1]);
      expect((await predict(url, publicId, { row: applicant() })).body.championVersion).toBe(2);
      expect((await server.api.post(`/api/deployments/${publicId}/rollback`, { version: 5 })).status).toBe(400);
      const back = await server.api.post(`/api/deployments/${publicId}/rollback`, { version: 1 });
      expect(back.body.championVersionId).toBe(versionIds[0]);
      expect((await predict(url, publicId, { row: applicant() })).body.championVersion).toBe(1);
      expect((await server.api.post(`/api/deployments/${publicId}/rollback`, { version: 1 })).status).toBe(409);
      const history = (await server.api.get(`/api/deployments/${publicId}/history`)).body.items;
      expect(history.map((h: any) => [h.action, h.championVersion])).toEqual([['rollback', 1], ['replace', 2], ['create', 1]]);
    });
  });

  describe('permissions and the active model limit', () => {
    it('contributors create and change their own deployments; activation is for approvers', async () => {
      const contributor = await createUser(server, ['deployment_contributor']);
      const other = await createUser(server, ['deployment_contributor']);
      const { versionIds } = await modelWithVersions(server.api, 'contrib-model');
      const mine = await contributor.api.post('/api/deployments', { name: 'contrib', versionId: versionIds[0], runtimeId: embedded });
      expect(mine.status).toBe(201);
      expect(mine.body).toMatchObject({ status: 'inactive', ownerId: contributor.id, access: 'project' });
      expect((await contributor.api.post(`/api/deployments/${mine.body.id}/activate`)).status).toBe(403);
      expect((await other.api.get(`/api/deployments/${mine.body.id}`)).status).toBe(404);
      expect((await other.api.get('/api/deployments')).body.items.map((d: any) => d.id)).not.toContain(mine.body.id);
      expect((await other.api.request('PATCH', `/api/deployments/${mine.body.id}`, { importance: 'low' })).status).toBe(404);
      expect((await contributor.api.request('PATCH', `/api/deployments/${mine.body.id}`, { importance: 'low', members: [other.id] })).body.importance).toBe('low');
      expect((await other.api.get(`/api/deployments/${mine.body.id}`)).status).toBe(200);
      const viewer = await createUser(server, ['viewer']);
      expect((await viewer.api.post('/api/deployments', { name: 'v', versionId: versionIds[0], runtimeId: embedded })).status).toBe(403);
      expect((await server.api.post('/api/deployments', { name: 'bad', versionId: versionIds[0], runtimeId: embedded, access: 'world' })).status).toBe(400);
      expect((await server.api.post('/api/deployments', { name: 'bad', versionId: '00000000-0000-4000-8000-000000000000', runtimeId: embedded })).status).toBe(404);
      expect((await server.api.post('/api/deployments', { name: 'contrib', versionId: versionIds[0], runtimeId: embedded })).status).toBe(409);
      expect((await contributor.api.del(`/api/deployments/${mine.body.id}`)).status).toBe(204);
      expect((await server.api.get(`/api/deployments/${mine.body.id}`)).status).toBe(404);
    });

    it('counts active models per model and refuses a third with a message saying how to make room', async () => {
      // Earlier tests activated deployments of credit-access only: one model.
      const usage = await server.api.get('/api/usage');
      expect(usage.body).toEqual({ activeModels: { used: 1, limit: 2 } });
      const second = await modelWithVersions(server.api, 'limit-two');
      const third = await modelWithVersions(server.api, 'limit-three');
      const a = await deploy('limit-two-a', second.versionIds[0]);
      const b = await deploy('limit-two-b', second.versionIds[0]);
      expect((await server.api.post(`/api/deployments/${a.id}/activate`)).status).toBe(200);
      expect((await server.api.post(`/api/deployments/${b.id}/activate`)).status).toBe(200);
      expect((await server.api.get('/api/usage')).body.activeModels).toEqual({ used: 2, limit: 2 });
      const c = await deploy('limit-three', third.versionIds[0]);
      const refused = await server.api.post(`/api/deployments/${c.id}/activate`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('ACTIVE_MODEL_LIMIT');
      expect(refused.body.error.message).toMatch(/limit of 2 active model\(s\) is reached \(credit-access, limit-two\); deactivate every deployment of one of these models .* or raise MAX_ACTIVE_MODELS/);
      await server.api.post(`/api/deployments/${a.id}/deactivate`);
      expect((await server.api.post(`/api/deployments/${c.id}/activate`)).status).toBe(409);
      await server.api.post(`/api/deployments/${b.id}/deactivate`);
      expect((await server.api.post(`/api/deployments/${c.id}/activate`)).status).toBe(200);
    });
  });

  it('serves a try-it form with no external assets and a strict CSP', async () => {
    const { versionIds } = await modelWithVersions(server.api, 'form-model');
    const d = await deploy('form', versionIds[0], { access: 'public' });
    const page = await fetch(`${url}/deployments/${d.id}/form`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<input id="f-income"');
    expect(html).toContain('<script src="/deployments/form.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>[^<]/);
    expect((await fetch(`${url}/deployments/form.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${url}/deployments/00000000-0000-4000-8000-000000000000/form`)).status).toBe(404);
    expect(creditArtifact().features.map((f) => f.name)).toContain('income');
  });
});
