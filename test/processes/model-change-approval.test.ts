import path from 'node:path';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

const PROCESSES_DIR = path.join(__dirname, '..', '..', 'processes');

describe('processes/model-change-approval.bpmn (deployed at start-up)', () => {
  let server: TestServer;
  let reviewer: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ env: { PROCESSES_DIR } });
    reviewer = await createUser(server, ['model_approver'], ['model-approvers']);
  });
  afterAll(() => server.close());

  const decide = async (decision: string) => {
    const started = await server.api.post('/api/process-definitions/model-change-approval/start', { businessKey: `churn:${decision}` });
    await server.waitForStatus(started.body.id, 'waiting');
    const [task] = (await reviewer.api.get('/api/tasks?mine=true&status=open')).body.items.filter((t: any) => t.processInstanceId === started.body.id);
    expect(task).toMatchObject({ name: 'Review model change', candidateGroups: ['model-approvers'], priority: 70 });
    expect(task.formFields.map((f: any) => f.id)).toEqual(['decision', 'comment']);
    const decided = await reviewer.api.post(`/api/tasks/${task.id}/complete`, { variables: { decision, comment: 'looked at the backtest' } });
    expect(decided.status).toBe(200);
    const done = await server.waitForStatus(started.body.id, 'completed');
    return done.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);
  };

  it('is deployed from processes/ with its diagram', async () => {
    const definition = await server.api.get('/api/process-definitions/model-change-approval');
    expect(definition.body).toMatchObject({ version: 1, source: 'file:model-change-approval.bpmn', name: 'Model change approval' });
    expect((await server.api.get('/api/process-definitions/model-change-approval/xml')).body).toContain('bpmndi:BPMNDiagram');
  });

  it('ends in "approved" when the reviewer approves and "rejected" otherwise', async () => {
    expect(await decide('approved')).toContain('approved');
    expect(await decide('rejected')).toContain('rejected');
  });
});
