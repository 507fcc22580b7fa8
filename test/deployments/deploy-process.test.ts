import { CREDIT_RISK_FEATURES, generateCreditRisk, type Row } from '../../src/ml';
import { bpmnProcess, flow } from '../support/bpmn';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { startTestServer, type TestServer } from '../support/server';
import { predict, runtime } from './fixtures';

/** train → deploy (to a runtime with ${tags}) → end; NO_RUNTIME and DEPLOY_FAILED take their boundary events. */
const trainAndDeploy = bpmnProcess(
  'train-and-deploy',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'train')}
   <bpmn:serviceTask id="train" camunda:topic="train" />
   ${flow('f2', 'train', 'deploy')}
   <bpmn:serviceTask id="deploy" camunda:topic="deploy">
     <bpmn:extensionElements><camunda:inputOutput>
       <camunda:inputParameter name="runtimeTags">\${tags}</camunda:inputParameter>
       <camunda:inputParameter name="access">project</camunda:inputParameter>
     </camunda:inputOutput></bpmn:extensionElements>
   </bpmn:serviceTask>
   <bpmn:boundaryEvent id="noRuntime" attachedToRef="deploy"><bpmn:errorEventDefinition errorRef="Err_NoRuntime" /></bpmn:boundaryEvent>
   <bpmn:boundaryEvent id="deployFailed" attachedToRef="deploy"><bpmn:errorEventDefinition errorRef="Err_Failed" /></bpmn:boundaryEvent>
   ${flow('f3', 'deploy', 'deployed')}
   <bpmn:endEvent id="deployed" />
   ${flow('f4', 'noRuntime', 'nowhereToRun')}
   <bpmn:endEvent id="nowhereToRun" />
   ${flow('f5', 'deployFailed', 'refused')}
   <bpmn:endEvent id="refused" />`,
  '<bpmn:error id="Err_NoRuntime" errorCode="NO_RUNTIME" /><bpmn:error id="Err_Failed" errorCode="DEPLOY_FAILED" />',
);

const CUTOFF = '2025-02-15T00:00:00Z';
const endEvents = (instance: any) => instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);
/** Training on the dataset uses every column but the label and the timestamp. */
const features = (rows: Row[]) => rows.map(({ default: _label, applied_at: _at, ...rest }) => rest);

describe('the deploy topic through the engine, and monitoring of what it deployed', () => {
  let server: TestServer;
  let datasetId: string;
  let deploymentId: string;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer();
    const data = creditRisk(2000, 11, { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') });
    datasetId = (await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(server.stagegate.url, datasetId, data.csv)).status).toBe(201);
    expect((await server.api.deploy(trainAndDeploy)).status).toBe(201);
    await runtime(server.api, 'staging', ['dev']);
    await runtime(server.api, 'production', ['prod', 'credit']);
  });
  afterAll(() => server.close());

  const start = async (variables: Record<string, unknown>) => {
    const started = await server.api.post('/api/process-definitions/train-and-deploy/start', { variables });
    expect(started.status).toBe(201);
    return server.waitForStatus(started.body.id, 'completed', 60000);
  };

  it('deploys the trained version to the runtime tagged prod; an API key caller gets predictions', async () => {
    const modelId = (await server.api.post('/api/models', { name: 'credit-default', type: 'classification' })).body.id;
    const ended = await start({ modelId, datasetId, tags: 'prod', to: CUTOFF });
    expect(endEvents(ended)).toContain('deployed');
    const production = (await server.api.get('/api/runtimes?tags=prod')).body.items[0];
    expect(ended.variables).toMatchObject({ deploymentId: expect.any(String), runtimeId: production.id, deploymentName: 'credit-default' });
    deploymentId = ended.variables.deploymentId;
    const deployment = (await server.api.get(`/api/deployments/${deploymentId}`)).body;
    expect(deployment).toMatchObject({ status: 'active', access: 'project', modelId });
    key = (await server.api.post(`/api/deployments/${deploymentId}/keys`, { name: 'caller' })).body.key;
    const row = features(generateCreditRisk({ rows: 1, seed: 5 }))[0];
    expect((await predict(server.stagegate.url, deploymentId, { row })).status).toBe(401);
    const answer = await predict(server.stagegate.url, deploymentId, { row }, { authorization: `Bearer ${key}` });
    expect(answer.body.error).toBeUndefined();
    expect(answer.body).toMatchObject({ predictions: [expect.stringMatching(/^[01]$/)], championVersion: 1 });
  }, 90000);

  it('takes the NO_RUNTIME path when no runtime has the tags', async () => {
    const modelId = (await server.api.post('/api/models', { name: 'gpu-model', type: 'classification' })).body.id;
    const ended = await start({ modelId, datasetId, tags: 'prod,gpu', to: CUTOFF });
    expect(endEvents(ended)).toContain('nowhereToRun');
    expect(endEvents(ended)).not.toContain('deployed');
    expect((await server.api.get(`/api/deployments?modelId=${modelId}`)).body.items).toEqual([]);
  }, 90000);

  it('monitoring counts requests and errors; shifted live income raises PSI above 0.2 on income only', async () => {
    const live = features(generateCreditRisk({ rows: 1500, seed: 99, start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-03-01T00:00:00Z') }));
    const shifted = live.map((row) => ({ ...row, income: Number(row.income) * 2.5 }));
    const headers = { 'x-api-key': key };
    expect((await predict(server.stagegate.url, deploymentId, { rows: shifted }, headers)).status).toBe(200);
    expect((await predict(server.stagegate.url, deploymentId, { row: { ...shifted[0], age: 'x' } }, headers)).status).toBe(400);
    const report = (await server.api.get(`/api/deployments/${deploymentId}/monitoring?window=1h`)).body;
    expect(report).toMatchObject({ requests: 3, errors: 1, errorCodes: { INVALID_FEATURES: 1 }, rows: 1501 });
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    const psi = Object.fromEntries(report.drift.features.map((f: any) => [f.feature, f.psi]));
    expect(psi.income).toBeGreaterThan(0.2);
    for (const feature of [...CREDIT_RISK_FEATURES, 'gender'].filter((f) => f !== 'income')) expect(psi[feature]).toBeLessThan(0.1);
    expect(report.drift.liveRows).toBe(1501);
    expect((await server.api.get(`/api/deployments/${deploymentId}/monitoring?window=forever`)).status).toBe(400);
  }, 60000);
});
