import { bpmnProcess, flow } from '../support/bpmn';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

/** The user task names no group: the policy for (eventType, importance) decides. */
const change = bpmnProcess(
  'deployment-change',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'approve')}
   <bpmn:userTask id="approve" name="Approve deployment change" />
   ${flow('f2', 'approve', 'gw')}
   <bpmn:exclusiveGateway id="gw" default="f4" />
   ${flow('f3', 'gw', 'applied', "\${decision == 'approved'}")}
   ${flow('f4', 'gw', 'refused')}
   <bpmn:endEvent id="applied" />
   <bpmn:endEvent id="refused" />`,
);

const ends = (instance: any) => instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);

describe('approval policies', () => {
  let server: TestServer;
  let ana: TestUser;
  let bo: TestUser;
  let lead: TestUser;

  const start = async (importance: string) => {
    const started = await server.api.post('/api/process-definitions/deployment-change/start', { variables: { eventType: 'deployment-change', importance } });
    await server.waitForStatus(started.body.id, 'waiting');
    const [item] = (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items;
    return { id: started.body.id as string, item };
  };

  beforeAll(async () => {
    server = await startTestServer({ adminGroups: ['admins'] });
    ana = await createUser(server, ['model_approver'], ['risk-committee'], 'ana');
    bo = await createUser(server, ['model_approver'], ['risk-committee'], 'bo');
    lead = await createUser(server, ['model_approver'], ['approval-leads'], 'lead');
    expect((await server.api.deploy(change)).status).toBe(201);
    const policies = [
      { eventType: 'deployment-change', importance: 'critical', approverGroup: 'risk-committee', approvalsRequired: 2 },
      { eventType: 'deployment-change', importance: 'low', approverGroup: 'risk-committee', timeout: 'PT1S', timeoutAction: 'approve' },
      { eventType: 'deployment-change', importance: 'moderate', approverGroup: 'risk-committee', timeout: 'PT1S', timeoutAction: 'reject' },
      { eventType: 'deployment-change', importance: 'high', approverGroup: 'risk-committee', timeout: 'PT1S', timeoutAction: 'escalate', escalationGroup: 'approval-leads' },
    ];
    for (const policy of policies) expect((await server.api.post('/api/approval-policies', policy)).status).toBe(201);
  });
  afterAll(() => server.close());

  it('needs two distinct approvers when the policy says so', async () => {
    const { id, item } = await start('critical');
    expect(item).toMatchObject({ candidateGroups: ['risk-committee'], approvalsRequired: 2 });
    const first = await ana.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved', comment: 'fine by me' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'open', approvals: [{ userName: 'ana', decision: 'approved' }] });
    const twice = await ana.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('2 distinct approvers');
    expect((await server.api.get(`/api/process-instances/${id}`)).body.status).toBe('waiting');
    const second = await bo.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' });
    expect(second.body).toMatchObject({ status: 'completed', decision: 'approved' });
    expect(second.body.approvals.map((a: any) => a.userName)).toEqual(['ana', 'bo']);
    expect(ends(await server.waitForStatus(id, 'completed'))).toContain('applied');
  });

  it('approves or rejects automatically after the due date', async () => {
    const approvedLater = await start('low');
    const rejectedLater = await start('moderate');
    expect(approvedLater.item.timeoutAction).toBe('approve');
    const approved = await server.waitForStatus(approvedLater.id, 'completed');
    const rejected = await server.waitForStatus(rejectedLater.id, 'completed');
    expect(ends(approved)).toContain('applied');
    expect(ends(rejected)).toContain('refused');
    const item = (await server.api.get(`/api/tasks/${approvedLater.item.id}`)).body;
    expect(item).toMatchObject({ status: 'completed', decision: 'approved', completedBy: 'system' });
    expect(item.comment).toContain('automatically approved');
  });

  it('escalates to another group after the due date', async () => {
    const { item } = await start('high');
    const escalated = await waitFor(async () => {
      const current = (await server.api.get(`/api/tasks/${item.id}`)).body;
      return current.candidateGroups[0] === 'approval-leads' ? current : null;
    });
    expect(escalated).toMatchObject({ status: 'open', timeoutAction: null, dueDate: null });
    expect((await lead.api.get('/api/tasks?mine=true&status=open')).body.items.map((t: any) => t.id)).toContain(item.id);
    const [mail] = await server.stagegate.db('mail_outbox').where('subject', 'like', '[Stagegate] Escalated to approval-leads%').select('to', 'text');
    expect(mail.to).toEqual([(await server.api.get(`/api/users/${lead.id}`)).body.email]);
    expect(mail.text).toContain(item.id);
    expect((await ana.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' })).status).toBe(403);
    expect((await lead.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' })).status).toBe(200);
  });

  it('rejects bad policies', async () => {
    const bad = [
      { eventType: 'x', importance: 'urgent', approverGroup: 'g' },
      { eventType: 'x', importance: 'low', approverGroup: 'g', timeoutAction: 'approve' },
      { eventType: 'x', importance: 'low', approverGroup: 'g', timeout: 'tomorrow', timeoutAction: 'approve' },
      { eventType: 'x', importance: 'low', approverGroup: 'g', timeout: 'PT1H', timeoutAction: 'escalate' },
      { eventType: 'x', importance: 'low', approverGroup: 'g', approvalsRequired: 0 },
    ];
    for (const policy of bad) expect({ policy, status: (await server.api.post('/api/approval-policies', policy)).status }).toEqual({ policy, status: 400 });
    expect((await server.api.post('/api/approval-policies', { eventType: 'deployment-change', importance: 'low', approverGroup: 'g' })).status).toBe(409);
    expect((await ana.api.post('/api/approval-policies', { eventType: 'y', importance: 'low', approverGroup: 'g' })).status).toBe(201);
    expect((await (await createUser(server, ['viewer'])).api.post('/api/approval-policies', { eventType: 'z', importance: 'low', approverGroup: 'g' })).status).toBe(403);
  });
});

describe('a work item due while the server was down', () => {
  it('takes its automatic action at the next start', async () => {
    let server = await startTestServer({ adminGroups: ['admins'] });
    const { database } = server;
    try {
      await server.api.deploy(change);
      await server.api.post('/api/approval-policies', { eventType: 'deployment-change', importance: 'low', approverGroup: 'risk-committee', timeout: 'PT2S', timeoutAction: 'reject' });
      const started = await server.api.post('/api/process-definitions/deployment-change/start', { variables: { eventType: 'deployment-change', importance: 'low' } });
      await server.waitForStatus(started.body.id, 'waiting');
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      server = await startTestServer({ database, adminGroups: ['admins'] });
      const done = await server.waitForStatus(started.body.id, 'completed');
      expect(ends(done)).toContain('refused');
      const audit = await server.api.get('/api/audit?entityType=user_task&action=task.complete');
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0].actorName).toBe('system');
    } finally {
      await server.close();
    }
  });
});
