import fs from 'fs';
import os from 'os';
import path from 'path';
import { CREDIT_RISK_FEATURES } from '../../src/ml';
import { bpmnProcess, flow } from '../support/bpmn';
import { TEST_ADMIN_TOKEN } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { applicant, modelWithVersions, predict, runtime } from '../deployments/fixtures';
import { runCli } from './run-cli';

const nightly = bpmnProcess('cli-nightly', `<bpmn:startEvent id="start" />${flow('f1', 'start', 'end')}<bpmn:endEvent id="end" />`);

describe('stagegate deployments, predict and schedules against a real server', () => {
  let server: TestServer;
  let dir: string;
  let deploymentId: string;
  let versionId: string;
  const admin = (args: string[]) => runCli(args, { url: server.stagegate.url, token: TEST_ADMIN_TOKEN });

  beforeAll(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegate-cli-'));
    const runtimeId = await runtime(server.api, 'cli-prod', ['prod']);
    ({ versionIds: [versionId] } = await modelWithVersions(server.api, 'cli-credit'));
    const deployed = await server.api.post('/api/deployments', { name: 'cli-credit', versionId, runtimeId, access: 'public' });
    expect(deployed.status).toBe(201);
    deploymentId = deployed.body.id;
    expect((await server.api.deploy(nightly)).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists and shows a deployment with its champion version', async () => {
    const list = await admin(['deployments', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+APPROVAL\s+IMPORTANCE\s+ACCESS$/);
    expect(list.stdout).toMatch(new RegExp(`${deploymentId}\\s+cli-credit\\s+inactive\\s+\\w+\\s+\\w+\\s+public`));

    const show = await admin(['deployments', 'show', deploymentId]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`champion:\\s+${versionId}`));
  });

  it('activates, predicts one row and a CSV file exactly as the API does, then deactivates', async () => {
    const activated = await admin(['deployments', 'activate', deploymentId]);
    expect(activated.stdout).toBe(`${deploymentId}: active\n`);
    expect(activated.status).toBe(0);

    const rows = [applicant(3, 0), applicant(3, 1)];
    const expected = await predict(server.stagegate.url, deploymentId, { rows });
    expect(expected.status).toBe(200);

    const one = await admin(['predict', deploymentId, '--row', JSON.stringify(rows[0]), '--json']);
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ predictions: [expected.body.predictions[0]], championVersionId: versionId });

    const csv = [CREDIT_RISK_FEATURES.join(','), ...rows.map((row) => CREDIT_RISK_FEATURES.map((name) => row[name]).join(','))].join('\n');
    fs.writeFileSync(path.join(dir, 'rows.csv'), `${csv}\n`);
    const file = await admin(['predict', deploymentId, '--file', path.join(dir, 'rows.csv')]);
    expect(file.status).toBe(0);
    const lines = file.stdout.trim().split('\n');
    expect(lines.slice(0, 2).map((line) => line.split('\t')[1])).toEqual(expected.body.predictions.map(String));
    expect(lines[0]).toMatch(/\t\w+=0\.\d{3}\t\w+=0\.\d{3}$/);
    expect(lines).toContain(`champion: v${expected.body.championVersion} (${versionId})`);

    const deactivated = await admin(['deployments', 'deactivate', deploymentId]);
    expect(deactivated.stdout).toBe(`${deploymentId}: inactive\n`);
    const refused = await admin(['predict', deploymentId, '--row', JSON.stringify(rows[0])]);
    expect(refused.stderr).toContain('HTTP 409');
    expect(refused.status).toBe(5);
  });

  it('creates, lists, pauses, resumes and deletes a schedule', async () => {
    const created = await admin(['schedules', 'create', '--process', 'cli-nightly', '--cron', '0 6 * * *', '--timezone', 'Europe/Berlin', '--var', 'window=P1D', '--json']);
    expect(created.status).toBe(0);
    const schedule = JSON.parse(created.stdout);
    expect(schedule).toMatchObject({ processKey: 'cli-nightly', cron: '0 6 * * *', timezone: 'Europe/Berlin', variables: { window: 'P1D' }, status: 'active' });

    const list = await admin(['schedules', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${schedule.id}\\s+cli-nightly\\s+0 6 \\* \\* \\*\\s+Europe/Berlin\\s+active\\s+\\d{4}-`));

    expect((await admin(['schedules', 'pause', schedule.id])).stdout).toBe(`${schedule.id}: paused\n`);
    expect((await server.api.get(`/api/schedules/${schedule.id}`)).body.status).toBe('paused');
    expect((await admin(['schedules', 'resume', schedule.id])).stdout).toBe(`${schedule.id}: active\n`);

    const deleted = await admin(['schedules', 'delete', schedule.id]);
    expect(deleted.stdout).toBe(`${schedule.id}: deleted\n`);
    expect((await server.api.get(`/api/schedules/${schedule.id}`)).status).toBe(404);
  });

  it('exits 1 for a cron expression the server refuses', async () => {
    const run = await admin(['schedules', 'create', '--process', 'cli-nightly', '--cron', '61 * * * *']);
    expect(run.stderr).toContain('HTTP 400');
    expect(run.status).toBe(1);
  });
});
