import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../support/server';
import { applicant, modelWithVersions, predict, runtime } from './fixtures';
import { modelServer } from './model-server';

describe('an http runtime: an external model server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('deploys the artifact to the model server, forwards predictions, answers 502 while it is down and recovers', async () => {
    const models = modelServer();
    const base = await models.listen();
    const port = Number(new URL(base).port);
    const runtimeId = await runtime(server.api, 'model-server', ['prod', 'external'], base);
    expect((await server.api.get(`/api/runtimes/${runtimeId}/health`)).body.status).toBe('up');
    const { versionIds } = await modelWithVersions(server.api, 'remote-credit', 2);
    const created = await server.api.post('/api/deployments', { name: 'remote', versionId: versionIds[0], challengerVersionId: versionIds[1], runtimeId, access: 'public' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(models.models.has(id)).toBe(true);
    await server.api.post(`/api/deployments/${id}/activate`);

    const answer = await predict(server.stagegate.url, id, { rows: [applicant(3, 0), applicant(3, 1)] });
    expect(answer.status).toBe(200);
    expect(answer.body.predictions).toHaveLength(2);
    expect(answer.body.probabilities[0]).toHaveProperty('1');
    expect(models.received).toContain(`POST /models/${id}/predict`);
    // Input is checked here, before the model server sees it.
    const before = models.received.length;
    expect((await predict(server.stagegate.url, id, { row: { age: 1 } })).status).toBe(400);
    expect(models.received.length).toBe(before);

    await models.close();
    expect((await server.api.get(`/api/runtimes/${runtimeId}/health`)).body.status).toBe('down');
    const down = await predict(server.stagegate.url, id, { row: applicant() });
    expect(down.status).toBe(502);
    expect(down.body.error).toMatchObject({ code: 'RUNTIME_UNAVAILABLE', message: expect.stringMatching(/did not answer predictions of model/) });
    // Replacing the champion while the server is down is refused and changes nothing.
    const refused = await server.api.request('PATCH', `/api/deployments/${id}`, { championVersionId: versionIds[1] });
    expect(refused.status).toBe(502);
    expect((await server.api.get(`/api/deployments/${id}`)).body.championVersionId).toBe(versionIds[0]);
    const report = (await server.api.get(`/api/deployments/${id}/monitoring?window=15m`)).body;
    expect(report).toMatchObject({ requests: 3, errors: 2, errorCodes: { RUNTIME_UNAVAILABLE: 1, INVALID_FEATURES: 1 } });
    expect(report.challenger).toMatchObject({ rows: 2, agreement: expect.any(Number) });

    const again = modelServer();
    await again.listen(port);
    // The restarted server lost its models: a new champion is sent to it again.
    expect((await server.api.request('PATCH', `/api/deployments/${id}`, { championVersionId: versionIds[1] })).status).toBe(200);
    expect((await predict(server.stagegate.url, id, { row: applicant() })).body).toMatchObject({ championVersion: 2 });
    expect((await server.api.del(`/api/deployments/${id}`)).status).toBe(204);
    expect(again.models.has(id)).toBe(false);
    await again.close();
  });

  it('a model server that refuses the artifact leaves nothing behind', async () => {
    const refusing = http.createServer((_req, res) => res.writeHead(507).end('disk full'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    const runtimeId = await runtime(server.api, 'full-server', ['full'], url);
    const { versionIds } = await modelWithVersions(server.api, 'refused-credit');
    const reply = await server.api.post('/api/deployments', { name: 'refused', versionId: versionIds[0], runtimeId });
    expect(reply.status).toBe(502);
    expect(reply.body.error.message).toMatch(/refused PUT of model .*HTTP 507 disk full/);
    expect((await server.api.get('/api/deployments')).body.items.map((d: any) => d.name)).not.toContain('refused');
    refusing.closeAllConnections();
    await new Promise((resolve) => refusing.close(resolve));
  });
});
