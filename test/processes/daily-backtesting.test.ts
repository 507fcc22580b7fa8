import { startSmtpServer, TestSmtpServer } from '../support/smtp';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';
import { appendCredit, creditDataset, DAY_MS, deployVersion, endEvents, processesDir, today, trainVersion } from './lifecycle-fixtures';

/**
 * processes/daily-backtesting.bpmn end to end through REST: yesterday's
 * labeled data from a drifted population raises an alert and a mail to the
 * support group; good data raises none; every run lands in the backtest history.
 */
describe('processes/daily-backtesting.bpmn', () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let supporter: TestUser;
  let steady: string;
  let drifting: string;
  const thresholds = [{ metric: 'drift.maxPsi', max: 0.25 }, { metric: 'rocAuc', min: 0.6 }];

  /** A model trained on the 30 days before yesterday, deployed, with `yesterday` rows labeled yesterday. */
  const deployedModel = async (name: string, seed: number, drift: number, runtimeId: string) => {
    const midnight = today();
    const yesterday = new Date(midnight.getTime() - DAY_MS);
    const datasetId = await creditDataset(server, `${name}-data`, 1500, seed, { start: new Date(yesterday.getTime() - 30 * DAY_MS), end: yesterday });
    await appendCredit(server, datasetId, 400, seed + 1, { start: yesterday, end: new Date(midnight.getTime() - 1000), drift });
    const modelId = (await server.api.post('/api/models', { name, type: 'classification', importance: 'high', metadata: { datasetId, thresholds } })).body.id;
    const version = await trainVersion(server.api, modelId, { to: yesterday.toISOString() });
    return deployVersion(server.api, `${name}-prod`, modelId, version, runtimeId);
  };

  const runBacktests = async () => {
    const started = await server.api.post('/api/process-definitions/daily-backtesting/start', {});
    expect(started.status).toBe(201);
    return server.waitForStatus(started.body.id, 'completed', 60000);
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ env: { PROCESSES_DIR: processesDir('daily-backtesting'), SUPPORT_GROUP: 'ml-support', SMTP_URL: smtp.url } });
    supporter = await createUser(server, ['viewer'], ['ml-support'], 'sam-support');
    const runtime = (await server.api.post('/api/runtimes', { name: 'prod-1', kind: 'embedded', tags: ['prod'] })).body.id;
    steady = await deployedModel('steady', 61, 0, runtime);
    drifting = await deployedModel('drifting', 71, 1, runtime);
  }, 120000);
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('backtests every active deployment on yesterday\'s data; drift raises one alert and one mail to the support group', async () => {
    const ended = await runBacktests();
    expect(endEvents(ended)).toEqual(expect.arrayContaining(['listDeployments', 'backtest', 'alert', 'alerted']));
    expect(ended.variables.deploymentCount).toBe(2);
    expect(ended.variables.breachCount).toBe(1);

    const history = async (id: string) => (await server.api.get(`/api/deployments/${id}/backtests`)).body;
    const good = await history(steady);
    const bad = await history(drifting);
    expect(good).toMatchObject({ total: 1, items: [{ status: 'ok', rows: 400, versionNumber: 1, breaches: [], processInstanceId: ended.id }] });
    expect(bad).toMatchObject({ total: 1, items: [{ status: 'breached', rows: 400, versionNumber: 1, processInstanceId: ended.id }] });
    expect(bad.items[0].breaches.map((b: any) => b.metric)).toContain('drift.maxPsi');
    expect(bad.items[0].result).toMatchObject({ schema: 'stagegate-test-result/1', rows: 400 });
    expect(new Date(bad.items[0].window.from).getTime()).toBe(today().getTime() - DAY_MS);
    expect(new Date(bad.items[0].window.to).getTime()).toBe(today().getTime());

    const alerts = (await server.api.get('/api/alerts')).body.items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ deploymentId: drifting, severity: 'critical' });
    expect(alerts[0].message).toMatch(/drifting-prod.*drift\.maxPsi/);

    const [mail] = await smtp.waitForMail(1);
    expect(mail.envelopeTo.some((to) => to.startsWith(`${supporter.name}-`))).toBe(true);
    expect(`${mail.parsed.subject} ${mail.parsed.text}`).toMatch(/drifting-prod/);
  }, 90000);

  it('records every run in the history, and good data alone raises nothing', async () => {
    expect((await server.api.post(`/api/deployments/${drifting}/deactivate`)).status).toBe(200);
    const ended = await runBacktests();
    expect(endEvents(ended)).toContain('healthy');
    expect(ended.variables).toMatchObject({ deploymentCount: 1, breachCount: 0 });
    expect((await server.api.get(`/api/deployments/${steady}/backtests`)).body.total).toBe(2);
    expect((await server.api.get(`/api/deployments/${drifting}/backtests`)).body.total).toBe(1);
    expect((await server.api.get('/api/alerts')).body.items).toHaveLength(1);
    expect((await server.api.get(`/api/deployments/${steady}/backtests?status=breached`)).body.total).toBe(0);
  }, 90000);

  it('answers bad backtest queries with 4xx', async () => {
    expect((await server.api.get('/api/deployments/not-a-uuid/backtests')).status).toBe(400);
    expect((await server.api.get(`/api/deployments/${steady}/backtests?status=sideways`)).body.error.code).toBeDefined();
    expect((await server.api.get(`/api/deployments/${steady}/backtests?limit=0`)).status).toBe(400);
    expect((await server.api.get(`/api/deployments/${crypto.randomUUID()}/backtests`)).status).toBe(404);
    const outsider = await createUser(server, ['deployment_contributor']);
    expect((await outsider.api.get(`/api/deployments/${steady}/backtests`)).status).toBe(404);
  });
});
