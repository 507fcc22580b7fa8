/**
 * SPEC §10 lifecycle events: a version submitted over REST is the message
 * `model-changed`, labeled rows appended are `data-arrived`; processes
 * declare in BPMN (message start events) that they react. An event nobody
 * receives is not an error. A signal nobody receives is a 404.
 */
import { bpmnProcess, flow } from '../support/bpmn';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

/** A process started by the message `name` that waits in a user task. */
const startedBy = (key: string, name: string) =>
  bpmnProcess(
    key,
    `<bpmn:startEvent id="received"><bpmn:messageEventDefinition messageRef="Msg" /></bpmn:startEvent>
     ${flow('f1', 'received', 'look')}
     <bpmn:userTask id="look" />
     ${flow('f2', 'look', 'end')}
     <bpmn:endEvent id="end" />`,
    `<bpmn:message id="Msg" name="${name}" />`,
  );

describe('lifecycle events start processes', () => {
  let server: TestServer;
  let scientist: TestUser;

  const instancesOf = async (key: string) => (await server.api.get(`/api/process-instances?key=${key}`)).body.items as any[];

  beforeAll(async () => {
    server = await startTestServer();
    scientist = await createUser(server, ['experiment_contributor'], [], 'sci');
  });
  afterAll(() => server.close());

  it('is fine when no process listens: submitting a version starts nothing and succeeds', async () => {
    const model = (await scientist.api.post('/api/models', { name: 'quiet', type: 'classification' })).body;
    const version = await scientist.api.post(`/api/models/${model.id}/versions`, { source: 'external', uri: 'https://models.example/quiet/1' });
    expect(version.status).toBe(201);
    expect((await server.api.get('/api/process-instances')).body.total).toBe(0);
  });

  it('starts the model-changed process when a version is submitted over REST, with the version in its variables', async () => {
    expect((await server.api.deploy(startedBy('on-change', 'model-changed'))).status).toBe(201);
    const model = (await scientist.api.post('/api/models', { name: 'churn', type: 'classification', importance: 'high' })).body;
    const version = await scientist.api.post(`/api/models/${model.id}/versions`, { source: 'external', uri: 'https://models.example/churn/1' });
    expect(version.status).toBe(201);

    const started = await waitFor(async () => (await instancesOf('on-change'))[0], 10000, 'the on-change instance');
    const instance = await server.waitForStatus(started.id, 'waiting');
    expect(instance).toMatchObject({
      businessKey: 'churn:v1',
      startedBy: scientist.id,
      variables: {
        modelId: model.id,
        modelName: 'churn',
        modelType: 'classification',
        importance: 'high',
        versionId: version.body.id,
        versionNumber: 1,
        versionSource: 'external',
        submittedBy: scientist.id,
      },
    });
    expect(instance.userTasks.map((t: any) => t.elementId)).toEqual(['look']);
    // The start is audited as the message that caused it, by the submitter.
    const audit = (await server.api.get('/api/audit?entityType=message&entityId=model-changed')).body.items;
    expect(audit).toEqual([expect.objectContaining({ action: 'message.correlate', actorId: scientist.id })]);
  });

  it('starts the data-arrived process when labeled rows are appended', async () => {
    expect((await server.api.deploy(startedBy('on-data', 'data-arrived'))).status).toBe(201);
    const dataset = (await scientist.api.post('/api/datasets', { name: 'credit-labels', labelColumn: 'default', timestampColumn: 'applied_at' })).body;
    const upload = await uploadCsv(server.stagegate.url, dataset.id, creditRisk(120, 5).csv, { token: scientist.token });
    expect(upload.status).toBe(201);
    const started = await waitFor(async () => (await instancesOf('on-data'))[0], 10000, 'the on-data instance');
    expect((await server.waitForStatus(started.id, 'waiting')).variables).toEqual({
      datasetId: dataset.id,
      datasetName: 'credit-labels',
      rowsAppended: 120,
      bytesAppended: expect.any(Number),
      rowCount: 120,
      appendedBy: scientist.id,
    });
    expect(started.businessKey).toBe('credit-labels');
  });

  it('publishes other events (deployment-changed) through publish(); nobody listening gives an empty result', async () => {
    const { lifecycle } = server.stagegate;
    expect(await lifecycle.publish('deployment-changed', 'prod-churn', { deploymentId: 'd-1' })).toEqual({ delivered: [], started: [] });
    expect((await server.api.deploy(startedBy('on-deployment', 'deployment-changed'))).status).toBe(201);
    const result = await lifecycle.publish('deployment-changed', 'prod-churn', { deploymentId: 'd-1', change: 'activated' });
    expect(result.started).toHaveLength(1);
    const instance = await server.waitForStatus(result.started[0], 'waiting');
    expect(instance).toMatchObject({ processKey: 'on-deployment', businessKey: 'prod-churn', variables: { deploymentId: 'd-1', change: 'activated' }, startedBy: null });
  });

  it('answers a signal that reaches nothing with a 404, and a message likewise', async () => {
    for (const [path, name] of [
      ['/api/signals', 'nobody-listens'],
      ['/api/messages', 'nobody-listens-either'],
    ]) {
      const reply = await server.api.post(path, { name, variables: { x: 1 } });
      expect(reply.status).toBe(404);
      expect(reply.body.error).toMatchObject({ code: 'NOT_FOUND' });
      expect(reply.body.error.message).toContain(name);
    }
    expect((await server.api.get('/api/audit?entityType=signal&entityId=nobody-listens')).body.total).toBe(0);
  });
});
