import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  validateBpmn,
  type BpmnProblem,
  type BpmnValidationOptions,
} from '../../../src/engine/definitions/validate-bpmn';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'bpmn');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Stands in for the real expression validator: rejects method calls, accepts the rest. */
function stubValidateExpression(text: string): string | null {
  return /[\w)]\s*\(/.test(text) ? `method calls are not supported: ${text}` : null;
}

function options(overrides: Partial<BpmnValidationOptions> = {}): BpmnValidationOptions {
  return {
    fileName: 'test.bpmn',
    knownTopics: new Set(['train', 'deploy', 'notify']),
    allowScriptTasks: false,
    validateExpression: stubValidateExpression,
    ...overrides,
  };
}

/** The part of a problem a test pins down exactly. */
function ruleAndElement(problems: BpmnProblem[]): Array<{ elementId?: string; rule: string }> {
  return problems.map(({ elementId, rule }) => (elementId === undefined ? { rule } : { elementId, rule }));
}

const NAMESPACES =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';

/** A file with one executable process `p` holding `body`; `roots` go before it (messages, signals, ...). */
function bpmn(body: string, roots = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NAMESPACES} id="Definitions_1" targetNamespace="http://stagegate.dev/bpmn">
  ${roots}
  <bpmn:process id="p" isExecutable="true">
    ${body}
  </bpmn:process>
</bpmn:definitions>`;
}

/** start → `node` (with id `node`) → end. */
function around(node: string): string {
  return `<bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="start" targetRef="node" />
    ${node}
    <bpmn:sequenceFlow id="f_out" sourceRef="node" targetRef="end" />
    <bpmn:endEvent id="end" />`;
}

describe('validateBpmn', () => {
  describe('a valid process', () => {
    it('passes and describes the executable process', async () => {
      const result = await validateBpmn(fixture('valid-lifecycle.bpmn'), options());

      expect(result.problems).toEqual([]);
      expect(result.processes).toEqual([
        {
          key: 'model-lifecycle',
          name: 'Model lifecycle',
          timerStartCycles: [],
          messageStartNames: ['retrain-requested'],
          signalStartNames: [],
        },
      ]);
    });

    it('hands conditions and mapped expressions to the injected validator, entities decoded', async () => {
      const validateExpression = jest.fn(stubValidateExpression);
      await validateBpmn(fixture('valid-lifecycle.bpmn'), options({ validateExpression }));

      expect(validateExpression).toHaveBeenCalledWith('${approved && accuracy >= 0.9}');
      expect(validateExpression).toHaveBeenCalledWith('${datasetId}');
      expect(validateExpression).toHaveBeenCalledWith('Model ${modelName}');
      expect(validateExpression).toHaveBeenCalledWith('${owner}');
    });

    it('accepts a service task bound to an external topic nobody serves in-process', async () => {
      const result = await validateBpmn(fixture('external-topic.bpmn'), options());

      expect(result.problems).toEqual([]);
      expect(result.processes.map((process) => process.key)).toEqual(['external-topic']);
    });

    it('accepts known topics named through implementation or camunda:expression', async () => {
      const xml = bpmn(`
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
        <bpmn:serviceTask id="a" implementation="\${environment.services.train}" />
        <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b" />
        <bpmn:sendTask id="b" camunda:expression="\${environment.services.notify}" />
        <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="end" />
        <bpmn:endEvent id="end" />`);

      expect((await validateBpmn(xml, options())).problems).toEqual([]);
    });

    it('accepts a collaboration with a non-executable participant', async () => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NAMESPACES} id="Definitions_1" targetNamespace="http://stagegate.dev/bpmn">
  <bpmn:collaboration id="collaboration">
    <bpmn:participant id="stagegate" processRef="p" />
    <bpmn:participant id="data_team" processRef="data_team_process" />
  </bpmn:collaboration>
  <bpmn:process id="p" isExecutable="true">${around('<bpmn:userTask id="node" />')}</bpmn:process>
  <bpmn:process id="data_team_process" isExecutable="false">
    <bpmn:task id="sketchy_unconnected_task" />
  </bpmn:process>
</bpmn:definitions>`;

      const result = await validateBpmn(xml, options());

      expect(result.problems).toEqual([]);
      expect(result.processes.map((process) => process.key)).toEqual(['p']);
    });

    it('checks sub-processes recursively and lets event sub-processes start on their own', async () => {
      const xml = bpmn(
        around(`<bpmn:subProcess id="node">
          <bpmn:startEvent id="inner_start" />
          <bpmn:sequenceFlow id="inner_f1" sourceRef="inner_start" targetRef="inner_task" />
          <bpmn:userTask id="inner_task" />
          <bpmn:sequenceFlow id="inner_f2" sourceRef="inner_task" targetRef="inner_end" />
          <bpmn:endEvent id="inner_end" />
        </bpmn:subProcess>
        <bpmn:subProcess id="on_cancel" triggeredByEvent="true">
          <bpmn:startEvent id="cancel_start" isInterrupting="true">
            <bpmn:signalEventDefinition signalRef="Signal_cancel" />
          </bpmn:startEvent>
          <bpmn:sequenceFlow id="cancel_f1" sourceRef="cancel_start" targetRef="cancel_end" />
          <bpmn:endEvent id="cancel_end" />
        </bpmn:subProcess>`),
        '<bpmn:signal id="Signal_cancel" name="cancel" />',
      );

      const result = await validateBpmn(xml, options());

      expect(result.problems).toEqual([]);
      // The event sub-process's start is not a start of the process.
      expect(result.processes[0]?.signalStartNames).toEqual([]);
    });
  });

  describe('XML safety', () => {
    it('reports malformed XML with its line and column', async () => {
      const result = await validateBpmn(fixture('malformed.bpmn'), options({ fileName: 'malformed.bpmn' }));

      expect(result.processes).toEqual([]);
      expect(result.problems).toEqual([
        {
          file: 'malformed.bpmn',
          rule: 'xml-well-formed',
          message: 'the XML is not well-formed at line 8, column 17: unexpected close tag.',
        },
      ]);
    });

    it.each([
      ['an empty body', ''],
      ['blank text', '  \n\t '],
      ['binary junk', 'PK\u0003\u0004\u0000\u0000 not xml'],
      ['plain text', 'hello world'],
      ['JSON', '{"process": "p"}'],
    ])('reports %s as a problem instead of throwing', async (_label, text) => {
      const result = await validateBpmn(text, options());

      expect(ruleAndElement(result.problems)).toEqual([{ rule: 'xml-well-formed' }]);
      expect(result.processes).toEqual([]);
    });

    it('reports a body that is not text at all', async () => {
      const result = await validateBpmn(undefined as unknown as string, options());

      expect(ruleAndElement(result.problems)).toEqual([{ rule: 'xml-well-formed' }]);
    });

    it('rejects a DTD with an external entity without resolving it', async () => {
      const result = await validateBpmn(fixture('dtd-external-entity.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([{ rule: 'xml-no-dtd' }]);
      expect(result.problems[0]?.message).toContain('DOCTYPE');
      expect(result.processes).toEqual([]);
    });

    it('never reads the file an external entity points at', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'stagegate-xxe-'));
      try {
        const secretFile = join(dir, 'secret.txt');
        writeFileSync(secretFile, 'TOP-SECRET-TOKEN');
        const xml = fixture('dtd-external-entity.bpmn').replace('file:///etc/passwd', `file://${secretFile}`);

        const result = await validateBpmn(xml, options());

        expect(ruleAndElement(result.problems)).toEqual([{ rule: 'xml-no-dtd' }]);
        expect(JSON.stringify(result)).not.toContain('TOP-SECRET-TOKEN');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rejects a billion-laughs DTD quickly, without expanding it', async () => {
      const started = Date.now();
      const result = await validateBpmn(fixture('dtd-billion-laughs.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([{ rule: 'xml-no-dtd' }]);
      expect(JSON.stringify(result).length).toBeLessThan(2000);
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('reports a document that is XML but not BPMN', async () => {
      const result = await validateBpmn('<project><name>x</name></project>', options());

      expect(ruleAndElement(result.problems)).toEqual([{ rule: 'bpmn-schema' }]);
      expect(result.problems[0]?.message).toContain('<bpmn:Definitions>');
    });
  });

  describe('BPMN schema (bpmn-moddle warnings)', () => {
    it('reports unknown elements with the id found in the source, and unknown attributes', async () => {
      const xml = bpmn(
        around(`<bpmn:serviceTask id="node" camunda:topic="train" camunda:topik="train" />
        <bpmn:superTask id="mystery_task" />`),
      );

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([
        { elementId: 'node', rule: 'bpmn-schema' },
        { elementId: 'mystery_task', rule: 'bpmn-schema' },
      ]);
      expect(result.problems[0]?.message).toContain('camunda:topik');
      expect(result.problems[1]?.message).toMatch(/<bpmn:superTask> at line \d+, column \d+ was ignored/);
    });

    it('reports duplicate ids', async () => {
      const xml = bpmn(around('<bpmn:userTask id="node" />\n<bpmn:userTask id="node" />'));

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'node', rule: 'bpmn-schema' }]);
      expect(result.problems[0]?.message).toContain("duplicate id 'node'");
    });
  });

  describe('executable processes', () => {
    it('rejects a file whose only process is not executable', async () => {
      const result = await validateBpmn(fixture('non-executable.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'sketch', rule: 'executable' }]);
      expect(result.problems[0]?.message).toContain('isExecutable="true"');
    });

    it('rejects a file with no process at all', async () => {
      const xml = `<bpmn:definitions ${NAMESPACES} id="Definitions_empty" targetNamespace="x" />`;

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'Definitions_empty', rule: 'executable' }]);
    });

    it('rejects a second executable process', async () => {
      const xml = `<bpmn:definitions ${NAMESPACES} id="d" targetNamespace="x">
        <bpmn:process id="first" isExecutable="true">${around('<bpmn:task id="node" />')}</bpmn:process>
        <bpmn:process id="second" isExecutable="true">
          <bpmn:startEvent id="s2" /><bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="e2" /><bpmn:endEvent id="e2" />
        </bpmn:process>
      </bpmn:definitions>`;

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'second', rule: 'single-executable-process' }]);
      expect(result.processes).toEqual([]);
    });
  });

  describe('connections', () => {
    it('reports a flow to a missing element and a node nothing leads to', async () => {
      const result = await validateBpmn(fixture('unconnected-flow.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([
        { elementId: 'flow_to_nowhere', rule: 'flow-connected' },
        { elementId: 'orphan_review', rule: 'flow-connected' },
      ]);
      expect(result.problems[0]?.message).toContain("targetRef 'missing_task'");
      expect(result.problems[1]?.message).toContain('no incoming sequence flow');
    });

    it('requires boundary events to lead somewhere and flows to stay inside their sub-process', async () => {
      const xml = bpmn(
        around(`<bpmn:subProcess id="node">
          <bpmn:startEvent id="inner_start" />
          <bpmn:sequenceFlow id="escape" sourceRef="inner_start" targetRef="end" />
        </bpmn:subProcess>
        <bpmn:boundaryEvent id="too_slow" attachedToRef="node">
          <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>`),
      );

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([
        { elementId: 'escape', rule: 'flow-connected' },
        { elementId: 'too_slow', rule: 'flow-connected' },
      ]);
    });
  });

  describe('service tasks', () => {
    it('rejects a topic without an in-process handler, naming it', async () => {
      const result = await validateBpmn(fixture('unknown-topic.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'quantize', rule: 'service-topic' }]);
      expect(result.problems[0]?.message).toContain("topic 'quantize-model'");
      expect(result.problems[0]?.message).toContain('camunda:type="external"');
    });

    it.each([
      ['no binding at all', '<bpmn:serviceTask id="node" />'],
      ['an external type without topic', '<bpmn:serviceTask id="node" camunda:type="external" />'],
      ['a Java class', '<bpmn:serviceTask id="node" camunda:class="com.acme.Train" />'],
      ['a Java bean', '<bpmn:serviceTask id="node" camunda:delegateExpression="${trainDelegate}" />'],
      ['a bean expression', '<bpmn:serviceTask id="node" camunda:expression="${trainer.train(execution)}" />'],
      ['an unknown service', '<bpmn:serviceTask id="node" implementation="${environment.services.quantize}" />'],
      ['a bound send task with an unknown topic', '<bpmn:sendTask id="node" camunda:topic="mail" />'],
    ])('rejects %s', async (_label, task) => {
      const result = await validateBpmn(bpmn(around(task)), options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'node', rule: 'service-topic' }]);
    });
  });

  describe('scripts', () => {
    it('rejects script tasks unless ALLOW_SCRIPT_TASKS, explaining why', async () => {
      const rejected = await validateBpmn(fixture('script-task.bpmn'), options());
      const allowed = await validateBpmn(fixture('script-task.bpmn'), options({ allowScriptTasks: true }));

      expect(ruleAndElement(rejected.problems)).toEqual([{ elementId: 'compute_score', rule: 'script-task' }]);
      expect(rejected.problems[0]?.message).toContain('not a security boundary');
      expect(rejected.problems[0]?.message).toContain('ALLOW_SCRIPT_TASKS=true');
      expect(allowed.problems).toEqual([]);
    });

    it('rejects script conditions unless scripts are allowed', async () => {
      const xml = bpmn(`<bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="scripted" sourceRef="start" targetRef="end">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, true)</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:endEvent id="end" />`);

      const rejected = await validateBpmn(xml, options());
      const allowed = await validateBpmn(xml, options({ allowScriptTasks: true }));

      expect(ruleAndElement(rejected.problems)).toEqual([{ elementId: 'scripted', rule: 'script' }]);
      expect(allowed.problems).toEqual([]);
    });
  });

  describe('conditions and gateways', () => {
    it('requires a condition on every non-default flow out of a deciding gateway', async () => {
      const result = await validateBpmn(fixture('gateway-missing-condition.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'f_bad', rule: 'gateway-outgoing' }]);
      expect(result.problems[0]?.message).toContain("ExclusiveGateway 'quality_gate'");
    });

    it('accepts the flow without a condition once it is the default', async () => {
      const xml = fixture('gateway-missing-condition.bpmn').replace(
        '<bpmn:exclusiveGateway id="quality_gate" />',
        '<bpmn:exclusiveGateway id="quality_gate" default="f_bad" />',
      );

      expect((await validateBpmn(xml, options())).problems).toEqual([]);
    });

    it('reports conditions the expression validator rejects, and plain-text conditions', async () => {
      const xml = bpmn(`<bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />
        <bpmn:inclusiveGateway id="gw" />
        <bpmn:sequenceFlow id="bean_call" sourceRef="gw" targetRef="end">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${riskService.isLow(model)}</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="no_braces" sourceRef="gw" targetRef="end">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">accuracy &gt; 0.9</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:endEvent id="end" />`);

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([
        { elementId: 'bean_call', rule: 'condition-expression' },
        { elementId: 'no_braces', rule: 'condition-expression' },
      ]);
      expect(result.problems[0]?.message).toContain('method calls are not supported');
      expect(result.problems[1]?.message).toContain('plain text');
    });

    it('checks the expressions of input parameters', async () => {
      const xml = bpmn(
        around(`<bpmn:serviceTask id="node" camunda:topic="train">
          <bpmn:extensionElements>
            <camunda:inputOutput>
              <camunda:inputParameter name="dataset">\${datasets.latest()}</camunda:inputParameter>
            </camunda:inputOutput>
          </bpmn:extensionElements>
        </bpmn:serviceTask>`),
      );

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'node', rule: 'expression' }]);
      expect(result.problems[0]?.message).toContain("input parameter 'dataset'");
    });
  });

  describe('timers', () => {
    it('accepts a cron timeCycle on a process start event and collects it', async () => {
      const result = await validateBpmn(fixture('cron-start.bpmn'), options());

      expect(result.problems).toEqual([]);
      expect(result.processes[0]?.timerStartCycles).toEqual(['0 0 2 * * ?']);
    });

    it('accepts an ISO 8601 repeating interval on a process start event', async () => {
      const xml = fixture('cron-start.bpmn').replace('0 0 2 * * ?', 'R/2025-01-01T02:00:00Z/P1D');

      const result = await validateBpmn(xml, options());

      expect(result.problems).toEqual([]);
      expect(result.processes[0]?.timerStartCycles).toEqual(['R/2025-01-01T02:00:00Z/P1D']);
    });

    it.each([
      ['an impossible cron', '0 0 61 * *'],
      ['a 7-field cron', '0 0 2 * * ? 2030'],
      ['an expression (no variables before the instance exists)', '${schedule}'],
      ['prose', 'every night'],
    ])('rejects %s on a process start event', async (_label, cycle) => {
      const xml = fixture('cron-start.bpmn').replace('0 0 2 * * ?', cycle);

      const result = await validateBpmn(xml, options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'nightly', rule: 'timer-definition' }]);
    });

    it('rejects a cron timeCycle on an intermediate timer', async () => {
      const result = await validateBpmn(fixture('cron-intermediate.bpmn'), options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'wait_nightly', rule: 'timer-definition' }]);
      expect(result.problems[0]?.message).toContain('only supported on a process timer start event');
    });

    it.each([
      ['timeDuration', 'PT5M', []],
      ['timeDuration', 'P1DT12H', []],
      ['timeDate', '2030-01-01T08:00:00Z', []],
      ['timeCycle', 'R3/PT10M', []],
      ['timeDuration', '${approvalWindow}', []],
      ['timeDuration', 'PT${minutes}M', []],
      ['timeDuration', '5 minutes', [{ elementId: 'node', rule: 'timer-definition' }]],
      ['timeDate', 'next monday', [{ elementId: 'node', rule: 'timer-definition' }]],
      ['timeCycle', 'PT10M', [{ elementId: 'node', rule: 'timer-definition' }]],
      ['timeDuration', '${calendar.nextSlot()}', [{ elementId: 'node', rule: 'expression' }]],
    ])('checks an intermediate %s of "%s"', async (kind, value, expected) => {
      const xml = bpmn(
        around(`<bpmn:intermediateCatchEvent id="node">
          <bpmn:timerEventDefinition><bpmn:${kind}>${value}</bpmn:${kind}></bpmn:timerEventDefinition>
        </bpmn:intermediateCatchEvent>`),
      );

      expect(ruleAndElement((await validateBpmn(xml, options())).problems)).toEqual(expected);
    });
  });

  describe('supported elements', () => {
    it.each([
      ['a complex gateway', '<bpmn:complexGateway id="node" />'],
      ['a transaction', '<bpmn:transaction id="node" />'],
      ['an escalation throw event', '<bpmn:intermediateThrowEvent id="node"><bpmn:escalationEventDefinition /></bpmn:intermediateThrowEvent>'],
      ['a compensation throw event', '<bpmn:intermediateThrowEvent id="node"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>'],
      ['a conditional catch event', '<bpmn:intermediateCatchEvent id="node"><bpmn:conditionalEventDefinition /></bpmn:intermediateCatchEvent>'],
      ['a standard loop', '<bpmn:userTask id="node"><bpmn:standardLoopCharacteristics /></bpmn:userTask>'],
      ['a DMN business rule task', '<bpmn:businessRuleTask id="node" camunda:decisionRef="risk" />'],
    ])('rejects %s', async (_label, node) => {
      const result = await validateBpmn(bpmn(around(node)), options());

      expect(ruleAndElement(result.problems)).toEqual([{ elementId: 'node', rule: 'unsupported-element' }]);
    });

    it('accepts multi-instance over a collection, diagram lanes, annotations and data objects', async () => {
      const xml = bpmn(`
        <bpmn:laneSet id="lanes"><bpmn:lane id="reviewers"><bpmn:flowNodeRef>node</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
        ${around(`<bpmn:userTask id="node">
          <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${candidates}" camunda:elementVariable="candidate" />
        </bpmn:userTask>`)}
        <bpmn:dataObject id="report" />
        <bpmn:textAnnotation id="note"><bpmn:text>Reviewers sign off here</bpmn:text></bpmn:textAnnotation>
        <bpmn:association id="note_link" sourceRef="note" targetRef="node" />`);

      expect((await validateBpmn(xml, options())).problems).toEqual([]);
    });
  });

  describe('start triggers', () => {
    it('collects message and signal start names, falling back to the id', async () => {
      const xml = bpmn(
        `<bpmn:startEvent id="on_drift"><bpmn:messageEventDefinition messageRef="Message_drift" /></bpmn:startEvent>
        <bpmn:startEvent id="on_release"><bpmn:signalEventDefinition signalRef="Signal_release" /></bpmn:startEvent>
        <bpmn:sequenceFlow id="f1" sourceRef="on_drift" targetRef="end" />
        <bpmn:sequenceFlow id="f2" sourceRef="on_release" targetRef="end" />
        <bpmn:endEvent id="end" />`,
        `<bpmn:message id="Message_drift" />
        <bpmn:signal id="Signal_release" name="release-approved" />`,
      );

      const result = await validateBpmn(xml, options());

      expect(result.problems).toEqual([]);
      expect(result.processes[0]).toMatchObject({ messageStartNames: ['Message_drift'], signalStartNames: ['release-approved'] });
    });
  });

  it('reports every problem of a file at once, each with the file and element id', async () => {
    const result = await validateBpmn(fixture('several-problems.bpmn'), options({ fileName: 'several-problems.bpmn' }));

    expect(result.processes).toEqual([]);
    expect(ruleAndElement(result.problems)).toEqual([
      { elementId: 'train', rule: 'service-topic' },
      { elementId: 'score', rule: 'script-task' },
      { elementId: 'merge', rule: 'unsupported-element' },
      { elementId: 'forgotten', rule: 'flow-connected' },
      { elementId: 'forgotten', rule: 'flow-connected' },
    ]);
    expect(result.problems.every((problem) => problem.file === 'several-problems.bpmn')).toBe(true);
    expect(result.problems[0]?.message).toContain('com.acme.TrainDelegate');
  });
});
