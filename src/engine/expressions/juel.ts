/*
 * JUEL (Java Unified Expression Language), the condition language of
 * Camunda 7, interpreted from a syntax tree — never through eval, new
 * Function or vm.
 *
 * Glossary:
 * - body: the text between `${` (or `#{`) and the closing `}`.
 * - scope: how identifiers are looked up; the resolver puts process
 *   variables first, then the bpmn-elements context (`environment`,
 *   `content`, ...).
 *
 * Deliberate difference from Camunda: an identifier that is not in scope
 * evaluates to null instead of throwing PropertyNotFoundException. A
 * condition like `${approved}` on an instance where nobody set `approved` is
 * then simply not taken (null is false, and comparisons with null are
 * false), which is what authors of optional variables expect; the cost is
 * that a misspelt variable name is silent, so deploy-time validation cannot
 * catch it either.
 */
import { JuelEvaluationError } from './errors';
import { compare, isEmpty, looseEquals, toBoolean, toNumber } from './juel-coercion';
import { JuelBinaryOperator, JuelNode, parseJuelBody } from './juel-parser';
import { readProperty } from './property-access';

export type { JuelNode } from './juel-parser';

/** Looks a top-level identifier up; undefined means "not in scope". */
export type JuelScope = (name: string) => unknown;

/**
 * Parses a JUEL body for evaluation with {@link evaluateJuel}. Calls are
 * rejected here, so a tree returned by this function never invokes code.
 * @throws JuelSyntaxError e.g. "method calls are not supported: bean.check()"
 */
export function parseJuel(body: string): JuelNode {
  return parseJuelBody(body, { allowCalls: false });
}

/**
 * Evaluates a tree from {@link parseJuel}. `&&`, `||` and `?:` short-circuit
 * like Java, so `${x != null && x.y > 1}` is safe on a missing `x`.
 * @throws JuelEvaluationError on values that cannot be coerced or compared
 */
export function evaluateJuel(node: JuelNode, scope: JuelScope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'identifier':
      return scope(node.name) ?? null;
    case 'member': {
      const base = evaluateJuel(node.object, scope);
      const key = typeof node.property === 'string' ? node.property : evaluateJuel(node.property, scope);
      if (base === null || base === undefined || key === null || key === undefined) return null;
      return readProperty(base, key, { negativeIndex: false }) ?? null;
    }
    case 'call':
      // parseJuel never produces calls; a tree built elsewhere must not sneak one in.
      throw new JuelEvaluationError('method calls are not supported');
    case 'unary':
      return evaluateUnary(node.operator, evaluateJuel(node.operand, scope));
    case 'conditional':
      return toBoolean(evaluateJuel(node.test, scope)) ? evaluateJuel(node.consequent, scope) : evaluateJuel(node.alternate, scope);
    case 'binary':
      if (node.operator === '&&') return toBoolean(evaluateJuel(node.left, scope)) && toBoolean(evaluateJuel(node.right, scope));
      if (node.operator === '||') return toBoolean(evaluateJuel(node.left, scope)) || toBoolean(evaluateJuel(node.right, scope));
      return evaluateBinary(node.operator, evaluateJuel(node.left, scope), evaluateJuel(node.right, scope));
  }
}

function evaluateUnary(operator: '!' | '-' | 'empty', value: unknown): unknown {
  switch (operator) {
    case '!':
      return !toBoolean(value);
    case '-':
      return -toNumber(value);
    case 'empty':
      return isEmpty(value);
  }
}

function evaluateBinary(operator: JuelBinaryOperator, left: unknown, right: unknown): unknown {
  switch (operator) {
    case '==':
      return looseEquals(left, right);
    case '!=':
      return !looseEquals(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(operator, left, right);
    case '+':
      // JUEL's `+` is arithmetic only; string concatenation is a JUEL 3 `+=` feature.
      return toNumber(left) + toNumber(right);
    case '-':
      return toNumber(left) - toNumber(right);
    case '*':
      return toNumber(left) * toNumber(right);
    case '/':
      return toNumber(left) / toNumber(right);
    case '%':
      return toNumber(left) % toNumber(right);
    default:
      throw new JuelEvaluationError(`unsupported operator '${operator}'`);
  }
}
