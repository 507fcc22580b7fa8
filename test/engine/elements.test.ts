import { BpmnError } from '../../src/engine/service-tasks/handler-registry';
import { bpmnProcess, flow } from '../support/bpmn';
import { startTestServer, TestServer } from '../support/server';

const ends = (instance: any) => instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);

const parallel = bpmnProcess(
  'parallel-review',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'fork')}
   <bpmn:parallelGateway id="fork" />
   ${flow('f2', 'fork', 'risk')}
   ${flow('f3', 'fork', 'tech')}
   <bpmn:userTask id="risk" camunda:candidateGroups="risk" />
   <bpmn:userTask id="tech" camunda:candidateGroups="tech" />
   ${flow('f4', 'risk', 'join')}
   ${flow('f5', 'tech', 'join')}
   <bpmn:parallelGateway id="join" />
   ${flow('f6', 'join', 'end')}
   <bpmn:endEvent id="end" />`,
);

const inclusive = bpmnProcess(
  'inclusive-checks',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'split')}
   <bpmn:inclusiveGateway id="split" default="f4" />
   ${flow('f2', 'split', 'fairness', "#{protected != null &amp;&amp; importance == 'critical'}")}
   ${flow('f3', 'split', 'drift', '=hasTrainingData = true')}
   ${flow('f4', 'split', 'basic')}
   <bpmn:task id="fairness" />
   <bpmn:task id="drift" />
   <bpmn:task id="basic" />
   ${flow('f5', 'fairness', 'merge')}
   ${flow('f6', 'drift', 'merge')}
   ${flow('f7', 'basic', 'merge')}
   <bpmn:inclusiveGateway id="merge" />
   ${flow('f8', 'merge', 'end')}
   <bpmn:endEvent id="end" />`,
);

// An error thrown by a service task inside the sub-process is caught on the sub-process's boundary.
// (bpmn-elements 17 does not deliver an error *end event* to an enclosing boundary, so that form is not used.)
const subProcess = bpmnProcess(
  'with-subprocess',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'validation')}
   <bpmn:subProcess id="validation">
     <bpmn:startEvent id="subStart" />
     ${flow('s1', 'subStart', 'check')}
     <bpmn:userTask id="check" />
     ${flow('s2', 'check', 'verify')}
     <bpmn:serviceTask id="verify" camunda:type="external" camunda:topic="verify" />
     ${flow('s3', 'verify', 'subEnd')}
     <bpmn:endEvent id="subEnd" />
   </bpmn:subProcess>
   <bpmn:boundaryEvent id="onInvalid" attachedToRef="validation"><bpmn:errorEventDefinition errorRef="Err_invalid" /></bpmn:boundaryEvent>
   ${flow('f2', 'validation', 'end')}
   ${flow('f3', 'onInvalid', 'rejected')}
   <bpmn:endEvent id="end" />
   <bpmn:endEvent id="rejected" />`,
  '<bpmn:error id="Err_invalid" errorCode="INVALID" />',
);

const child = bpmnProcess(
  'child-scoring',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'confirm')}
   <bpmn:userTask id="confirm" />
   ${flow('f2', 'confirm', 'end')}
   <bpmn:endEvent id="end" />`,
);

const parent = bpmnProcess(
  'parent-flow',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'callScoring')}
   <bpmn:callActivity id="callScoring" calledElement="child-scoring" />
   ${flow('f2', 'callScoring', 'end')}
   <bpmn:endEvent id="end" />`,
);

const multiInstance = bpmnProcess(
  'each-reviewer',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'review')}
   <bpmn:userTask id="review">
     <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${reviewers}" camunda:elementVariable="reviewer" />
   </bpmn:userTask>
   ${flow('f2', 'review', 'end')}
   <bpmn:endEvent id="end" />`,
);

const eventGateway = bpmnProcess(
  'race',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'gw')}
   <bpmn:eventBasedGateway id="gw" />
   ${flow('f2', 'gw', 'answer')}
   ${flow('f3', 'gw', 'deadline')}
   <bpmn:intermediateCatchEvent id="answer"><bpmn:messageEventDefinition messageRef="Msg_answer" /></bpmn:intermediateCatchEvent>
   <bpmn:intermediateCatchEvent id="deadline"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   ${flow('f4', 'answer', 'answered')}
   ${flow('f5', 'deadline', 'late')}
   <bpmn:endEvent id="answered" />
   <bpmn:endEvent id="late"><bpmn:terminateEventDefinition /></bpmn:endEvent>`,
  '<bpmn:message id="Msg_answer" name="answer" />',
);

describe('BPMN elements through the durable runtime', () => {
  let server: TestServer;
  const start = async (key: string, variables: Record<string, unknown> = {}, businessKey?: string) =>
    (await server.api.post(`/api/process-definitions/${key}/start`, { variables, businessKey })).body.id as string;
  const openTasks = async (id: string) => (await server.api.get(`/api/tasks?processInstanceId=${id}&status=open`)).body.items;
  const complete = (taskId: string, variables: Record<string, unknown> = {}) => server.api.post(`/api/tasks/${taskId}/complete`, { variables });

  beforeAll(async () => {
    server = await startTestServer({
      handlers: (registry) =>
        registry.register('verify', async ({ variables }) => {
          if (variables.valid === false) throw new BpmnError('INVALID', 'the model card is incomplete');
          return { verified: true };
        }),
    });
    for (const xml of [parallel, inclusive, subProcess, child, parent, multiInstance, eventGateway]) {
      const reply = await server.api.deploy(xml);
      expect({ status: reply.status, body: reply.body.error }).toEqual({ status: 201, body: undefined });
    }
  });
  afterAll(() => server.close());

  it('forks and joins parallel branches, each waiting in its own run', async () => {
    const id = await start('parallel-review');
    await server.waitForStatus(id, 'waiting');
    const tasks = await openTasks(id);
    expect(tasks.map((t: any) => t.elementId).sort()).toEqual(['risk', 'tech']);
    await complete(tasks[0].id);
    expect((await server.waitForStatus(id, 'waiting')).userTasks).toHaveLength(1);
    await complete(tasks[1].id);
    const done = await server.waitForStatus(id, 'completed');
    expect(ends(done).filter((e: string) => e === 'end')).toHaveLength(1);
  });

  it('takes every inclusive branch whose JUEL or FEEL condition holds', async () => {
    const all = await server.waitForStatus(await start('inclusive-checks', { protected: 'age', importance: 'critical', hasTrainingData: true }), 'completed');
    expect(ends(all)).toEqual(expect.arrayContaining(['fairness', 'drift']));
    expect(ends(all)).not.toContain('basic');
    const none = await server.waitForStatus(await start('inclusive-checks', { protected: null, importance: 'low', hasTrainingData: false }), 'completed');
    expect(ends(none)).toContain('basic');
    expect(ends(none)).not.toContain('fairness');
  });

  it('runs an embedded sub-process, sees variables set inside it, and catches its BPMN error on the boundary', async () => {
    const ok = await start('with-subprocess');
    await server.waitForStatus(ok, 'waiting');
    await complete((await openTasks(ok))[0].id, { valid: true });
    const passed = await server.waitForStatus(ok, 'completed');
    expect(ends(passed)).toContain('end');
    expect(passed.variables).toEqual({ valid: true, verified: true });

    const bad = await start('with-subprocess');
    await server.waitForStatus(bad, 'waiting');
    await complete((await openTasks(bad))[0].id, { valid: false });
    const rejected = await server.waitForStatus(bad, 'completed');
    expect(ends(rejected)).toContain('rejected');
    expect(ends(rejected)).not.toContain('end');
  });

  it('starts the called process from a call activity and resumes the caller when it completes', async () => {
    const id = await start('parent-flow', { model: 'churn' }, 'bk-call');
    await server.waitForStatus(id, 'waiting');
    const children = (await server.api.get('/api/process-instances?key=child-scoring&businessKey=bk-call')).body.items;
    expect(children).toHaveLength(1);
    const childInstance = await server.waitForStatus(children[0].id, 'waiting');
    expect(childInstance.variables).toEqual({ model: 'churn' });
    await complete((await openTasks(children[0].id))[0].id, { score: 0.7 });
    await server.waitForStatus(children[0].id, 'completed');
    const done = await server.waitForStatus(id, 'completed');
    expect(done.variables).toEqual({ model: 'churn', score: 0.7 });
  });

  it('cancels the called instance when the caller is cancelled', async () => {
    const id = await start('parent-flow', {}, 'bk-cancel');
    await server.waitForStatus(id, 'waiting');
    const [childRow] = (await server.api.get('/api/process-instances?key=child-scoring&businessKey=bk-cancel')).body.items;
    await server.waitForStatus(childRow.id, 'waiting');
    await server.api.post(`/api/process-instances/${id}/cancel`, {});
    await server.waitForStatus(childRow.id, 'cancelled');
  });

  it('creates one work item per element of a multi-instance collection', async () => {
    const id = await start('each-reviewer', { reviewers: ['ana', 'bo', 'cy'] });
    await server.waitForStatus(id, 'waiting');
    const tasks = await openTasks(id);
    expect(tasks).toHaveLength(3);
    for (const task of tasks) await complete(task.id);
    await server.waitForStatus(id, 'completed');
  });

  it('lets the first event of an event-based gateway win', async () => {
    const id = await start('race', {}, 'race-1');
    const waiting = await server.waitForStatus(id, 'waiting');
    expect(waiting.subscriptions.map((s: any) => s.name)).toEqual(['answer']);
    expect(waiting.timers).toHaveLength(1);
    await server.api.post('/api/messages', { name: 'answer', businessKey: 'race-1' });
    const done = await server.waitForStatus(id, 'completed');
    expect(ends(done)).toContain('answered');
    expect(done.timers).toEqual([]);
  });
});
