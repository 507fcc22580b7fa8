import { JuelSyntaxError } from './errors';

/**
 * Tokens of the JUEL subset Camunda 7 authors put in conditions. Word
 * operators (`and`, `eq`, `not`, ...) are normalised to their symbol so the
 * parser only has one spelling to handle.
 */
export type JuelToken =
  | { type: 'number'; value: number; start: number; end: number }
  | { type: 'string'; value: string; start: number; end: number }
  | { type: 'identifier'; value: string; start: number; end: number }
  | { type: 'operator'; value: string; start: number; end: number }
  | { type: 'eof'; value: ''; start: number; end: number };

/** JUEL reserved words that stand for an operator or a literal. */
const WORD_OPERATORS: Readonly<Record<string, string>> = {
  and: '&&',
  or: '||',
  not: '!',
  eq: '==',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  div: '/',
  mod: '%',
  empty: 'empty',
  true: 'true',
  false: 'false',
  null: 'null',
};

/** Reserved by JUEL but outside our subset; rejecting them beats treating them as variable names. */
const UNSUPPORTED_WORDS = new Set(['instanceof']);

// Longest first so `<=` wins over `<`.
const SYMBOLS = ['&&', '||', '==', '!=', '<=', '>=', '!', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '.', ',', '?', ':'];

const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

/**
 * Splits a JUEL body (the text between `${` and `}`) into tokens, ending with
 * an `eof` token.
 * @throws JuelSyntaxError on a character or string the subset does not know
 */
export function tokenizeJuel(source: string): JuelToken[] {
  const tokens: JuelToken[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"') {
      const { value, end } = readString(source, i);
      tokens.push({ type: 'string', value, start, end });
      i = end;
      continue;
    }
    const number = /\d/.test(ch) || (ch === '.' && /\d/.test(source[i + 1] ?? '')) ? NUMBER.exec(source.slice(i)) : null;
    if (number) {
      i += number[0].length;
      tokens.push({ type: 'number', value: Number(number[0]), start, end: i });
      continue;
    }
    if (IDENTIFIER_START.test(ch)) {
      while (i < source.length && IDENTIFIER_PART.test(source[i])) i++;
      const word = source.slice(start, i);
      if (UNSUPPORTED_WORDS.has(word)) throw new JuelSyntaxError(`operator '${word}' is not supported`, start);
      const operator = Object.prototype.hasOwnProperty.call(WORD_OPERATORS, word) ? WORD_OPERATORS[word] : undefined;
      tokens.push(operator ? { type: 'operator', value: operator, start, end: i } : { type: 'identifier', value: word, start, end: i });
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, i));
    if (!symbol) {
      // `=` alone is the classic slip of someone used to FEEL or SQL.
      const hint = ch === '=' ? " (use '==' to compare)" : '';
      throw new JuelSyntaxError(`unexpected character '${ch}' at position ${i}${hint}`, i);
    }
    i += symbol.length;
    tokens.push({ type: 'operator', value: symbol, start, end: i });
  }
  tokens.push({ type: 'eof', value: '', start: source.length, end: source.length });
  return tokens;
}

/** Reads a quoted string starting at `start`; JUEL escapes only the quotes and the backslash. */
function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\' && (source[i + 1] === quote || source[i + 1] === '\\')) {
      value += source[i + 1];
      i += 2;
      continue;
    }
    if (ch === quote) return { value, end: i + 1 };
    value += ch;
    i++;
  }
  throw new JuelSyntaxError(`unterminated string starting at position ${start}`, start);
}
