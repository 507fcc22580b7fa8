import { creditArtifact, modelWithVersions, runtime } from './fixtures';
import { startTestServer, type TestServer } from '../support/server';
import { createUser, type TestUser } from '../support/users';

/**
 * Change requests (SPEC §6, §8): with an approval policy for (event type,
 * importance), replacing the model, changing importance and deleting wait for
 * an approver; without one they take effect at once.
 */
describe('deployment change requests', () => {
  let server: TestServer;
  let approver: TestUser;
  let contributor: TestUser;
  let stranger: TestUser;
  let runtimeId: string;
  let versionIds: string[];
  let counter = 0;

  beforeAll(async () => {
    // Train the three artifacts before the server runs: training blocks the event loop, and an idle keep-alive connection may be reset meanwhile.
    for (const seed of [7, 8, 9]) creditArtifact(seed);
    // The admin is in the approver group too: the four-eyes rule, not group membership, must stop it approving its own request.
    server = await startTestServer({ adminGroups: ['deployment-approvers'] });
    approver = await createUser(server, ['model_approver'], ['deployment-approvers'], 'approver');
    contributor = await createUser(server, ['deployment_contributor'], [], 'contributor');
    stranger = await createUser(server, ['deployment_contributor'], [], 'stranger');
    runtimeId = await runtime(server.api, 'local', ['prod']);
    ({ versionIds } = await modelWithVersions(server.api, 'credit', 3));
    for (const eventType of ['deployment.replace-model', 'deployment.change-importance', 'deployment.delete']) {
      for (const importance of ['critical', 'high']) {
        expect((await server.api.post('/api/approval-policies', { eventType, importance, approverGroup: 'deployment-approvers' })).status).toBe(201);
      }
    }
  });
  afterAll(() => server.close());

  const deploy = async (importance: string, as = server.api) => {
    counter += 1;
    const reply = await as.post('/api/deployments', { name: `credit-${counter}`, versionId: versionIds[0], runtimeId, importance });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; name: string };
  };
  const patch = (id: string, body: unknown, as = server.api, query = '') => as.request('PATCH', `/api/deployments/${id}${query}`, body);
  const workItemOf = async (request: { processInstanceId: string }) => {
    const { items } = (await server.api.get(`/api/tasks?processInstanceId=${request.processInstanceId}`)).body;
    expect(items).toHaveLength(1);
    return items[0];
  };
  const decide = async (request: { id: string; processInstanceId: string }, decision: string, as = approver) => {
    const item = await workItemOf(request);
    const reply = await as.api.post(`/api/tasks/${item.id}/complete`, { decision, comment: `${decision} by ${as.name}` });
    expect(reply.status).toBe(200);
    await server.waitForStatus(request.processInstanceId, 'completed');
    return (await server.api.get(`/api/change-requests/${request.id}`)).body;
  };

  it('holds a model replacement for approval: 202, deployment unchanged, a work item with before/after for the approver group', async () => {
    const deployment = await deploy('high');
    const reply = await patch(deployment.id, { championVersionId: versionIds[1] });
    expect(reply.status).toBe(202);
    expect(reply.headers.get('location')).toBe(`/api/change-requests/${reply.body.id}`);
    expect(reply.body).toMatchObject({
      deploymentId: deployment.id,
      type: 'replace-model',
      eventType: 'deployment.replace-model',
      importance: 'high',
      status: 'pending',
      applyMode: 'automatic',
      before: { championVersionId: versionIds[0] },
      after: { championVersionId: versionIds[1] },
    });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.championVersionId).toBe(versionIds[0]);

    const item = await workItemOf(reply.body);
    expect(item).toMatchObject({ name: 'Approve deployment change', status: 'open', candidateGroups: ['deployment-approvers'], policyId: expect.any(String) });
    expect(item.context).toMatchObject({
      changeRequestId: reply.body.id,
      importance: 'high',
      deployment: { id: deployment.id, name: deployment.name },
      change: { type: 'replace-model', before: { championVersionId: versionIds[0] }, after: { championVersionId: versionIds[1] } },
    });
    expect((await approver.api.get('/api/tasks?mine=true&status=open')).body.items.map((t: any) => t.id)).toContain(item.id);

    const own = await server.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/four-eyes/);

    const settled = await decide(reply.body, 'approved');
    expect(settled).toMatchObject({ status: 'applied', decidedBy: approver.id, decisionComment: 'approved by approver', error: null });
    expect(settled.appliedAt).not.toBeNull();
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.championVersionId).toBe(versionIds[1]);
    const audit = (await server.api.get(`/api/audit?entityType=deployment&entityId=${deployment.id}&action=deployment.replace`)).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ before: { championVersionId: versionIds[0] }, after: { championVersionId: versionIds[1] } });
    const applied = (await server.api.get(`/api/audit?entityType=change_request&entityId=${reply.body.id}&action=change-request.apply`)).body.items;
    expect(applied[0]).toMatchObject({ before: { deployment: { championVersionId: versionIds[0] } }, after: { deployment: { championVersionId: versionIds[1] } } });
    expect((await server.api.get(`/api/deployments/${deployment.id}/history`)).body.items[0]).toMatchObject({ championVersionId: versionIds[1], action: 'replace' });
  });

  it('leaves the deployment untouched when the change is rejected', async () => {
    const deployment = await deploy('high', contributor.api);
    // Lowering importance is judged by the stricter of the two levels (high).
    const reply = await patch(deployment.id, { importance: 'low' }, contributor.api);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ type: 'change-importance', eventType: 'deployment.change-importance', importance: 'high', requestedBy: contributor.id });
    const settled = await decide(reply.body, 'rejected');
    expect(settled).toMatchObject({ status: 'rejected', decidedBy: approver.id, appliedAt: null });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.importance).toBe('high');
    expect((await server.api.get(`/api/audit?entityType=deployment&entityId=${deployment.id}&action=deployment.update`)).body.items).toEqual([]);
    const apply = await contributor.api.post(`/api/change-requests/${reply.body.id}/apply`);
    expect(apply.status).toBe(409);
  });

  it('in manual mode stops at approved until someone applies it', async () => {
    const deployment = await deploy('critical');
    const reply = await patch(deployment.id, { championVersionId: versionIds[2] }, server.api, '?applyMode=manual');
    expect(reply.body).toMatchObject({ status: 'pending', applyMode: 'manual', importance: 'critical' });
    const early = await server.api.post(`/api/change-requests/${reply.body.id}/apply`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/is pending; only an approved request can be applied/);
    expect(await decide(reply.body, 'approved')).toMatchObject({ status: 'approved', decidedBy: approver.id, appliedAt: null });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.championVersionId).toBe(versionIds[0]);
    const applied = await server.api.post(`/api/change-requests/${reply.body.id}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ status: 'applied', appliedBy: expect.any(String) });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.championVersionId).toBe(versionIds[2]);
    expect((await server.api.post(`/api/change-requests/${reply.body.id}/apply`)).status).toBe(409);
  });

  it('refuses to apply a stale request: 409, the request says why, nothing half-applied', async () => {
    const deployment = await deploy('high');
    const first = (await patch(deployment.id, { championVersionId: versionIds[1] }, server.api, '?applyMode=manual')).body;
    const second = (await patch(deployment.id, { championVersionId: versionIds[2], name: `${deployment.name}-renamed` }, server.api, '?applyMode=manual')).body;
    const automatic = (await patch(deployment.id, { championVersionId: versionIds[2] })).body;
    await decide(first, 'approved');
    await decide(second, 'approved');
    expect((await server.api.post(`/api/change-requests/${first.id}/apply`)).status).toBe(200);
    const stale = await server.api.post(`/api/change-requests/${second.id}/apply`);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'STALE_CHANGE_REQUEST', message: expect.stringMatching(/changed since change request .* \(championVersionId\)/) });
    expect((await server.api.get(`/api/change-requests/${second.id}`)).body).toMatchObject({ status: 'failed', error: expect.stringMatching(/changed since/) });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body).toMatchObject({ championVersionId: versionIds[1], name: deployment.name });
    // Applied automatically on approval: the request fails the same way and the process still ends.
    expect(await decide(automatic, 'approved')).toMatchObject({ status: 'failed', decidedBy: approver.id, error: expect.stringMatching(/changed since/) });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.championVersionId).toBe(versionIds[1]);
  });

  it('deletes a deployment only once approved', async () => {
    const deployment = await deploy('high');
    const reply = await server.api.del(`/api/deployments/${deployment.id}`);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ type: 'delete', eventType: 'deployment.delete', before: { championVersionId: versionIds[0], importance: 'high' }, after: null });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).status).toBe(200);
    expect((await workItemOf(reply.body)).context.change).toMatchObject({ type: 'delete', after: null });
    expect(await decide(reply.body, 'approved')).toMatchObject({ status: 'applied', deploymentName: deployment.name });
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).status).toBe(404);
    const audit = (await server.api.get(`/api/audit?entityType=deployment&entityId=${deployment.id}&action=deployment.delete`)).body.items;
    expect(audit[0]).toMatchObject({ before: { id: deployment.id }, after: null });
  });

  it('applies at once when no policy matches', async () => {
    const deployment = await deploy('low');
    const replaced = await patch(deployment.id, { championVersionId: versionIds[1] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.championVersionId).toBe(versionIds[1]);
    // Access, members and the challenger never need approval, whatever the importance.
    const gated = await deploy('high');
    expect((await patch(gated.id, { access: 'instance', challengerVersionId: versionIds[1] })).status).toBe(200);
    expect((await server.api.del(`/api/deployments/${deployment.id}`)).status).toBe(204);
    expect((await server.api.get(`/api/change-requests?deploymentId=${deployment.id}`)).body).toEqual({ items: [], total: 0 });
  });

  it('lets the requester (or an admin) cancel, and nobody else', async () => {
    const deployment = await deploy('high', contributor.api);
    const reply = await patch(deployment.id, { championVersionId: versionIds[1] }, contributor.api);
    const item = await workItemOf(reply.body);
    expect((await stranger.api.post(`/api/change-requests/${reply.body.id}/cancel`)).status).toBe(404);
    await contributor.api.request('PATCH', `/api/deployments/${deployment.id}`, { members: [stranger.id] });
    const refused = await stranger.api.post(`/api/change-requests/${reply.body.id}/cancel`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/only the requester/);
    const cancelled = await contributor.api.post(`/api/change-requests/${reply.body.id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    await server.waitForStatus(reply.body.processInstanceId, 'cancelled');
    expect((await server.api.get(`/api/tasks/${item.id}`)).body.status).toBe('cancelled');
    expect((await contributor.api.post(`/api/change-requests/${reply.body.id}/cancel`)).status).toBe(409);
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.championVersionId).toBe(versionIds[0]);
  });

  it('lists requests by deployment and status, and shows contributors only theirs', async () => {
    const deployment = await deploy('high');
    const pending = (await patch(deployment.id, { importance: 'critical' })).body;
    const all = (await server.api.get(`/api/change-requests?deploymentId=${deployment.id}&status=pending`)).body;
    expect(all).toMatchObject({ total: 1, items: [{ id: pending.id }] });
    expect((await server.api.get(`/api/change-requests?deploymentId=${deployment.id}&status=applied`)).body.total).toBe(0);
    const mine = (await contributor.api.get('/api/change-requests')).body.items;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((request: any) => request.requestedBy === contributor.id)).toBe(true);
    expect((await contributor.api.get(`/api/change-requests/${pending.id}`)).status).toBe(404);
  });

  it('answers bad input with 4xx and stores nothing', async () => {
    const deployment = await deploy('high');
    const count = async () => (await server.api.get(`/api/change-requests?deploymentId=${deployment.id}`)).body.total;
    expect((await patch('00000000-0000-4000-8000-000000000000', { championVersionId: versionIds[1] })).status).toBe(404);
    expect((await server.api.del('/api/deployments/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await patch(deployment.id, { championVersionId: 'not-a-uuid' })).status).toBe(400);
    expect((await patch(deployment.id, { championVersionId: versionIds[1] }, server.api, '?applyMode=later')).status).toBe(400);
    expect((await patch(deployment.id, { championVersionId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const both = await patch(deployment.id, { championVersionId: versionIds[1], importance: 'low' });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/request them separately/);
    expect((await stranger.api.request('PATCH', `/api/deployments/${deployment.id}`, { importance: 'low' })).status).toBe(404);
    expect(await count()).toBe(0);
    expect((await server.api.get('/api/change-requests/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await server.api.post('/api/change-requests/nope/apply')).status).toBe(400);
    const viewer = await createUser(server, ['viewer']);
    const pending = (await patch(deployment.id, { importance: 'low' })).body;
    expect((await viewer.api.post(`/api/change-requests/${pending.id}/apply`)).status).toBe(403);
    expect((await server.api.get(`/api/deployments/${deployment.id}`)).body.importance).toBe('high');
  });

  it('documents the routes in the OpenAPI document', async () => {
    const paths = (await server.api.get('/api/openapi.json')).body.paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/change-requests', '/api/change-requests/{id}', '/api/change-requests/{id}/apply', '/api/change-requests/{id}/cancel']));
    expect(paths['/api/deployments/{id}'].patch.responses['202']).toBeDefined();
  });
});
