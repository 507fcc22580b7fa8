/*
 * FEEL, the Camunda 8 expression language (`=accuracy >= 0.9`), evaluated by
 * feelin, which interprets a lezer syntax tree — no eval involved.
 *
 * feelin is ESM-only. Under `tsx`/Node 20.19+ the compiled `require('feelin')`
 * loads it natively; under jest, babel-jest rewrites feelin and its ESM
 * dependencies to CommonJS (see transform in jest.config.js).
 *
 * feelin turns most runtime problems (unknown variable, wrong types) into
 * null plus a warning; a null condition is simply not taken, which matches
 * the JUEL choice in juel.ts.
 */
import { evaluate, parseExpression, SyntaxError as FeelSyntaxError } from 'feelin';

/**
 * Finds the first syntax error in a FEEL expression (without its leading
 * `=`), or null when it parses.
 *
 * feelin's parser recovers from errors, leaving error nodes in the tree, and
 * only `evaluate` throws on them; so we walk the tree ourselves. On top of
 * that, lezer-feel accepts `a == b` as "a equals the unary test `= b`",
 * which always evaluates to false or null — we report that as the JUEL habit
 * it is. Names may contain spaces in FEEL (`order total`), so `a b` is valid.
 */
export function findFeelSyntaxError(body: string): string | null {
  if (body.trim() === '') return 'FEEL expression is empty';
  const tree = parseExpression(body, {}, undefined);
  let problem: string | null = null;
  tree.iterate({
    enter(node) {
      if (problem) return false;
      if (node.type.isError) {
        const near = body.slice(node.from, node.from + 10);
        problem = near ? `FEEL syntax error at position ${node.from} near '${near}'` : `FEEL syntax error: unexpected end of expression`;
        return false;
      }
      if (node.name === 'SimplePositiveUnaryTest' && node.node.parent?.name === 'Comparison') {
        problem = `FEEL syntax error at position ${node.from}: two comparison operators in a row (FEEL compares with '=', not '==')`;
        return false;
      }
      return undefined;
    },
  });
  return problem;
}

/**
 * Evaluates a FEEL expression (without its leading `=`) over `scope`.
 * @throws feelin's SyntaxError for text {@link findFeelSyntaxError} rejects
 */
export function evaluateFeel(body: string, scope: Record<string, unknown>): unknown {
  return evaluate(body, scope).value;
}

/** Whether an error came from feelin's parser (as opposed to a function called from FEEL). */
export function isFeelSyntaxError(error: unknown): error is FeelSyntaxError {
  return error instanceof FeelSyntaxError;
}
