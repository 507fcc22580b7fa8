import { LeaseLostError, storeSnapshot } from '../../../src/engine/runtime/run-store';
import type { RunSnapshot } from '../../../src/engine/runtime/types';
import { bpmnProcess, flow } from '../../support/bpmn';
import { startTestServer, TestServer } from '../../support/server';

const review = bpmnProcess(
  'lease_review',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'review')}
   <bpmn:userTask id="review" name="Review" />
   ${flow('f2', 'review', 'end')}
   <bpmn:endEvent id="end" />`,
);

/** A store by a server whose lease another server has taken over must write nothing at all. */
describe('a store after the lease was lost', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api.deploy(review)).status).toBe(201);
  });
  afterAll(() => server.close());

  const snapshot = (instanceId: string, userTask: boolean): RunSnapshot => ({
    status: 'waiting',
    engineState: { stale: true },
    variables: { stale: true },
    currentActivities: [{ elementId: 'later', executionId: 'later_1', type: 'bpmn:IntermediateCatchEvent' }],
    userTasks: userTask
      ? [{ elementId: 'other', executionId: 'other_1', name: 'Other', documentation: null, candidateGroups: [], candidateUsers: [], assignee: null, dueDate: null, priority: 50, formKey: null, formFields: [] }]
      : [],
    timers: [{ elementId: 'later', executionId: 'later_1', dueAt: new Date(Date.now() + 60000) }],
    subscriptions: [{ kind: 'message', name: 'stale', refId: 'Msg', elementId: 'later', executionId: 'later_1' }],
    calls: [],
    serviceTasks: [],
    incidents: [],
    history: [{ elementId: 'later', elementType: 'bpmn:IntermediateCatchEvent', elementName: null, executionId: `later_${instanceId}`, event: 'start', actor: null, at: new Date() }],
    appliedCommandIds: [],
    nextWakeAt: null,
    error: null,
  });

  for (const [what, userTask] of [['a single statement', false], ['a transaction (a work item to open)', true]] as const) {
    it(`writes nothing and throws LeaseLostError (${what})`, async () => {
      const { db } = server.stagegate;
      const started = await server.api.post('/api/process-definitions/lease_review/start', {});
      const id = started.body.id;
      await server.waitForStatus(id, 'waiting');
      await db('process_instances').where({ id }).update({ locked_by: 'other-server', locked_until: db.raw(`now() + interval '1 hour'`) });
      const count = async (table: string) => Number((await db(table).where({ instance_id: id }).count({ n: '*' }))[0].n);
      const before = { history: await count('instance_history'), tasks: await count('user_tasks') };

      await expect(storeSnapshot(db, id, 'this-server', snapshot(id, userTask), { release: true })).rejects.toBeInstanceOf(LeaseLostError);

      expect(await count('timers')).toBe(0);
      expect(await count('event_subscriptions')).toBe(0);
      expect(await count('instance_history')).toBe(before.history);
      expect(await count('user_tasks')).toBe(before.tasks);
      const row = await db('process_instances').where({ id }).first('status', 'locked_by', 'variables');
      expect(row).toMatchObject({ status: 'waiting', locked_by: 'other-server' });
      expect(row.variables).not.toHaveProperty('stale');
      // The open work item of the real wait is still open (the stale store would have cancelled it).
      expect((await db('user_tasks').where({ instance_id: id, status: 'open' }).pluck('element_id'))).toEqual(['review']);
    });
  }
});
