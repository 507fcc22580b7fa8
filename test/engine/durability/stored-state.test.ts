import { sourceContextOf } from '../../../src/engine/runtime/engine-factory';
import { bpmnProcess, flow } from '../../support/bpmn';
import { startTestServer, TestServer } from '../../support/server';

/* Stored engine states are untyped JSON. */
/* eslint-disable @typescript-eslint/no-explicit-any */

const twoReviews = bpmnProcess(
  'two_reviews',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'first')}
   <bpmn:userTask id="first" name="First" />
   ${flow('f2', 'first', 'second')}
   <bpmn:userTask id="second" name="Second" />
   ${flow('f3', 'second', 'end')}
   <bpmn:endEvent id="end" />`,
);

describe('stored engine state', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    expect((await server.api.deploy(twoReviews)).status).toBe(201);
  });
  afterAll(() => server.close());

  const storedState = async (id: string) => (await server.stagegate.db('process_instances').where({ id }).first('engine_state')).engine_state;
  const completeOpenTask = async (id: string, elementId: string) => {
    const tasks = await server.api.get(`/api/tasks?processInstanceId=${id}&status=open`);
    const task = tasks.body.items.find((item: any) => item.elementId === elementId);
    expect(task).toBeDefined();
    expect((await server.api.post(`/api/tasks/${task.id}/complete`, { variables: {} })).status).toBe(200);
  };

  it('leaves the definition source out of the state (every run passes the parsed definition)', async () => {
    const started = await server.api.post('/api/process-definitions/two_reviews/start', {});
    await server.waitForStatus(started.body.id, 'waiting');
    const state = await storedState(started.body.id);
    expect(state.definitions).toHaveLength(1);
    expect(state.definitions[0]).not.toHaveProperty('source');
  });

  it('recovers a state stored with its definition source (the earlier format) and stores it without', async () => {
    const started = await server.api.post('/api/process-definitions/two_reviews/start', { variables: { n: 1 } });
    const id = started.body.id;
    await server.waitForStatus(id, 'waiting');
    const { db } = server.stagegate;
    const { definition_id: definitionId } = await db('process_instances').where({ id }).first('definition_id');
    const source = ((await sourceContextOf(db, definitionId)) as any).serialize();
    const state = await storedState(id);
    const earlier = { ...state, definitions: state.definitions.map((definition: any) => ({ ...definition, source })) };
    await db('process_instances').where({ id }).update({ engine_state: JSON.stringify(earlier) });

    await completeOpenTask(id, 'first');
    const waiting = await server.waitForStatus(id, 'waiting');
    expect(waiting.currentActivities.map((activity: any) => activity.elementId)).toEqual(['second']);
    expect((await storedState(id)).definitions[0]).not.toHaveProperty('source');

    await completeOpenTask(id, 'second');
    const ended = await server.waitForStatus(id, 'completed');
    expect(ended.variables).toEqual({ n: 1 });
  });
});
