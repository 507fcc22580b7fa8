import { bpmnProcess, flow } from '../support/bpmn';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

const approval = bpmnProcess(
  'version-approval',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'approve')}
   <bpmn:userTask id="approve" name="Approve model version" camunda:candidateGroups="model-approvers" camunda:dueDate="P2D">
     <bpmn:documentation>Compare the test results with the thresholds.</bpmn:documentation>
   </bpmn:userTask>
   ${flow('f2', 'approve', 'gw')}
   <bpmn:exclusiveGateway id="gw" default="f4" />
   ${flow('f3', 'gw', 'deployed', "\${decision == 'approved'}")}
   ${flow('f4', 'gw', 'rejected')}
   <bpmn:endEvent id="deployed" />
   <bpmn:endEvent id="rejected" />`,
);

describe('approval work items', () => {
  let server: TestServer;
  let submitter: TestUser;
  let rita: TestUser;
  let sam: TestUser;
  let outsider: TestUser;

  const startApproval = async (extra: Record<string, unknown> = {}) => {
    const started = await submitter.api.post('/api/process-definitions/version-approval/start', {
      businessKey: `churn:${Math.random().toString(36).slice(2, 8)}`,
      variables: { model: 'churn', version: 4, importance: 'high', change: 'retrained on October data', testResult: { accuracy: 0.91 }, ...extra },
    });
    await server.waitForStatus(started.body.id, 'waiting');
    const [item] = (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items;
    return { instanceId: started.body.id as string, item };
  };

  beforeAll(async () => {
    server = await startTestServer({ adminGroups: ['admins'] });
    submitter = await createUser(server, ['experiment_contributor'], ['data-science'], 'submitter');
    rita = await createUser(server, ['model_approver'], ['model-approvers'], 'rita');
    sam = await createUser(server, ['model_approver'], ['model-approvers'], 'sam');
    outsider = await createUser(server, ['model_approver'], ['risk'], 'outsider');
    expect((await server.api.deploy(approval)).status).toBe(201);
    await server.api.put('/api/settings', { approvalNotice: 'Critical models need the risk committee too.' });
  });
  afterAll(() => server.close());

  it('lets a reviewer find it with mine=true, read the context, claim and approve it with a comment', async () => {
    const { instanceId, item } = await startApproval();
    const mine = await rita.api.get('/api/tasks?mine=true&status=open');
    expect(mine.body.items.map((t: any) => t.id)).toContain(item.id);
    expect((await outsider.api.get('/api/tasks?mine=true&status=open')).body.items.map((t: any) => t.id)).not.toContain(item.id);

    const read = await rita.api.get(`/api/tasks/${item.id}`);
    expect(read.body).toMatchObject({
      name: 'Approve model version',
      documentation: 'Compare the test results with the thresholds.',
      candidateGroups: ['model-approvers'],
      submittedBy: submitter.id,
      context: { model: 'churn', version: 4, importance: 'high', change: 'retrained on October data', testResult: { accuracy: 0.91 }, approvalNotice: 'Critical models need the risk committee too.' },
    });

    const claimed = await rita.api.post(`/api/tasks/${item.id}/claim`);
    expect(claimed.body.assignee).toBe(rita.id);
    expect((await sam.api.post(`/api/tasks/${item.id}/claim`)).status).toBe(409);
    expect((await sam.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' })).status).toBe(403);

    const decided = await rita.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved', comment: 'AUC holds on the holdout' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'completed', decision: 'approved', comment: 'AUC holds on the holdout', completedBy: rita.id });
    const done = await server.waitForStatus(instanceId, 'completed');
    expect(done.variables).toMatchObject({ decision: 'approved', comment: 'AUC holds on the holdout' });
    expect(done.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('deployed');
    expect(done.history.find((h: any) => h.elementId === 'approve' && h.event === 'end').actor).toBe(rita.id);

    const audit = await server.api.get(`/api/audit?entityType=user_task&entityId=${item.id}&action=task.complete`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actorName: 'rita', comment: 'AUC holds on the holdout', after: { decision: 'approved' } });
  });

  it('refuses the submitter (four-eyes), non-candidates, bad decisions and a second completion', async () => {
    const { item } = await startApproval({ submittedBy: rita.id });
    const ownChange = await rita.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' });
    expect(ownChange.status).toBe(403);
    expect(ownChange.body.error.message).toContain('four-eyes');
    const notCandidate = await outsider.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' });
    expect(notCandidate.status).toBe(403);
    expect(notCandidate.body.error.message).toContain('not a candidate');
    const badDecision = await sam.api.post(`/api/tasks/${item.id}/complete`, { decision: 'maybe' });
    expect(badDecision.status).toBe(400);
    expect(badDecision.body.error.details.problems[0]).toContain('decision must be one of');

    expect((await sam.api.post(`/api/tasks/${item.id}/complete`, { decision: 'rejected', comment: 'drift too high' })).status).toBe(200);
    const again = await sam.api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('completed');
    // The submitter may still reject their own change.
    const { item: second } = await startApproval({ submittedBy: rita.id });
    expect((await rita.api.post(`/api/tasks/${second.id}/complete`, { decision: 'changes_requested', comment: 'wrong dataset' })).status).toBe(200);
  });

  it('lets exactly one of 20 concurrent completions succeed', async () => {
    const { instanceId, item } = await startApproval();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? rita : sam).api.post(`/api/tasks/${item.id}/complete`, { decision: 'approved' })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const done = await server.waitForStatus(instanceId, 'completed');
    expect(done.history.filter((h: any) => h.elementId === 'approve' && h.event === 'end')).toHaveLength(1);
  });

  it('supports unclaim, admin assignment, comments, filters and sorting', async () => {
    const { item } = await startApproval();
    await rita.api.post(`/api/tasks/${item.id}/claim`);
    expect((await sam.api.post(`/api/tasks/${item.id}/unclaim`)).status).toBe(409);
    expect((await rita.api.post(`/api/tasks/${item.id}/unclaim`)).body.assignee).toBeNull();
    expect((await rita.api.post(`/api/tasks/${item.id}/assign`, { userId: sam.id })).status).toBe(403);
    expect((await server.api.post(`/api/tasks/${item.id}/assign`, { userId: sam.id })).body.assignee).toBe(sam.id);
    expect((await server.api.get(`/api/tasks?assignee=${sam.id}&status=open`)).body.items.map((t: any) => t.id)).toEqual([item.id]);

    const comment = await rita.api.post(`/api/tasks/${item.id}/comments`, { text: 'Please check the fairness report first.' });
    expect(comment.status).toBe(201);
    expect((await sam.api.get(`/api/tasks/${item.id}/comments`)).body.items.map((c: any) => [c.userName, c.text])).toEqual([['rita', 'Please check the fairness report first.']]);

    const due = await server.api.get(`/api/tasks?candidateGroup=model-approvers&status=open&dueBefore=${new Date(Date.now() + 3 * 86400_000).toISOString()}&sort=due&order=asc`);
    expect(due.body.total).toBeGreaterThan(0);
    const dueDates = due.body.items.map((t: any) => t.dueDate);
    expect([...dueDates].sort()).toEqual(dueDates);
    for (const bad of ['sort=name', 'order=sideways', 'dueBefore=soon', 'mine=yes', "candidateGroup=' OR 1=1 --&limit=0"]) {
      expect((await server.api.get(`/api/tasks?${bad}`)).status).toBe(400);
    }
    expect((await server.api.get(`/api/tasks?candidateGroup=${encodeURIComponent("' OR 1=1 --")}`)).body.total).toBe(0);
    expect((await rita.api.post(`/api/tasks/${item.id}/comments`, { text: '' })).status).toBe(400);
  });
});
