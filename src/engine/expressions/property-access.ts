import { JuelEvaluationError } from './errors';

/**
 * Names that lead from ordinary data to the prototype chain, and from there
 * to the `Function` constructor (`x.constructor.constructor('code')`), which
 * is `eval` by another name. Expressions come from deployed BPMN files, so
 * they are never allowed to reach these.
 */
const BLOCKED_PROPERTIES = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** Whether a property name is refused by {@link readProperty}; used at deploy time too. */
export function isBlockedProperty(name: string): boolean {
  return BLOCKED_PROPERTIES.has(name);
}

export interface ReadPropertyOptions {
  /** bpmn-elements lets `list[-1]` mean the last item; JUEL does not. */
  negativeIndex: boolean;
}

/**
 * Reads `base[key]` for an expression, returning undefined when the base is
 * null/undefined or the property is missing.
 *
 * Inherited properties stay readable because bpmn-elements exposes
 * `environment.variables` and `environment.services` as prototype getters.
 * @throws JuelEvaluationError for blocked names and for properties of
 *   functions (`fn.call`, `fn.bind` would hand out a way to call with a
 *   chosen receiver).
 */
export function readProperty(base: unknown, key: unknown, options: ReadPropertyOptions): unknown {
  if (base === null || base === undefined) return undefined;
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw new JuelEvaluationError(`property key must be a string or a number, got ${describeValue(key)}`);
  }
  const name = String(key);
  if (isBlockedProperty(name)) throw new JuelEvaluationError(`property '${name}' is not accessible`);
  if (typeof base === 'function') throw new JuelEvaluationError(`properties of functions are not accessible: '${name}'`);
  if (Array.isArray(base) && options.negativeIndex && /^-\d+$/.test(name)) {
    const index = Number(name);
    return base[index === 0 ? 0 : base.length + index];
  }
  if (typeof base === 'string') {
    // Strings only expose their length and characters, not String.prototype methods.
    return name === 'length' ? base.length : /^\d+$/.test(name) ? base[Number(name)] : undefined;
  }
  if (typeof base !== 'object') return undefined;
  return (base as Record<string, unknown>)[name];
}

/** Short description of a value for error messages, never its full content. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `string '${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
