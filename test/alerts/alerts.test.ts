/**
 * SPEC §5 `raise-alert` and `notify` in a real process, mail through a real
 * SMTP server, and `/api/alerts`: filters, pagination, acknowledge (audited,
 * once), permissions and bad input.
 */
import { bpmnProcess, flow } from '../support/bpmn';
import { startTestServer, TestServer } from '../support/server';
import { startSmtpServer, TestSmtpServer } from '../support/smtp';
import { createUser, TestUser } from '../support/users';

const inputs = (params: Record<string, string>) =>
  `<bpmn:extensionElements><camunda:inputOutput>${Object.entries(params)
    .map(([name, value]) => `<camunda:inputParameter name="${name}">${value}</camunda:inputParameter>`)
    .join('')}</camunda:inputOutput></bpmn:extensionElements>`;

const alerting = bpmnProcess(
  'alerting',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'alert')}
   <bpmn:serviceTask id="alert" camunda:type="external" camunda:topic="raise-alert">
     ${inputs({ severity: '${severity}', message: 'Drift on ${deploymentId}: PSI 0.41', modelId: '${modelId}', deploymentId: '${deploymentId}', details: '{"metric":"drift.maxPsi","value":0.41}' })}
   </bpmn:serviceTask>
   ${flow('f2', 'alert', 'tell')}
   <bpmn:serviceTask id="tell" camunda:topic="notify">
     ${inputs({ group: 'reviewers', user: '${ownerEmail}', subject: 'Backtest of ${deploymentId} breached', message: 'See alert ${alertId}.' })}
   </bpmn:serviceTask>
   ${flow('f3', 'tell', 'end')}
   <bpmn:endEvent id="end" />`,
);

const badAlert = bpmnProcess(
  'bad-alert',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'alert')}
   <bpmn:serviceTask id="alert" camunda:topic="raise-alert">${inputs({ severity: 'apocalyptic' })}</bpmn:serviceTask>
   ${flow('f2', 'alert', 'end')}
   <bpmn:endEvent id="end" />`,
);

describe('alerts and notifications', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let supportA: TestUser;
  let supportB: TestUser;
  let reviewer: TestUser;
  let owner: TestUser;
  let first: any;

  const raise = async (variables: Record<string, unknown>) => {
    const started = await server.api.post('/api/process-definitions/alerting/start', { variables: { ownerEmail: 'owner@example.com', ...variables } });
    expect(started.status).toBe(201);
    return server.waitForStatus(started.body.id, 'completed');
  };
  const alerts = async (query = '') => (await server.api.get(`/api/alerts${query}`)).body;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ env: { SMTP_URL: smtp.url, SUPPORT_GROUP: 'ml-support', SERVICE_RETRY_BACKOFF_MS: '50', PUBLIC_URL: 'https://stagegate.example' }, adminGroups: ['admins'] });
    supportA = await createUser(server, ['model_approver'], ['ml-support'], 'sup-a');
    supportB = await createUser(server, ['viewer'], ['ml-support'], 'sup-b');
    reviewer = await createUser(server, ['model_approver'], ['reviewers'], 'rev');
    owner = await createUser(server, ['experiment_contributor'], [], 'owner');
    await server.api.put(`/api/users/${owner.id}`, { email: 'owner@example.com' });
    for (const xml of [alerting, badAlert]) expect((await server.api.deploy(xml)).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('records the alert, mails the support group, and notify mails a group and a user', async () => {
    const done = await raise({ severity: 'critical', modelId: 'model-1', deploymentId: 'dep-1' });
    expect(done.variables).toMatchObject({ alertId: expect.any(String), alertRecipients: 2, notifiedCount: 2 });
    first = (await server.api.get(`/api/alerts/${done.variables.alertId}`)).body;
    expect(first).toMatchObject({
      severity: 'critical',
      message: 'Drift on dep-1: PSI 0.41',
      modelId: 'model-1',
      deploymentId: 'dep-1',
      details: { metric: 'drift.maxPsi', value: 0.41 },
      status: 'open',
      notifiedGroup: 'ml-support',
      processInstanceId: done.id,
      elementId: 'alert',
      acknowledgedBy: null,
    });

    const mails = await smtp.waitForMail(2);
    const alertMail = mails.find((mail) => mail.parsed.subject?.includes('CRITICAL alert'))!;
    expect(alertMail.parsed.subject).toBe('[Stagegate] CRITICAL alert: Drift on dep-1: PSI 0.41');
    const supportEmails = (await server.api.get('/api/users?limit=100')).body.items.filter((u: any) => u.groups.includes('ml-support')).map((u: any) => u.email).sort();
    expect(alertMail.envelopeTo.sort()).toEqual(supportEmails);
    expect(alertMail.parsed.text).toContain('"drift.maxPsi"');
    expect(alertMail.parsed.text).toContain(`https://stagegate.example/api/alerts/${first.id}/acknowledge`);

    const notifyMail = mails.find((mail) => mail.parsed.subject === 'Backtest of dep-1 breached')!;
    const reviewerEmail = (await server.api.get(`/api/users/${reviewer.id}`)).body.email;
    expect(notifyMail.envelopeTo.sort()).toEqual([reviewerEmail, 'owner@example.com'].sort());
    expect(notifyMail.parsed.text).toContain(`See alert ${first.id}.`);
  });

  it('lists alerts newest first with filters and pagination', async () => {
    await raise({ severity: 'warning', modelId: 'model-2', deploymentId: 'dep-2' });
    await raise({ severity: 'info', modelId: 'model-1', deploymentId: 'dep-3' });
    expect((await alerts()).items.map((a: any) => a.deploymentId)).toEqual(['dep-3', 'dep-2', 'dep-1']);
    expect((await alerts('?severity=critical')).items.map((a: any) => a.id)).toEqual([first.id]);
    expect((await alerts('?modelId=model-1')).total).toBe(2);
    expect((await alerts('?deploymentId=dep-2')).items.map((a: any) => a.severity)).toEqual(['warning']);
    expect((await alerts('?status=acknowledged')).total).toBe(0);
    const page = await alerts('?limit=1&offset=1');
    expect(page).toMatchObject({ total: 3, items: [expect.objectContaining({ deploymentId: 'dep-2' })] });
  });

  it('acknowledges an alert once, with the comment in the audit log', async () => {
    const acked = await supportA.api.post(`/api/alerts/${first.id}/acknowledge`, { comment: 'Retraining scheduled' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: supportA.id, acknowledgedByName: 'sup-a', acknowledgeComment: 'Retraining scheduled' });
    const again = await server.api.post(`/api/alerts/${first.id}/acknowledge`, { comment: 'me too' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT' });
    expect(again.body.error.message).toContain('already acknowledged by sup-a');
    const audit = (await server.api.get(`/api/audit?entityType=alert&entityId=${first.id}`)).body.items;
    expect(audit.map((e: any) => e.action).reverse()).toEqual(['alert.raise', 'alert.acknowledge']);
    expect(audit[0]).toMatchObject({ actorId: supportA.id, comment: 'Retraining scheduled' });
    expect((await alerts('?status=open')).total).toBe(2);
  });

  it('answers bad alert requests with a clear 4xx', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await server.api.get(`/api/alerts/${unknown}`)).status).toBe(404);
    expect((await server.api.post(`/api/alerts/${unknown}/acknowledge`, {})).body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await server.api.get('/api/alerts/not-an-id')).status).toBe(400);
    expect((await server.api.get('/api/alerts?severity=apocalyptic')).status).toBe(400);
    expect((await server.api.get('/api/alerts?limit=0')).status).toBe(400);
    const open = (await alerts('?status=open')).items[0];
    expect((await server.api.post(`/api/alerts/${open.id}/acknowledge`, { comment: 'x', extra: 1 })).status).toBe(400);
    expect((await server.api.post(`/api/alerts/${open.id}/acknowledge`, { comment: 42 })).status).toBe(400);
    // Contributors see alerts about models they own only, and acknowledge only as members of the alert's group.
    expect((await owner.api.get('/api/alerts')).body).toEqual({ items: [], total: 0 });
    expect((await owner.api.get(`/api/alerts/${open.id}`)).status).toBe(403);
    const denied = await owner.api.post(`/api/alerts/${open.id}/acknowledge`, {});
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/instances:operate.*membership of group ml-support/);
    // A member of the support group it was sent to may, whatever the role.
    expect((await supportB.api.get(`/api/alerts/${open.id}`)).status).toBe(200);
    expect((await supportB.api.post(`/api/alerts/${open.id}/acknowledge`, {})).body).toMatchObject({ status: 'acknowledged', acknowledgedBy: supportB.id, acknowledgeComment: null });
  });

  it('turns raise-alert inputs it cannot use into an incident naming them, and records nothing', async () => {
    const before = (await alerts()).total;
    const started = await server.api.post('/api/process-definitions/bad-alert/start', {});
    const instance = await server.waitForStatus(started.body.id, 'incident');
    const incident = (await server.api.get(`/api/incidents?processInstanceId=${instance.id}`)).body.items[0];
    expect(incident.message).toMatch(/raise-alert task alert has bad inputs: .*severity.*message/s);
    expect((await alerts()).total).toBe(before);
  });
});
