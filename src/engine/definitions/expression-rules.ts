/**
 * Expressions and embedded scripts wherever they appear: sequence-flow
 * conditions, Camunda input/output mappings and listeners. Expressions go to
 * the injected validator; scripts (node:vm, not a sandbox) need ALLOW_SCRIPT_TASKS.
 */
import { child, children, describe, text, type ModdleElement } from './moddle';
import { containsExpression, type RuleContext } from './rule-context';

export const SCRIPT_SANDBOX_WARNING =
  "the engine's script sandbox (node:vm) is not a security boundary: a script can reach the server process; " +
  'set ALLOW_SCRIPT_TASKS=true only when every process author is trusted';

/** Script languages bpmn-engine can run. */
export const JAVASCRIPT = /^(javascript|js)$/i;

/**
 * A script embedded in `owner` (a condition with a `language`, a camunda:script
 * mapping or listener): rule `script` unless scripts are allowed, and then only JavaScript.
 */
export function checkEmbeddedScript(owner: ModdleElement, what: string, language: string | undefined, ctx: RuleContext): void {
  if (!ctx.options.allowScriptTasks) {
    ctx.report('script', owner.id, `${describe(owner)}: ${what} is a script (language "${language ?? '?'}"); ${SCRIPT_SANDBOX_WARNING}`);
  } else if (!language || !JAVASCRIPT.test(language)) {
    ctx.report('script', owner.id, `${describe(owner)}: ${what} is in "${language ?? 'no language'}"; only JavaScript scripts can run`);
  }
}

/** A `bpmn:FormalExpression` used as a condition (sequence flow, multi-instance completion). */
export function checkCondition(owner: ModdleElement, what: string, expression: ModdleElement, ctx: RuleContext): void {
  const language = text(expression, 'language');
  if (language) {
    checkEmbeddedScript(owner, what, language, ctx);
    return;
  }
  const body = text(expression, 'body');
  if (!body) {
    ctx.report('condition-expression', owner.id, `${describe(owner)}: ${what} is empty`);
    return;
  }
  if (!containsExpression(body)) {
    // bpmn-engine would resolve plain text to itself: a non-empty string, always true.
    ctx.report(
      'condition-expression',
      owner.id,
      `${describe(owner)}: ${what} "${body}" is plain text, which is always true; write \${...} (JUEL) or =... (FEEL)`,
    );
    return;
  }
  ctx.checkExpression('condition-expression', owner.id, `${describe(owner)}: ${what}`, body);
}

/** The Camunda extension elements of a flow node (`camunda:inputOutput`, listeners, ...). */
function extensionValues(element: ModdleElement): ModdleElement[] {
  return children(child(element, 'extensionElements'), 'values');
}

function checkParameter(owner: ModdleElement, parameter: ModdleElement, ctx: RuleContext): void {
  const where = `${describe(owner)}: ${parameter.$type === 'camunda:InputParameter' ? 'input' : 'output'} parameter '${
    text(parameter, 'name') ?? '?'
  }'`;
  const definition = child(parameter, 'definition');
  if (!definition) {
    ctx.checkValueExpressions(owner.id, where, parameter.value);
  } else if (definition.$type === 'camunda:List') {
    for (const item of children(definition, 'items')) ctx.checkValueExpressions(owner.id, where, item.value);
  } else if (definition.$type === 'camunda:Map') {
    for (const entry of children(definition, 'entries')) ctx.checkValueExpressions(owner.id, where, entry.value);
  } else if (definition.$type === 'camunda:Script') {
    checkEmbeddedScript(owner, where, text(definition, 'scriptFormat'), ctx);
  }
}

function checkListener(owner: ModdleElement, listener: ModdleElement, ctx: RuleContext): void {
  const kind = listener.$type === 'camunda:TaskListener' ? 'task listener' : 'execution listener';
  const javaDelegate = text(listener, 'class') ?? text(listener, 'delegateExpression');
  if (javaDelegate) {
    ctx.report('unsupported-element', owner.id, `${describe(owner)}: the ${kind} "${javaDelegate}" is a Java delegate, which cannot run here`);
  }
  const expression = text(listener, 'expression');
  if (expression) ctx.checkExpression('expression', owner.id, `${describe(owner)}: the ${kind} expression`, expression);
  const script = child(listener, 'script');
  if (script) checkEmbeddedScript(owner, `the ${kind}`, text(script, 'scriptFormat'), ctx);
}

/** camunda:inputOutput mappings and camunda listeners of any flow node or sequence flow. */
export function checkCamundaExtensions(owner: ModdleElement, ctx: RuleContext): void {
  for (const value of extensionValues(owner)) {
    if (value.$type === 'camunda:InputOutput') {
      for (const parameter of [...children(value, 'inputParameters'), ...children(value, 'outputParameters')]) {
        checkParameter(owner, parameter, ctx);
      }
    } else if (value.$type === 'camunda:ExecutionListener' || value.$type === 'camunda:TaskListener') {
      checkListener(owner, value, ctx);
    }
  }
}

/** Whether the element carries a `camunda:connector` (a Camunda 7 Java connector). */
export function hasCamundaConnector(element: ModdleElement): boolean {
  return extensionValues(element).some((value) => value.$type === 'camunda:Connector');
}
