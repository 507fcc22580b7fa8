import { JuelEvaluationError } from './errors';
import { describeValue } from './property-access';

/*
 * Coercion rules follow the JUEL 2.2 spec (section 1.18) closely enough for
 * conditions, with JavaScript values standing in for Java ones:
 * - null coerces to false as a boolean and to 0 as a number;
 * - `<`, `<=`, `>`, `>=` with a null operand are false, `==`/`!=` treat null
 *   as equal only to null — so `${x != null}` still means "x is set";
 * - anything that cannot be coerced is an error rather than a guess.
 */

/** JUEL boolean coercion: booleans as is, null → false, strings by `'true'` (any case). */
export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  throw new JuelEvaluationError(`cannot use ${describeValue(value)} as a boolean`);
}

/** JUEL number coercion: null and '' → 0, numeric strings parsed, anything else an error. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'string') {
    const parsed = Number(value.trim());
    if (value.trim() !== '' && !Number.isNaN(parsed)) return parsed;
  }
  throw new JuelEvaluationError(`cannot use ${describeValue(value)} as a number`);
}

/** `==` with JUEL coercion: numbers win over booleans, booleans over strings. */
export function looseEquals(left: unknown, right: unknown): boolean {
  const leftNull = left === null || left === undefined;
  const rightNull = right === null || right === undefined;
  if (leftNull || rightNull) return leftNull && rightNull;
  if (typeof left === typeof right) return left === right || (left instanceof Date && right instanceof Date && left.getTime() === right.getTime());
  try {
    if (typeof left === 'number' || typeof right === 'number') return toNumber(left) === toNumber(right);
    if (typeof left === 'boolean' || typeof right === 'boolean') return toBoolean(left) === toBoolean(right);
  } catch {
    // Not coercible means not equal: `${count == 'many'}` is false, not a crash.
    return false;
  }
  if (typeof left === 'string' || typeof right === 'string') return String(left) === String(right);
  return false;
}

/** `<`, `<=`, `>`, `>=`: false with a null operand, numeric or string ordering otherwise. */
export function compare(operator: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  if (left === null || left === undefined || right === null || right === undefined) return false;
  const order = ordering(left, right);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function ordering(left: unknown, right: unknown): number {
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (left instanceof Date && right instanceof Date) return left.getTime() - right.getTime();
  if (typeof left === 'number' || typeof right === 'number') {
    const difference = toNumber(left) - toNumber(right);
    // NaN makes every comparison false, like Java's double comparison.
    return Number.isNaN(difference) ? Number.NaN : difference;
  }
  throw new JuelEvaluationError(`cannot compare ${describeValue(left)} with ${describeValue(right)}`);
}

/** `empty x`: true for null, '', an empty list, or an object without keys. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  if (typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length === 0;
  return false;
}
