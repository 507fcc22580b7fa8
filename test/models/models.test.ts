import { createHash } from 'node:crypto';
import { CREDIT_RISK_FEATURES, trainModel } from '../../src/ml';
import { waitFor } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

describe('model registry: models and versions', () => {
  let server: TestServer;
  const data = creditRisk(400, 31);
  const classifier = trainModel(data.rows, { algorithm: 'decision-tree', type: 'classification', features: CREDIT_RISK_FEATURES, label: 'default', seed: 1 }).artifact;
  const regressor = trainModel(data.rows, { algorithm: 'decision-tree', type: 'regression', features: ['age', 'region'], label: 'income', seed: 1 }).artifact;
  const submitted: any[] = [];

  const auditActions = async (modelId: string) => (await server.api.get(`/api/audit?entityType=model&entityId=${modelId}`)).body.items.map((e: any) => e.action).reverse();

  beforeAll(async () => {
    // A small JSON limit shows that artifacts use the upload limit instead.
    server = await startTestServer({ env: { MAX_BODY_BYTES: '4096' } });
    server.stagegate.models.onVersionSubmitted = (event) => void submitted.push(event);
  });
  afterAll(() => server.close());

  it('registers, lists, filters and changes models', async () => {
    const created = await server.api.post('/api/models', {
      name: 'Churn',
      description: 'who leaves',
      type: 'classification',
      importance: 'critical',
      tags: ['retail', 'retail', 'eu'],
      metadata: { thresholds: [{ metric: 'accuracy', min: 0.8 }, { metric: 'drift.psi.age', max: 0.2 }], protectedAttribute: 'gender', train: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Churn', type: 'classification', importance: 'critical', tags: ['retail', 'eu'], ownerId: expect.any(String) });
    await server.api.post('/api/models', { name: 'price_100%', type: 'regression', importance: 'low', tags: ['eu'] });

    expect((await server.api.get('/api/models?type=regression')).body.items.map((m: any) => m.name)).toEqual(['price_100%']);
    expect((await server.api.get('/api/models?tag=retail')).body.items.map((m: any) => m.name)).toEqual(['Churn']);
    expect((await server.api.get('/api/models?importance=critical')).body.total).toBe(1);
    expect((await server.api.get('/api/models?q=100%25')).body.total).toBe(1);
    expect((await server.api.get('/api/models?q=_')).body.total).toBe(1);
    expect((await server.api.get(`/api/models?q=${encodeURIComponent("' OR 1=1 --")}`)).body.total).toBe(0);
    expect((await server.api.get(`/api/models?tag=${encodeURIComponent('"]') }`)).body.total).toBe(0);

    const id = created.body.id;
    const patched = await server.api.request('PATCH', `/api/models/${id}`, { importance: 'high', metadata: { protectedAttribute: null, privilegedGroup: 'x', label: 'default' } });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata).toEqual({ thresholds: created.body.metadata.thresholds, train: true, privilegedGroup: 'x', label: 'default' });
    const put = await server.api.put(`/api/models/${id}`, { description: 'who churns' });
    expect(put.body).toMatchObject({ description: 'who churns', importance: 'high' });
    expect(await auditActions(id)).toEqual(['model.create', 'model.update', 'model.update']);
  });

  it('rejects bad models with 4xx and stores nothing', async () => {
    const bad: [unknown, number, RegExp][] = [
      [{ name: 'a', type: 'classification', metadata: { thresholds: [{ metric: 'rmse', max: 1 }] } }, 400, /"rmse" does not apply to a classification model/],
      [{ name: 'a', type: 'regression', metadata: { thresholds: [{ metric: 'accuracy', min: 0.5 }] } }, 400, /"accuracy" does not apply to a regression model/],
      [{ name: 'a', type: 'regression', metadata: { algorithm: 'logistic-regression' } }, 400, /logistic-regression does not do regression/],
      [{ name: 'a', type: 'classification', metadata: { thresholds: [{ metric: 'accuracy' }] } }, 400, /min and\/or max/],
      [{ name: 'a', type: 'classification', metadata: { tresholds: [] } }, 400, /tresholds/],
      [{ name: 'a', type: 'clustering' }, 400, /type/],
      [{ name: 'a', type: 'classification', importance: 'urgent' }, 400, /importance/],
      [{ name: '', type: 'classification' }, 400, /name/],
      [{ name: 'a', type: 'classification', tags: 'x' }, 400, /tags/],
      [{ name: 'CHURN', type: 'classification' }, 409, /already exists/],
    ];
    const before = (await server.api.get('/api/models')).body.total;
    for (const [body, status, message] of bad) {
      const reply = await server.api.post('/api/models', body);
      expect({ body, status: reply.status }).toEqual({ body, status });
      expect(reply.body.error.message).toMatch(message);
    }
    expect((await server.api.get('/api/models')).body.total).toBe(before);
    expect((await server.api.get('/api/models/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await server.api.get('/api/models/churn')).status).toBe(400);
  });

  it('submits uploaded and external versions, stores the artifact with its sha256, and fires the model-changed hook', async () => {
    const model = (await server.api.post('/api/models', { name: 'credit', type: 'classification' })).body;
    const uploaded = await server.api.post(`/api/models/${model.id}/versions`, { source: 'uploaded', artifact: classifier, description: 'from a notebook' });
    expect(uploaded.status).toBe(201);
    const text = JSON.stringify(classifier);
    expect(text.length).toBeGreaterThan(4096); // larger than MAX_BODY_BYTES: the versions route reads up to MAX_UPLOAD_BYTES
    expect(uploaded.body).toMatchObject({ number: 1, source: 'uploaded', status: 'submitted', artifactSha256: createHash('sha256').update(text).digest('hex'), artifactBytes: Buffer.byteLength(text) });
    expect(uploaded.body.statusHistory).toEqual([{ status: 'submitted', at: expect.any(String), by: uploaded.body.submittedBy }]);
    const stored = await fetch(`${server.stagegate.url}/api/models/${model.id}/versions/1/artifact`, { headers: { authorization: 'Bearer sg_test_admin_token_0123456789abcdef' } });
    expect(await stored.text()).toBe(text);

    const external = await server.api.post(`/api/models/${model.id}/versions`, { source: 'external', uri: 'https://models.example.com/credit/7' });
    expect(external.body).toMatchObject({ number: 2, source: 'external', uri: 'https://models.example.com/credit/7', artifactSha256: null });
    expect((await server.api.get(`/api/models/${model.id}/versions/2/artifact`)).status).toBe(404);
    expect((await server.api.get(`/api/models/${model.id}/versions`)).body.items.map((v: any) => v.number)).toEqual([2, 1]);
    expect((await server.api.get(`/api/models/${model.id}/versions/1`)).body).toMatchObject({ number: 1, testResults: [] });

    expect(submitted.map((event) => [event.model.id, event.version.number, event.context.actor.name])).toEqual([
      [model.id, 1, 'admin'],
      [model.id, 2, 'admin'],
    ]);
    expect(await auditActions(model.id)).toEqual(['model.create', 'model.version.submit', 'model.version.submit']);
    // An oversize JSON body elsewhere is still refused.
    expect((await server.api.post('/api/models', { name: 'big', type: 'classification', description: 'x'.repeat(20000) })).status).toBe(413);
  });

  it('refuses bad versions with 4xx and stores nothing', async () => {
    const model = (await server.api.post('/api/models', { name: 'strict', type: 'classification' })).body;
    const bad: [unknown, number, RegExp][] = [
      [{ source: 'uploaded', artifact: { format: 'stagegate-model/1' } }, 400, /Not a valid stagegate-model\/1 artifact/],
      [{ source: 'uploaded', artifact: regressor }, 400, /the artifact is a regression model but strict is a classification model/],
      [{ source: 'uploaded' }, 400, /artifact/],
      [{ source: 'external', uri: 'not a uri' }, 400, /uri/],
      [{ source: 'pickled', uri: 'https://x' }, 400, /source/],
      [{ source: 'trained', trainJob: '00000000-0000-4000-8000-000000000000' }, 400, /is not a training job of model strict/],
    ];
    for (const [body, status, message] of bad) {
      const reply = await server.api.post(`/api/models/${model.id}/versions`, body);
      expect({ body: JSON.stringify(body).slice(0, 80), status: reply.status }).toEqual({ body: JSON.stringify(body).slice(0, 80), status });
      expect(reply.body.error.message).toMatch(message);
    }
    expect((await server.api.get(`/api/models/${model.id}/versions`)).body.total).toBe(0);
    expect((await server.api.post('/api/models/00000000-0000-4000-8000-000000000000/versions', { source: 'external', uri: 'https://x.example' })).status).toBe(404);
    // The type of a model with versions cannot change.
    await server.api.post(`/api/models/${model.id}/versions`, { source: 'uploaded', artifact: classifier });
    expect((await server.api.put(`/api/models/${model.id}`, { type: 'regression' })).status).toBe(409);
  });

  it('submits the artifact a training job kept (createVersion false) as a trained version, once', async () => {
    const datasetId = (await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, data.csv)).status).toBe(201);
    const model = (await server.api.post('/api/models', { name: 'candidate', type: 'classification', metadata: { datasetId, algorithm: 'decision-tree' } })).body;
    const job = await server.api.post(`/api/models/${model.id}/train`, { createVersion: false });
    expect(job.status).toBe(202);
    expect(job.body.params).toMatchObject({ datasetId, algorithm: 'decision-tree', createVersion: false });
    const done = await waitFor(async () => {
      const reply = (await server.api.get(`/api/jobs/${job.body.id}`)).body;
      return ['succeeded', 'failed'].includes(reply.status) ? reply : null;
    }, 30000);
    expect(done.status).toBe('succeeded');
    expect(done.result.artifact.format).toBe('stagegate-model/1');
    expect((await server.api.get(`/api/models/${model.id}/versions`)).body.total).toBe(0);

    const version = await server.api.post(`/api/models/${model.id}/versions`, { source: 'trained', trainJob: job.body.id });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ number: 1, source: 'trained', trainJobId: job.body.id, trainingData: { datasetId } });
    expect(version.body.artifactSha256).toBe(createHash('sha256').update(JSON.stringify(done.result.artifact)).digest('hex'));
    const again = await server.api.post(`/api/models/${model.id}/versions`, { source: 'trained', trainJob: job.body.id });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already made version 1/);
  });

  describe('permissions', () => {
    let alice: TestUser;
    let bob: TestUser;
    let viewer: TestUser;
    let deployer: TestUser;
    beforeAll(async () => {
      alice = await createUser(server, ['experiment_contributor']);
      bob = await createUser(server, ['experiment_contributor']);
      viewer = await createUser(server, ['viewer']);
      deployer = await createUser(server, ['deployment_contributor']);
    });

    it('contributors own what they register; others with view:own see nothing of it; viewers read all, write nothing', async () => {
      const own = await alice.api.post('/api/models', { name: 'alice-model', type: 'classification' });
      expect(own.status).toBe(201);
      expect(own.body.ownerId).toBe(alice.id);
      expect((await alice.api.post(`/api/models/${own.body.id}/versions`, { source: 'uploaded', artifact: classifier })).status).toBe(201);
      expect((await alice.api.get('/api/models')).body.items.map((m: any) => m.name)).toEqual(['alice-model']);

      const denied = await bob.api.get(`/api/models/${own.body.id}`);
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toMatch(/you may view only the models you own/);
      expect((await bob.api.put(`/api/models/${own.body.id}`, { description: 'mine now' })).status).toBe(403);
      expect((await bob.api.post(`/api/models/${own.body.id}/versions`, { source: 'external', uri: 'https://x.example' })).status).toBe(403);
      expect((await bob.api.get(`/api/models/${own.body.id}/versions/1`)).status).toBe(403);
      expect((await bob.api.get('/api/models')).body.total).toBe(0);

      expect((await viewer.api.get(`/api/models/${own.body.id}/versions/1`)).status).toBe(200);
      expect((await viewer.api.get('/api/models')).body.total).toBeGreaterThan(1);
      const viewerWrite = await viewer.api.post('/api/models', { name: 'v', type: 'classification' });
      expect(viewerWrite.status).toBe(403);
      expect(viewerWrite.body.error.message).toMatch(/models:write/);
      expect((await deployer.api.post(`/api/models/${own.body.id}/versions`, { source: 'external', uri: 'https://x.example' })).status).toBe(403);
      expect((await server.api.get(`/api/models/${own.body.id}/versions`)).body.total).toBe(1);
    });

    it('contributors see their own and shared models, not others\' private ones; only the owner or an administrator shares', async () => {
      const shared = (await alice.api.post('/api/models', { name: 'alice-shared', type: 'classification', shared: true })).body;
      expect(shared.shared).toBe(true);
      const hidden = (await alice.api.post('/api/models', { name: 'alice-private', type: 'classification' })).body;
      expect(hidden.shared).toBe(false);
      const bobs = (await bob.api.post('/api/models', { name: 'bob-private', type: 'regression' })).body;

      const names = async (user: TestUser, query = '') => (await user.api.get(`/api/models${query}`)).body.items.map((m: any) => m.name).sort();
      expect(await names(bob)).toEqual(['alice-shared', 'bob-private']);
      expect(await names(deployer)).toEqual(['alice-shared']);
      expect(await names(bob, `?owner=${alice.id}`)).toEqual(['alice-shared']);
      expect((await bob.api.get(`/api/models/${shared.id}`)).status).toBe(200);
      expect((await deployer.api.get(`/api/models/${shared.id}/versions`)).status).toBe(200);
      expect((await bob.api.get(`/api/models/${hidden.id}`)).status).toBe(403);
      // Shared is read only for the others: no changes, no versions, no sharing.
      expect((await bob.api.put(`/api/models/${shared.id}`, { description: 'mine now' })).status).toBe(403);
      expect((await bob.api.put(`/api/models/${hidden.id}`, { shared: true })).status).toBe(403);
      expect((await bob.api.post(`/api/models/${shared.id}/versions`, { source: 'external', uri: 'https://x.example' })).status).toBe(403);

      // The owner unshares; an administrator shares someone else's model.
      expect((await alice.api.put(`/api/models/${shared.id}`, { shared: false })).body.shared).toBe(false);
      expect(await names(bob)).toEqual(['bob-private']);
      expect((await server.api.put(`/api/models/${bobs.id}`, { shared: true })).status).toBe(200);
      expect(await names(alice)).toEqual(['alice-model', 'alice-private', 'alice-shared', 'bob-private']);
      expect((await server.api.put(`/api/models/${bobs.id}`, { shared: 'yes' })).status).toBe(400);
      const audit = (await server.api.get(`/api/audit?entityType=model&entityId=${shared.id}`)).body.items.map((e: any) => e.action);
      expect(audit).toEqual(['model.update', 'model.create']);
    });
  });
});
