import type { JuelScope } from './juel';

/**
 * What bpmn-elements passes to the resolver: `{ environment, ...message }`,
 * plus whatever the caller put in the message (`content`, `properties`...).
 */
export type ExpressionContext = Record<string, unknown> & { environment?: { variables?: Record<string, unknown> } };

const hasOwn = (target: object, name: string): boolean => Object.prototype.hasOwnProperty.call(target, name);

function variablesOf(context: ExpressionContext | undefined): Record<string, unknown> | undefined {
  const variables = context?.environment?.variables;
  return variables && typeof variables === 'object' ? variables : undefined;
}

/**
 * Identifier lookup for JUEL: process variables first, so `${accuracy >= 0.9}`
 * reads the variable, then the context's own keys, so
 * `${environment.variables.accuracy >= 0.9}` works too. Own keys only: an
 * identifier must never resolve to an inherited `constructor` or `toString`.
 */
export function createJuelScope(context: ExpressionContext | undefined): JuelScope {
  const variables = variablesOf(context);
  return (name) => {
    if (variables && hasOwn(variables, name)) return variables[name];
    if (context && hasOwn(context, name)) return context[name];
    return undefined;
  };
}

/** The same names as {@link createJuelScope}, as the plain record feelin expects. */
export function createFeelScope(context: ExpressionContext | undefined): Record<string, unknown> {
  return { ...context, ...variablesOf(context) };
}
