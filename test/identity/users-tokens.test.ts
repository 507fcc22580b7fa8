import { client } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser } from '../support/users';

describe('users and API tokens', () => {
  let server: TestServer;
  const logLines: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ logLines, adminGroups: ['admins'], env: { AUTH_FAILURES_PER_MINUTE: '1000' } });
  });
  afterAll(() => server.close());

  it('creates, reads, updates and deletes users; /api/me shows roles, groups and permissions', async () => {
    const created = await server.api.post('/api/users', { name: 'Rita Reviewer', email: 'rita@example.com', roles: ['model_approver'], groups: ['risk-committee'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Rita Reviewer', roles: ['model_approver'], groups: ['risk-committee'], active: true });
    const token = await server.api.post(`/api/users/${created.body.id}/tokens`, { name: 'laptop' });
    const rita = client(server.stagegate.url, token.body.token);
    const me = await rita.get('/api/me');
    expect(me.body).toMatchObject({ id: created.body.id, groups: ['risk-committee'] });
    expect(me.body.permissions).toEqual(['deployments:activate', 'settings:edit', 'tasks:approve', 'view:all']);

    const updated = await server.api.put(`/api/users/${created.body.id}`, { groups: ['risk-committee', 'model-approvers'] });
    expect(updated.body.groups).toEqual(['risk-committee', 'model-approvers']);
    const groups = await server.api.get('/api/groups');
    expect(groups.body.items).toEqual(expect.arrayContaining([{ name: 'model-approvers', members: 1 }]));
    expect((await server.api.get('/api/users?group=risk-committee')).body.items.map((u: any) => u.id)).toEqual([created.body.id]);

    expect((await server.api.del(`/api/users/${created.body.id}`)).status).toBe(204);
    expect((await server.api.get(`/api/users/${created.body.id}`)).status).toBe(404);
    expect((await rita.get('/api/me')).status).toBe(401);
  });

  it('shows a token once, lists tokens without secrets, and a revoked token stops working at once', async () => {
    const user = await createUser(server, ['viewer']);
    expect((await user.api.get('/api/me')).status).toBe(200);
    const tokens = await server.api.get(`/api/users/${user.id}/tokens`);
    expect(tokens.body.items).toHaveLength(1);
    const listed = JSON.stringify(tokens.body);
    expect(listed).not.toContain(user.token);
    expect(tokens.body.items[0]).not.toHaveProperty('token');
    expect(tokens.body.items[0].prefix).toBe(user.token.slice(0, 10));
    expect(tokens.body.items[0].lastUsedAt).not.toBeNull();

    const revoked = await server.api.del(`/api/users/${user.id}/tokens/${tokens.body.items[0].id}`);
    expect(revoked.status).toBe(204);
    const after = await user.api.get('/api/me');
    expect(after.status).toBe(401);
    expect((await server.api.del(`/api/users/${user.id}/tokens/${tokens.body.items[0].id}`)).status).toBe(404);
  });

  it('never writes a token into the logs', async () => {
    const user = await createUser(server, ['viewer']);
    await user.api.get('/api/me');
    await client(server.stagegate.url, `${user.token}x`).get('/api/me');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((line) => line.includes('"path":"/api/me"'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(user.token);
    expect(logLines.join('\n')).not.toContain('sg_test_admin_token');
  });

  it('stores only token hashes', async () => {
    const user = await createUser(server, ['viewer']);
    const rows = await server.stagegate.db('api_tokens').where({ user_id: user.id }).select('*');
    expect(JSON.stringify(rows)).not.toContain(user.token);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects bad user input with 4xx and the error shape', async () => {
    await server.api.post('/api/users', { name: 'Dup', email: 'dup@example.com', roles: ['viewer'] });
    const cases: [string, string, unknown, number][] = [
      ['POST', '/api/users', { name: 'Dup 2', email: 'DUP@example.com', roles: ['viewer'] }, 409],
      ['POST', '/api/users', { name: 'X', email: 'x@example.com', roles: ['overlord'] }, 400],
      ['POST', '/api/users', { name: 'X', email: 'not-an-email', roles: ['viewer'] }, 400],
      ['POST', '/api/users', { name: 'X', email: 'x2@example.com', roles: [] }, 400],
      ['POST', '/api/users', { name: '', email: 'x3@example.com', roles: ['viewer'] }, 400],
      ['POST', '/api/users', { name: 'X', email: 'x4@example.com', roles: ['viewer'], groups: ["'; DROP TABLE users; --"] }, 400],
      ['POST', '/api/users', { name: 'X', email: 'x5@example.com', roles: ['viewer'], admin: true }, 400],
      ['PUT', '/api/users/00000000-0000-4000-8000-000000000000', { name: 'Nobody' }, 404],
      ['POST', '/api/users/00000000-0000-4000-8000-000000000000/tokens', { name: 't' }, 404],
      ['POST', '/api/users/not-a-uuid/tokens', { name: 't' }, 400],
      ['GET', "/api/users?group=' OR 1=1 --", undefined, 400],
      ['GET', '/api/users?role=superuser', undefined, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const reply = await server.api.request(method, path, body);
      expect({ method, path, status: reply.status }).toEqual({ method, path, status });
      expect(reply.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    }
    expect((await server.api.get('/api/users?limit=500')).body.items.filter((u: any) => u.email.toLowerCase() === 'dup@example.com')).toHaveLength(1);
  });

  it('refuses to remove or demote the last tenant_admin', async () => {
    const me = await server.api.get('/api/me');
    const demote = await server.api.put(`/api/users/${me.body.id}`, { roles: ['viewer'] });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toContain('tenant_admin');
    expect((await server.api.del(`/api/users/${me.body.id}`)).status).toBe(409);
    expect((await server.api.get('/api/me')).body.roles).toEqual(['tenant_admin']);
  });
});

describe('first start', () => {
  it('creates the admin with a generated token once, and not again on the next start', async () => {
    const first = await startTestServer({ env: { ADMIN_TOKEN: '' } });
    try {
      const token = first.stagegate.bootstrapToken;
      expect(token).toMatch(/^sg_[\w-]{40,}$/);
      const admin = client(first.stagegate.url, token!);
      expect((await admin.get('/api/me')).body).toMatchObject({ name: 'admin', roles: ['tenant_admin'] });
      await first.stop();
      const second = await startTestServer({ database: first.database, env: { ADMIN_TOKEN: '' } });
      expect(second.stagegate.bootstrapToken).toBeNull();
      expect((await client(second.stagegate.url, token!).get('/api/me')).status).toBe(200);
      await second.close();
    } finally {
      await first.close();
    }
  });
});

describe('rate limits', () => {
  it('answers 429 after too many failed authentications from one address', async () => {
    const server = await startTestServer({ env: { AUTH_FAILURES_PER_MINUTE: '5' } });
    try {
      const guesser = client(server.stagegate.url, 'sg_guess_guess_guess_guess_guess_guess');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await guesser.get('/api/me')).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429]);
    } finally {
      await server.close();
    }
  });
});
