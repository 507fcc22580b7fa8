import { bpmnProcess, flow } from '../support/bpmn';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { startSmtpServer, TestSmtpServer } from '../support/smtp';
import { createUser, TestUser } from '../support/users';

const approval = bpmnProcess(
  'mailed-approval',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'approve')}
   <bpmn:userTask id="approve" name="Approve churn v5" camunda:candidateGroups="model-approvers" />
   ${flow('f2', 'approve', 'end')}
   <bpmn:endEvent id="end" />`,
);

const failing = bpmnProcess(
  'fails-for-support',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'call')}
   <bpmn:serviceTask id="call" camunda:type="external" camunda:topic="always-fails" />
   ${flow('f2', 'call', 'end')}
   <bpmn:endEvent id="end" />`,
);

describe('work item mail through a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let submitter: TestUser;
  let rita: TestUser;
  let lead: TestUser;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({
      adminGroups: ['admins'],
      env: { SMTP_URL: smtp.url, MAIL_RETRY_BACKOFF_MS: '200,200,200,200,200,200,200,200,200,200', PUBLIC_URL: 'https://stagegate.example.com', SUPPORT_GROUP: 'ml-support', SERVICE_RETRY_BACKOFF_MS: '50' },
      handlers: (registry) => registry.register('always-fails', async () => Promise.reject(new Error('model server returned 503'))),
    });
    submitter = await createUser(server, ['experiment_contributor'], [], 'submitter');
    rita = await createUser(server, ['model_approver'], ['model-approvers'], 'rita');
    lead = await createUser(server, ['model_approver'], ['ml-support'], 'lead');
    for (const xml of [approval, failing]) expect((await server.api.deploy(xml)).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  const emailOf = async (user: TestUser) => (await server.api.get(`/api/users/${user.id}`)).body.email as string;

  it('mails the candidates when an item opens and the submitter when it is decided, with the item id and link', async () => {
    const started = await submitter.api.post('/api/process-definitions/mailed-approval/start', { businessKey: 'churn:5' });
    await server.waitForStatus(started.body.id, 'waiting');
    const [item] = (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items;
    const [created] = await waitFor(async () => smtp.withSubject('[Stagegate] Approval needed: Approve churn v5 (churn:5)').length ? smtp.withSubject('[Stagegate] Approval needed: Approve churn v5 (churn:5)') : null);
    expect(created.envelopeTo).toEqual([await emailOf(rita)]);
    expect(created.parsed.text).toContain(item.id);
    expect(created.parsed.text).toContain(`https://stagegate.example.com/api/tasks/${item.id}`);

    await rita.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved', comment: 'ship it' });
    const [decided] = await waitFor(async () => (smtp.withSubject('[Stagegate] approved: Approve churn v5 (churn:5)').length ? smtp.withSubject('[Stagegate] approved: Approve churn v5 (churn:5)') : null));
    expect(decided.envelopeTo).toEqual([await emailOf(submitter)]);
    expect(decided.parsed.text).toContain('rita decided "approved"');
    expect(decided.parsed.text).toContain('ship it');
  });

  it('opens a review item for the support group when an incident opens, and mails them', async () => {
    const started = await server.api.post('/api/process-definitions/fails-for-support/start', { businessKey: 'scoring-7' });
    await server.waitForStatus(started.body.id, 'incident');
    const reviews = (await lead.api.get('/api/tasks?mine=true&kind=review&status=open')).body.items;
    const review = reviews.find((t: any) => t.processInstanceId === started.body.id);
    expect(review).toMatchObject({ kind: 'review', candidateGroups: ['ml-support'], name: 'Incident at call' });
    expect(review.documentation).toContain('model server returned 503');
    const mails = await waitFor(async () => (smtp.withSubject('[Stagegate] Review needed: Incident at call (scoring-7)').length ? smtp.withSubject('[Stagegate] Review needed: Incident at call (scoring-7)') : null));
    expect(mails[0].envelopeTo).toEqual([await emailOf(lead)]);

    // Deciding "cancel" on the review cancels the instance.
    expect((await lead.api.post(`/api/tasks/${review.id}/complete`, { decision: 'abandon' })).status).toBe(400);
    expect((await lead.api.post(`/api/tasks/${review.id}/complete`, { decision: 'cancel', comment: 'model retired' })).status).toBe(200);
    await server.waitForStatus(started.body.id, 'cancelled');
  });

  it('keeps mail while SMTP is down and delivers each once when it is back', async () => {
    await smtp.close();
    const before = smtp.received.length;
    const started = await submitter.api.post('/api/process-definitions/mailed-approval/start', { businessKey: 'churn:6' });
    await server.waitForStatus(started.body.id, 'waiting');
    await waitFor(async () => {
      const [row] = await server.stagegate.db('mail_outbox').where('subject', 'like', '%churn:6%').select('attempts', 'status');
      return row && row.attempts >= 2 ? row : null;
    });
    expect(smtp.received.length).toBe(before);
    await smtp.start();
    const delivered = await waitFor(async () => (smtp.withSubject('[Stagegate] Approval needed: Approve churn v5 (churn:6)').length ? smtp.withSubject('[Stagegate] Approval needed: Approve churn v5 (churn:6)') : null));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(smtp.withSubject('[Stagegate] Approval needed: Approve churn v5 (churn:6)')).toHaveLength(delivered.length);
    expect(delivered).toHaveLength(1);
  });
});
