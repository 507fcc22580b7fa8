/**
 * Rules for activities: how service-like tasks are bound, script tasks, the
 * expressions of user tasks, call activities and multi-instance loops.
 */
import { checkCondition, hasCamundaConnector, JAVASCRIPT, SCRIPT_SANDBOX_WARNING } from './expression-rules';
import { child, describe, localName, text, type ModdleElement } from './moddle';
import { isWholeExpression, type RuleContext } from './rule-context';

/** The one binding bpmn-engine runs natively; the runtime reads NAME as the topic. */
const SERVICES_EXPRESSION = /^\$\{\s*environment\.services\.([\w.-]+)\s*\}$/;

/** Task types bpmn-engine runs with its service-task behaviour. */
export const SERVICE_LIKE_TASKS: ReadonlySet<string> = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

function knownTopicList(ctx: RuleContext): string {
  const topics = [...ctx.options.knownTopics].sort();
  return topics.length ? topics.join(', ') : 'none';
}

/** `implementation` values that name no binding (BPMN's own defaults). */
function implementationBinding(task: ModdleElement): string | undefined {
  const implementation = text(task, 'implementation');
  return implementation && !implementation.startsWith('##') ? implementation : undefined;
}

/**
 * A service task must end up at a handler: an in-process one (a known topic)
 * or an external worker (`camunda:type="external"` with a topic). Send and
 * business-rule tasks are held to the same rule once they carry any binding.
 */
export function checkServiceBinding(task: ModdleElement, ctx: RuleContext): void {
  const type = text(task, 'type');
  const topic = text(task, 'topic');
  const javaClass = text(task, 'class');
  const delegateExpression = text(task, 'delegateExpression');
  const expression = text(task, 'expression');
  const implementation = implementationBinding(task);
  const decisionRef = text(task, 'decisionRef');
  const connector = hasCamundaConnector(task);

  const kind = describe(task);
  const howToBind = `bind it with camunda:type="external" camunda:topic="..." (external workers) or a camunda:topic with an in-process handler (${knownTopicList(ctx)})`;
  const report = (rule: string, message: string) => ctx.report(rule, task.id, `${kind}: ${message}`);

  const unsupported: string[] = [];
  if (javaClass) unsupported.push(`camunda:class "${javaClass}" is a Java delegate`);
  if (delegateExpression) unsupported.push(`camunda:delegateExpression "${delegateExpression}" names a Java bean`);
  if (connector) unsupported.push('camunda:connector is a Camunda 7 Java connector');
  for (const reason of unsupported) report('service-topic', `${reason}, which cannot run here; ${howToBind}`);
  if (decisionRef) report('unsupported-element', `DMN decisions (camunda:decisionRef "${decisionRef}") are not supported`);
  if (unsupported.length || decisionRef) return;

  if (type !== undefined) {
    if (type !== 'external') report('service-topic', `camunda:type="${type}" is not supported (only "external"); ${howToBind}`);
    else if (!topic) report('service-topic', 'camunda:type="external" needs a non-empty camunda:topic');
    return;
  }
  if (topic) {
    if (!ctx.options.knownTopics.has(topic)) {
      report(
        'service-topic',
        `topic '${topic}' has no in-process handler (known topics: ${knownTopicList(ctx)}); ` +
          'add camunda:type="external" to serve it to external workers',
      );
    }
    return;
  }
  for (const [attribute, value] of [
    ['implementation', implementation],
    ['camunda:expression', expression],
  ] as const) {
    if (!value) continue;
    const service = SERVICES_EXPRESSION.exec(value)?.[1];
    if (service === undefined) {
      report('service-topic', `${attribute} "${value}" is not \${environment.services.NAME}; ${howToBind}`);
    } else if (!ctx.options.knownTopics.has(service)) {
      report('service-topic', `${attribute} names service '${service}', which has no in-process handler (known topics: ${knownTopicList(ctx)})`);
    }
    return;
  }
  report('service-topic', `the task is bound to no topic; ${howToBind}`);
}

/** Script tasks run in node:vm, which is no sandbox: only with ALLOW_SCRIPT_TASKS, and only JavaScript. */
export function checkScriptTask(task: ModdleElement, ctx: RuleContext): void {
  if (!ctx.options.allowScriptTasks) {
    ctx.report('script-task', task.id, `${describe(task)}: script tasks are disabled; ${SCRIPT_SANDBOX_WARNING}`);
    return;
  }
  const format = text(task, 'scriptFormat');
  if (!format || !JAVASCRIPT.test(format)) {
    ctx.report('script-task', task.id, `${describe(task)}: scriptFormat "${format ?? ''}" cannot run; only JavaScript scripts can`);
  } else if (!text(task, 'script')) {
    const resource = text(task, 'resource');
    ctx.report('script-task', task.id, `${describe(task)}: ${resource ? `external script resource "${resource}" is not supported` : 'the script is empty'}`);
  }
}

const USER_TASK_ATTRIBUTES = ['assignee', 'candidateUsers', 'candidateGroups', 'dueDate', 'followUpDate', 'priority'];

/** The expressions in a user task's Camunda assignment and scheduling attributes. */
export function checkUserTask(task: ModdleElement, ctx: RuleContext): void {
  for (const attribute of USER_TASK_ATTRIBUTES) {
    ctx.checkValueExpressions(task.id, `${describe(task)}: camunda:${attribute}`, task[attribute]);
  }
}

/** A call activity must name the process it calls. */
export function checkCallActivity(activity: ModdleElement, ctx: RuleContext): void {
  const calledElement = text(activity, 'calledElement');
  if (!calledElement) {
    ctx.report('call-activity', activity.id, `${describe(activity)}: calledElement (the key of the process to call) is missing`);
  } else {
    ctx.checkValueExpressions(activity.id, `${describe(activity)}: calledElement`, calledElement);
  }
}

/** Loop characteristics: multi-instance over a collection or a cardinality; standard loops are unsupported. */
export function checkLoopCharacteristics(activity: ModdleElement, ctx: RuleContext): void {
  const loop = child(activity, 'loopCharacteristics');
  if (!loop) return;
  if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
    ctx.report('unsupported-element', activity.id, `${describe(activity)}: ${localName(loop.$type)} is not supported; use multi-instance`);
    return;
  }
  const where = `${describe(activity)}: multi-instance`;
  const collection = text(loop, 'collection');
  const cardinality = text(child(loop, 'loopCardinality'), 'body');
  if (!collection && !cardinality) {
    ctx.report('multi-instance', activity.id, `${where} needs camunda:collection or a loopCardinality`);
  }
  ctx.checkValueExpressions(activity.id, `${where} camunda:collection`, collection);
  if (cardinality && !isWholeExpression(cardinality) && !/^\d+$/.test(cardinality)) {
    ctx.report('multi-instance', activity.id, `${where} loopCardinality "${cardinality}" is neither a whole number nor an expression`);
  } else {
    ctx.checkValueExpressions(activity.id, `${where} loopCardinality`, cardinality);
  }
  const completion = child(loop, 'completionCondition');
  if (completion) checkCondition(activity, 'the multi-instance completionCondition', completion, ctx);
}
