/**
 * A piece of an expression text: literal text, or a `${...}` / `#{...}`
 * placeholder. `${...}` is JUEL's immediate and `#{...}` its deferred
 * syntax; Camunda evaluates both the same way, and so do we.
 */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'placeholder'; marker: '$' | '#'; body: string; source: string };

/**
 * Splits text into literal text and placeholders. The closing brace is found
 * outside quoted strings, so `${risk == '}'}` is one placeholder — the
 * bpmn-elements default stops at the first `}` instead. An opening `${`
 * without a closing brace stays literal text, as in the default.
 */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let textStart = 0;
  let i = 0;
  while (i < text.length - 1) {
    const marker = text[i];
    if ((marker !== '$' && marker !== '#') || text[i + 1] !== '{') {
      i++;
      continue;
    }
    const close = findClosingBrace(text, i + 2);
    if (close < 0) break;
    if (i > textStart) parts.push({ kind: 'text', text: text.slice(textStart, i) });
    parts.push({ kind: 'placeholder', marker, body: text.slice(i + 2, close), source: text.slice(i, close + 1) });
    i = textStart = close + 1;
  }
  if (textStart < text.length) parts.push({ kind: 'text', text: text.slice(textStart) });
  return parts;
}

function findClosingBrace(text: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '}') {
      return i;
    }
  }
  return -1;
}
