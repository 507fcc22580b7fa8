import { Engine } from 'bpmn-engine';
import { EventEmitter } from 'node:events';
import { createEngineExpressions } from '../../../src/engine/expressions';

// One condition per syntax: JUEL `${...}` (XML-escaped), JUEL `#{...}` (in
// CDATA) and FEEL `=...`; exactly one is true for each set of variables below.
const source = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://stagegate.test">
  <process id="gate" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="toGateway" sourceRef="start" targetRef="decide" />
    <exclusiveGateway id="decide" default="toOther" />
    <sequenceFlow id="toDeploy" sourceRef="decide" targetRef="deployed">
      <conditionExpression xsi:type="tFormalExpression">\${accuracy &gt;= 0.9 &amp;&amp; risk == 'green'}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="toReview" sourceRef="decide" targetRef="reviewed">
      <conditionExpression xsi:type="tFormalExpression"><![CDATA[#{not approved and risk eq 'yellow'}]]></conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="toReject" sourceRef="decide" targetRef="rejected">
      <conditionExpression xsi:type="tFormalExpression">
        =risk = "red" or accuracy &lt; 0.5
      </conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="toOther" sourceRef="decide" targetRef="other" />
    <endEvent id="deployed" />
    <endEvent id="reviewed" />
    <endEvent id="rejected" />
    <endEvent id="other" />
  </process>
</definitions>`;

/** Runs the process to completion and returns the ids of the end events reached. */
async function runGate(variables: Record<string, unknown>): Promise<string[]> {
  const listener = new EventEmitter();
  const reached: string[] = [];
  listener.on('activity.end', (api: { id: string; type: string }) => {
    if (api.type === 'bpmn:EndEvent') reached.push(api.id);
  });
  const engine = new Engine({ name: 'gate', source, expressions: createEngineExpressions() });
  const finished = new Promise<void>((resolve, reject) => {
    engine.once('end', () => resolve());
    engine.once('error', reject);
  });
  await engine.execute({ listener, variables });
  await finished;
  return reached;
}

describe('conditions in a running bpmn-engine process', () => {
  it.each([
    [{ accuracy: 0.95, risk: 'green', approved: false }, 'deployed'],
    [{ accuracy: 0.95, risk: 'yellow', approved: false }, 'reviewed'],
    [{ accuracy: 0.95, risk: 'red', approved: false }, 'rejected'],
    [{ accuracy: 0.3, risk: 'green', approved: true }, 'rejected'],
    [{ accuracy: 0.7, risk: 'yellow', approved: true }, 'other'],
    [{}, 'other'],
  ])('with %p ends at %s', async (variables, endEvent) => {
    expect(await runGate(variables)).toEqual([endEvent]);
  });

  it('fails the run instead of guessing when a condition cannot be evaluated', async () => {
    await expect(runGate({ accuracy: 'high', risk: 'green' })).rejects.toThrow("cannot use string 'high' as a number");
  });
});
