/*
 * Expression resolver for bpmn-elements: sequence-flow conditions and every
 * other `${...}` the engine resolves (service implementations, timers,
 * message names), without eval, new Function or vm.
 *
 * Which language a text is:
 * - starts with `=`             → FEEL (Camunda 8), via feelin;
 * - `#{...}`                    → JUEL (Camunda 7);
 * - `${path}` / `${path.fn(a)}` rooted in environment, content, properties
 *   or fields               → the bpmn-elements default (default-reference.ts);
 * - any other `${...}`          → JUEL;
 * - anything else               → plain text, returned unchanged.
 * Text mixing literal text and placeholders is a template: each placeholder
 * is evaluated and spliced in (undefined and null become '').
 */
import { CompiledExpression, CompiledPart, compileExpression } from './compile';
import { evaluateDefaultReference } from './default-reference';
import { ExpressionError, JuelEvaluationError } from './errors';
import { evaluateFeel, isFeelSyntaxError } from './feel';
import { evaluateJuel } from './juel';
import { ExpressionContext, createFeelScope, createJuelScope } from './scope';

export { ExpressionError } from './errors';
export type { ExpressionContext } from './scope';

/** The resolver shape bpmn-elements accepts as `new Engine({ expressions })`. */
export interface EngineExpressions {
  resolveExpression(text: unknown, context?: ExpressionContext, fnContext?: unknown): unknown;
  isExpression(text: unknown): boolean;
  hasExpression(text: unknown): boolean;
}

/**
 * Checks, at deploy time, that a text can be evaluated by
 * {@link createEngineExpressions}.
 * @returns null for FEEL, JUEL and default expressions we support and for
 *   plain text; otherwise a message such as
 *   "method calls are not supported: bean.check()"
 */
export function validateExpression(text: string): string | null {
  const compiled = compileExpression(text);
  return compiled.kind === 'invalid' ? compiled.message : null;
}

/**
 * Builds the resolver to pass as `expressions` to bpmn-engine's `Engine`.
 * Parsed expressions are cached by text across all engines.
 * @throws ExpressionError (from resolveExpression) when a text does not
 *   parse or fails to evaluate; the engine reports it as an activity error.
 */
export function createEngineExpressions(): EngineExpressions {
  return {
    resolveExpression(text, context, fnContext) {
      if (typeof text !== 'string') return text;
      return resolve(text, compileExpression(text), context, fnContext);
    },
    isExpression(text) {
      if (typeof text !== 'string') return false;
      const compiled = compileExpression(text);
      return compiled.kind === 'feel' || (compiled.kind === 'template' && compiled.single);
    },
    hasExpression(text) {
      if (typeof text !== 'string') return false;
      const compiled = compileExpression(text);
      return compiled.kind === 'feel' || (compiled.kind === 'template' && compiled.parts.some((part) => part.kind !== 'text'));
    },
  };
}

function resolve(text: string, compiled: CompiledExpression, context: ExpressionContext | undefined, fnContext: unknown): unknown {
  switch (compiled.kind) {
    case 'invalid':
      throw new ExpressionError(compiled.message, text);
    case 'feel':
      try {
        return evaluateFeel(compiled.body, createFeelScope(context));
      } catch (error) {
        // feelin reports most problems as null + warning; what it throws (syntax, an
        // unsupported range, a failing function from the scope) fails the condition.
        if (isFeelSyntaxError(error)) throw new ExpressionError(`FEEL syntax error: ${error.message}`, text, { cause: error });
        throw new ExpressionError(`FEEL evaluation failed: ${error instanceof Error ? error.message : String(error)}`, text, { cause: error });
      }
    case 'template': {
      if (compiled.single) return evaluatePart(text, compiled.parts.find((part) => part.kind !== 'text')!, context, fnContext);
      let result = '';
      for (const part of compiled.parts) {
        const value = evaluatePart(text, part, context, fnContext);
        result += value === undefined || value === null ? '' : String(value);
      }
      return result;
    }
  }
}

function evaluatePart(text: string, part: CompiledPart, context: ExpressionContext | undefined, fnContext: unknown): unknown {
  try {
    switch (part.kind) {
      case 'text':
        return part.text;
      case 'default':
        return evaluateDefaultReference(part.node, context ?? {}, fnContext);
      case 'juel':
        return evaluateJuel(part.node, createJuelScope(context));
    }
  } catch (error) {
    if (error instanceof JuelEvaluationError) throw new ExpressionError(error.message, text, { cause: error });
    throw error;
  }
}
