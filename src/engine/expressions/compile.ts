import { parseDefaultReference } from './default-reference';
import { JuelSyntaxError } from './errors';
import { findFeelSyntaxError } from './feel';
import { JuelNode, parseJuel } from './juel';
import { isBlockedProperty } from './property-access';
import { splitTemplate } from './template';

/** One piece of a compiled text: literal text, a bpmn-elements default reference, or JUEL. */
export type CompiledPart =
  | { kind: 'text'; text: string }
  | { kind: 'default'; node: JuelNode }
  | { kind: 'juel'; node: JuelNode };

/**
 * An expression text after parsing, ready to evaluate many times.
 * `single` means the text is one placeholder (give or take surrounding
 * whitespace), so its value is returned as is instead of as a string.
 */
export type CompiledExpression =
  | { kind: 'invalid'; message: string }
  | { kind: 'feel'; body: string }
  | { kind: 'template'; parts: CompiledPart[]; single: boolean };

/**
 * Bounded so a process that builds expression texts from data (message
 * names with `${content.id}`, say) cannot grow it without limit; Map keeps
 * insertion order, so the oldest entry is the one dropped.
 */
const CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledExpression>();

/**
 * Compiles an expression text, memoised by text. Invalid texts are cached
 * too, as `{ kind: 'invalid' }`, so a broken condition is parsed once.
 */
export function compileExpression(text: string): CompiledExpression {
  const cached = cache.get(text);
  if (cached) return cached;
  const compiled = compileUncached(text);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, compiled);
  return compiled;
}

function compileUncached(text: string): CompiledExpression {
  const trimmed = text.trim();
  // Condition bodies are often indented inside <conditionExpression>; the `=` still marks FEEL.
  if (trimmed.startsWith('=')) {
    const body = trimmed.slice(1);
    const problem = findFeelSyntaxError(body);
    return problem ? { kind: 'invalid', message: problem } : { kind: 'feel', body };
  }
  const parts: CompiledPart[] = [];
  for (const part of splitTemplate(text)) {
    if (part.kind === 'text') {
      parts.push(part);
      continue;
    }
    const compiled = compilePlaceholder(part.marker, part.body);
    if ('message' in compiled) return { kind: 'invalid', message: compiled.message };
    parts.push(compiled);
  }
  const meaningful = parts.filter((part) => part.kind !== 'text' || part.text.trim() !== '');
  return { kind: 'template', parts, single: meaningful.length === 1 && meaningful[0].kind !== 'text' };
}

function compilePlaceholder(marker: '$' | '#', body: string): CompiledPart | { message: string } {
  // Only `${...}` keeps the default meaning; `#{...}` never existed in bpmn-elements.
  const reference = marker === '$' ? parseDefaultReference(body) : null;
  let node: JuelNode;
  if (reference) {
    node = reference;
  } else {
    try {
      node = parseJuel(body);
    } catch (error) {
      if (error instanceof JuelSyntaxError) return { message: error.message };
      throw error;
    }
  }
  const blocked = findBlockedProperty(node);
  if (blocked) return { message: `property '${blocked}' is not accessible` };
  return reference ? { kind: 'default', node } : { kind: 'juel', node };
}

/** First statically visible blocked property name (`a.constructor`, `a['__proto__']`), if any. */
function findBlockedProperty(node: JuelNode): string | null {
  switch (node.kind) {
    case 'literal':
    case 'identifier':
      return null;
    case 'member': {
      const key = typeof node.property === 'string' ? node.property : node.property.kind === 'literal' ? String(node.property.value) : null;
      if (key !== null && isBlockedProperty(key)) return key;
      return findBlockedProperty(node.object) ?? (typeof node.property === 'string' ? null : findBlockedProperty(node.property));
    }
    case 'call':
      return findBlockedProperty(node.callee) ?? node.args.map(findBlockedProperty).find((name) => name !== null) ?? null;
    case 'unary':
      return findBlockedProperty(node.operand);
    case 'binary':
      return findBlockedProperty(node.left) ?? findBlockedProperty(node.right);
    case 'conditional':
      return findBlockedProperty(node.test) ?? findBlockedProperty(node.consequent) ?? findBlockedProperty(node.alternate);
  }
}
