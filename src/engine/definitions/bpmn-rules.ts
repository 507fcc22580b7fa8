/**
 * The structural rules of an executable process: supported elements only,
 * every sequence flow connected inside its own scope, gateways that can
 * decide, events the engine can wait for. Sub-processes are checked the same
 * way, recursively.
 */
import { checkCamundaExtensions, checkCondition } from './expression-rules';
import { child, children, describe, localName, text, type ModdleElement } from './moddle';
import type { RuleContext } from './rule-context';
import {
  checkCallActivity,
  checkLoopCharacteristics,
  checkScriptTask,
  checkServiceBinding,
  checkUserTask,
  SERVICE_LIKE_TASKS,
} from './task-rules';
import { checkTimerDefinition } from './timer-rules';

/** What a process's own start events tell the scheduler and the message/signal routers. */
export interface StartTriggers {
  timerStartCycles: string[];
  messageStartNames: string[];
  signalStartNames: string[];
}

interface Scope {
  /** The process itself, not a sub-process: its start events are the process's triggers. */
  readonly isProcess: boolean;
  readonly triggers: StartTriggers;
}

const PLAIN_TASKS = new Set(['bpmn:Task', 'bpmn:ManualTask', 'bpmn:ReceiveTask']);
const DECIDING_GATEWAYS = new Set(['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway']);
const GATEWAYS = new Set([...DECIDING_GATEWAYS, 'bpmn:ParallelGateway', 'bpmn:EventBasedGateway']);
/** Flow elements that take no part in the flow. */
const DATA_ELEMENTS = new Set(['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference']);

/** Event definitions each kind of event supports (SPEC §3). */
const EVENT_DEFINITIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  'bpmn:StartEvent': new Set(['Message', 'Signal', 'Timer', 'Error']),
  'bpmn:EndEvent': new Set(['Message', 'Signal', 'Error', 'Terminate']),
  'bpmn:IntermediateCatchEvent': new Set(['Message', 'Signal', 'Timer']),
  'bpmn:IntermediateThrowEvent': new Set(['Message', 'Signal']),
  'bpmn:BoundaryEvent': new Set(['Timer', 'Error', 'Message', 'Signal']),
};

/** Checks an executable process and returns its start triggers. */
export function checkProcess(process: ModdleElement, ctx: RuleContext): StartTriggers {
  const triggers: StartTriggers = { timerStartCycles: [], messageStartNames: [], signalStartNames: [] };
  checkContainer(process, { isProcess: true, triggers }, ctx);
  return triggers;
}

function isEventSubProcess(node: ModdleElement): boolean {
  return node.$type === 'bpmn:SubProcess' && node.triggeredByEvent === true;
}

/** A process or sub-process: its flows, then each of its nodes. */
function checkContainer(container: ModdleElement, scope: Scope, ctx: RuleContext): void {
  const flowElements = children(container, 'flowElements');
  const members = new Set(flowElements);
  const incoming = new Map<ModdleElement, ModdleElement[]>();
  const outgoing = new Map<ModdleElement, ModdleElement[]>();
  const attach = (map: Map<ModdleElement, ModdleElement[]>, node: ModdleElement, flow: ModdleElement) =>
    map.set(node, [...(map.get(node) ?? []), flow]);

  for (const flow of flowElements.filter((element) => element.$type === 'bpmn:SequenceFlow')) {
    const source = flowEnd(flow, 'sourceRef', members, ctx);
    const target = flowEnd(flow, 'targetRef', members, ctx);
    if (source) attach(outgoing, source, flow);
    if (target) attach(incoming, target, flow);
    const condition = child(flow, 'conditionExpression');
    if (condition) checkCondition(flow, 'the condition', condition, ctx);
    checkCamundaExtensions(flow, ctx);
  }

  for (const node of flowElements) {
    if (node.$type === 'bpmn:SequenceFlow' || DATA_ELEMENTS.has(node.$type)) continue;
    const nodeIncoming = incoming.get(node) ?? [];
    const nodeOutgoing = outgoing.get(node) ?? [];
    checkNode(node, nodeOutgoing, scope, ctx);
    if (!isEventSubProcess(node)) checkConnections(node, nodeIncoming, nodeOutgoing, ctx);
  }
}

/** One end of a sequence flow: it must exist and be a flow node of the same scope. */
function flowEnd(flow: ModdleElement, property: 'sourceRef' | 'targetRef', members: ReadonlySet<ModdleElement>, ctx: RuleContext) {
  const node = child(flow, property);
  const report = (message: string) => ctx.report('flow-connected', flow.id, `${describe(flow)}: ${message}`);
  if (!node) {
    if (!ctx.isUnresolved(flow.id, `bpmn:${property}`)) report(`${property} is missing`);
    return undefined;
  }
  if (node.$type === 'bpmn:SequenceFlow' || DATA_ELEMENTS.has(node.$type) || !members.has(node)) {
    report(`${property} '${node.id ?? '?'}' is not a flow node of the same process or sub-process`);
    return undefined;
  }
  return node;
}

function checkConnections(node: ModdleElement, incoming: ModdleElement[], outgoing: ModdleElement[], ctx: RuleContext): void {
  const report = (message: string) => ctx.report('flow-connected', node.id, `${describe(node)} ${message}`);
  const startsFlow = node.$type === 'bpmn:StartEvent' || node.$type === 'bpmn:BoundaryEvent';
  if (startsFlow && incoming.length) report('must not have incoming sequence flows');
  if (!startsFlow && !incoming.length) report('has no incoming sequence flow');
  const endsFlow = node.$type === 'bpmn:EndEvent';
  if (endsFlow && outgoing.length) report('must not have outgoing sequence flows');
  if (!endsFlow && !outgoing.length) report('has no outgoing sequence flow');
}

function checkNode(node: ModdleElement, outgoing: ModdleElement[], scope: Scope, ctx: RuleContext): void {
  const type = node.$type;
  if (type in EVENT_DEFINITIONS) {
    checkEvent(node, scope, ctx);
  } else if (GATEWAYS.has(type)) {
    checkGateway(node, outgoing, ctx);
  } else if (SERVICE_LIKE_TASKS.has(type) || PLAIN_TASKS.has(type) || type === 'bpmn:UserTask' || type === 'bpmn:ScriptTask') {
    if (SERVICE_LIKE_TASKS.has(type)) checkServiceBinding(node, ctx);
    if (type === 'bpmn:ScriptTask') checkScriptTask(node, ctx);
    if (type === 'bpmn:UserTask') checkUserTask(node, ctx);
    checkActivity(node, ctx);
  } else if (type === 'bpmn:SubProcess') {
    checkActivity(node, ctx);
    checkContainer(node, { isProcess: false, triggers: scope.triggers }, ctx);
  } else if (type === 'bpmn:CallActivity') {
    checkCallActivity(node, ctx);
    checkActivity(node, ctx);
  } else {
    ctx.report('unsupported-element', node.id, `${describe(node)}: ${localName(type)} is not supported`);
  }
  checkCamundaExtensions(node, ctx);
}

function checkActivity(activity: ModdleElement, ctx: RuleContext): void {
  if (activity.isForCompensation === true) {
    ctx.report('unsupported-element', activity.id, `${describe(activity)}: compensation is not supported`);
  }
  checkLoopCharacteristics(activity, ctx);
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function checkEvent(event: ModdleElement, scope: Scope, ctx: RuleContext): void {
  const definitions = children(event, 'eventDefinitions');
  const allowed = EVENT_DEFINITIONS[event.$type] ?? new Set<string>();
  const isProcessStart = scope.isProcess && event.$type === 'bpmn:StartEvent';

  if (definitions.length > 1) {
    ctx.report('unsupported-element', event.id, `${describe(event)}: events with several event definitions are not supported`);
  }
  if (!definitions.length && (event.$type === 'bpmn:BoundaryEvent' || event.$type === 'bpmn:IntermediateCatchEvent')) {
    ctx.report('bpmn-schema', event.id, `${describe(event)} has no event definition: nothing would trigger it`);
  }
  if (event.$type === 'bpmn:BoundaryEvent' && !child(event, 'attachedToRef') && !ctx.isUnresolved(event.id, 'bpmn:attachedToRef')) {
    ctx.report('bpmn-schema', event.id, `${describe(event)} is attached to no activity (attachedToRef is missing)`);
  }

  for (const definition of definitions) {
    const kind = localName(definition.$type).replace(/EventDefinition$/, '');
    if (!allowed.has(kind)) {
      ctx.report('unsupported-element', event.id, `${describe(event)}: ${kind.toLowerCase()} ${eventKind(event)}s are not supported`);
      continue;
    }
    if (kind === 'Timer') {
      const cycle = checkTimerDefinition(event, definition, isProcessStart ? 'process-start' : 'in-instance', ctx);
      if (cycle !== undefined) addOnce(scope.triggers.timerStartCycles, cycle);
    } else if (isProcessStart && (kind === 'Message' || kind === 'Signal')) {
      const ref = child(definition, kind === 'Message' ? 'messageRef' : 'signalRef');
      const name = text(ref, 'name') ?? ref?.id ?? event.id;
      const list = kind === 'Message' ? scope.triggers.messageStartNames : scope.triggers.signalStartNames;
      if (name) addOnce(list, name);
    }
  }
}

/** `boundary event`, `start event`, ... for messages. */
function eventKind(event: ModdleElement): string {
  return localName(event.$type)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function checkGateway(gateway: ModdleElement, outgoing: ModdleElement[], ctx: RuleContext): void {
  const report = (elementId: string | undefined, message: string) => ctx.report('gateway-outgoing', elementId, message);
  if (DECIDING_GATEWAYS.has(gateway.$type)) {
    const defaultFlow = child(gateway, 'default');
    if (defaultFlow && !outgoing.includes(defaultFlow)) {
      report(gateway.id, `${describe(gateway)}: its default flow '${defaultFlow.id ?? '?'}' does not leave this gateway`);
    }
    if (outgoing.length > 1) {
      for (const flow of outgoing) {
        if (flow === defaultFlow || child(flow, 'conditionExpression')) continue;
        report(flow.id, `${describe(flow)} leaves ${describe(gateway)} without a condition and is not its default flow`);
      }
    }
    return;
  }
  for (const flow of outgoing) {
    if (child(flow, 'conditionExpression')) {
      report(flow.id, `${describe(flow)} has a condition, which ${describe(gateway)} ignores`);
    }
  }
  if (gateway.$type === 'bpmn:EventBasedGateway') {
    for (const flow of outgoing) {
      const target = child(flow, 'targetRef');
      if (target && !waitsForEvent(target)) {
        report(flow.id, `${describe(flow)}: ${describe(gateway)} may only lead to intermediate catch events or receive tasks, not ${describe(target)}`);
      }
    }
  }
}

function waitsForEvent(node: ModdleElement): boolean {
  return node.$type === 'bpmn:IntermediateCatchEvent' || node.$type === 'bpmn:ReceiveTask';
}
