/*
 * The bpmn-elements default resolver, reimplemented over our parser.
 *
 * bpmn-elements resolves `${environment.services.train}`,
 * `${environment.variables.x}` or `${environment.services.fn(content.id, 'a')}`
 * by walking the path through the execution context and calling any
 * function on the way. Service tasks, timers, message names and call
 * activities rely on it, so those forms keep that meaning. We reimplement it
 * rather than import it because its regex walker happily follows
 * `environment.constructor.constructor('...')`, i.e. reaches `Function`.
 */
import { JuelEvaluationError } from './errors';
import { JuelNode, parseJuelBody } from './juel-parser';
import { readProperty } from './property-access';

/**
 * Roots of the bpmn-elements execution context (`{ environment, ...message }`).
 * A path or call starting anywhere else is JUEL, where calls are refused;
 * fixing the list (instead of asking the live context) lets deploy-time
 * validation give the same answer as run time.
 */
export const DEFAULT_ROOTS: ReadonlySet<string> = new Set(['environment', 'content', 'properties', 'fields']);

/**
 * Returns the tree of a `${...}` body when it is a default-kind reference —
 * a property path from one of {@link DEFAULT_ROOTS}, possibly with
 * `fn(args)` calls whose arguments are literals or paths — else null.
 */
export function parseDefaultReference(body: string): JuelNode | null {
  let node: JuelNode;
  try {
    node = parseJuelBody(body, { allowCalls: true });
  } catch {
    return null;
  }
  return isRootedPath(node) ? node : null;
}

function isRootedPath(node: JuelNode): boolean {
  switch (node.kind) {
    case 'identifier':
      return DEFAULT_ROOTS.has(node.name);
    case 'member':
      return isRootedPath(node.object) && (typeof node.property === 'string' || isLiteralKey(node.property));
    case 'call':
      return node.callee.kind !== 'identifier' && isRootedPath(node.callee) && node.args.every(isPlainArgument);
    default:
      return false;
  }
}

/** Arguments the default resolver understands: literals and call-free paths from any root. */
function isPlainArgument(node: JuelNode): boolean {
  switch (node.kind) {
    case 'literal':
      return true;
    case 'unary':
      return node.operator === '-' && node.operand.kind === 'literal' && typeof node.operand.value === 'number';
    case 'identifier':
      return true;
    case 'member':
      return isPlainArgument(node.object) && node.object.kind !== 'literal' && (typeof node.property === 'string' || isLiteralKey(node.property));
    default:
      return false;
  }
}

function isLiteralKey(node: JuelNode): boolean {
  if (node.kind === 'literal') return typeof node.value === 'string' || typeof node.value === 'number';
  return node.kind === 'unary' && node.operator === '-' && node.operand.kind === 'literal' && typeof node.operand.value === 'number';
}

/**
 * Evaluates a tree from {@link parseDefaultReference} with the default's
 * semantics: a missing step yields undefined, a call without arguments
 * receives the whole context, and calls run with `fnContext` as `this`.
 * @throws JuelEvaluationError when a blocked property is reached or a
 *   non-function is called
 */
export function evaluateDefaultReference(node: JuelNode, context: Record<string, unknown>, fnContext?: unknown): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'unary':
      return -(evaluateDefaultReference(node.operand, context, fnContext) as number);
    case 'identifier':
      return readProperty(context, node.name, { negativeIndex: true });
    case 'member': {
      const base = evaluateDefaultReference(node.object, context, fnContext);
      const key = typeof node.property === 'string' ? node.property : evaluateDefaultReference(node.property, context, fnContext);
      return readProperty(base, key, { negativeIndex: true });
    }
    case 'call': {
      const fn = evaluateDefaultReference(node.callee, context, fnContext);
      if (fn === undefined || fn === null) return undefined;
      if (typeof fn !== 'function') throw new JuelEvaluationError(`not a function: ${describeCallee(node.callee)}`);
      // Belt and braces: property access already blocks the usual routes to it.
      if (fn === Function) throw new JuelEvaluationError('calling the Function constructor is not allowed');
      const args = node.args.length ? node.args.map((arg) => evaluateDefaultReference(arg, context, fnContext)) : [context];
      return Reflect.apply(fn, fnContext ?? null, args);
    }
    default:
      throw new JuelEvaluationError(`unsupported reference: ${node.kind}`);
  }
}

function describeCallee(node: JuelNode): string {
  if (node.kind === 'identifier') return node.name;
  if (node.kind === 'member' && typeof node.property === 'string') return `${describeCallee(node.object)}.${node.property}`;
  return 'expression';
}
