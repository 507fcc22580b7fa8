import { JuelSyntaxError } from './errors';
import { JuelToken, tokenizeJuel } from './juel-tokenizer';

/** Binary operators after normalisation (`and` → `&&`, `eq` → `==`, `div` → `/`, ...). */
export type JuelBinaryOperator = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

/**
 * Syntax tree of a JUEL body. `start`/`end` are offsets into the body so
 * error messages can quote what the author wrote.
 */
export type JuelNode = { start: number; end: number } & (
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'identifier'; name: string }
  | { kind: 'member'; object: JuelNode; property: string | JuelNode }
  | { kind: 'call'; callee: JuelNode; args: JuelNode[] }
  | { kind: 'unary'; operator: '!' | '-' | 'empty'; operand: JuelNode }
  | { kind: 'binary'; operator: JuelBinaryOperator; left: JuelNode; right: JuelNode }
  | { kind: 'conditional'; test: JuelNode; consequent: JuelNode; alternate: JuelNode }
);

/** Operator levels from loosest to tightest binding, as in the JUEL spec. */
const BINARY_LEVELS: ReadonlyArray<ReadonlyArray<JuelBinaryOperator>> = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

export interface JuelParseOptions {
  /**
   * Whether `fn(args)` is allowed. Only the bpmn-elements default resolver
   * (which runs registered services) needs calls; in conditions a call would
   * be a Java bean invocation in Camunda, which we cannot honour.
   */
  allowCalls: boolean;
}

/**
 * Parses a JUEL body (without its `${`/`#{` wrapper) into a syntax tree.
 * @throws JuelSyntaxError with the offending position
 */
export function parseJuelBody(source: string, options: JuelParseOptions): JuelNode {
  return new JuelParser(source, tokenizeJuel(source), options).parseAll();
}

class JuelParser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: JuelToken[],
    private readonly options: JuelParseOptions,
  ) {}

  parseAll(): JuelNode {
    if (this.peek().type === 'eof') throw new JuelSyntaxError('empty expression', 0);
    const node = this.parseConditional();
    const rest = this.peek();
    if (rest.type !== 'eof') throw this.unexpected(rest);
    return node;
  }

  private parseConditional(): JuelNode {
    const test = this.parseBinary(0);
    if (!this.accept('?')) return test;
    const consequent = this.parseConditional();
    this.expect(':');
    const alternate = this.parseConditional();
    return { kind: 'conditional', test, consequent, alternate, start: test.start, end: alternate.end };
  }

  private parseBinary(level: number): JuelNode {
    if (level === BINARY_LEVELS.length) return this.parseUnary();
    const operators = BINARY_LEVELS[level];
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peek();
      const operator = operators.find((op) => token.type === 'operator' && token.value === op);
      if (!operator) return left;
      this.index++;
      const right = this.parseBinary(level + 1);
      left = { kind: 'binary', operator, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(): JuelNode {
    const token = this.peek();
    if (token.type === 'operator' && (token.value === '!' || token.value === '-' || token.value === 'empty')) {
      this.index++;
      const operand = this.parseUnary();
      return { kind: 'unary', operator: token.value, operand, start: token.start, end: operand.end };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): JuelNode {
    let node = this.parsePrimary();
    for (;;) {
      if (this.accept('.')) {
        const name = this.next();
        if (name.type !== 'identifier') throw this.unexpected(name, 'a property name');
        node = { kind: 'member', object: node, property: name.value, start: node.start, end: name.end };
      } else if (this.accept('[')) {
        const property = this.parseConditional();
        const close = this.expect(']');
        node = { kind: 'member', object: node, property, start: node.start, end: close.end };
      } else if (this.peekOperator('(')) {
        node = this.parseCall(node);
      } else {
        return node;
      }
    }
  }

  private parseCall(callee: JuelNode): JuelNode {
    this.expect('(');
    const args: JuelNode[] = [];
    if (!this.peekOperator(')')) {
      do args.push(this.parseConditional());
      while (this.accept(','));
    }
    const close = this.expect(')');
    if (!this.options.allowCalls) {
      throw new JuelSyntaxError(`method calls are not supported: ${this.source.slice(callee.start, close.end)}`, callee.start);
    }
    return { kind: 'call', callee, args, start: callee.start, end: close.end };
  }

  private parsePrimary(): JuelNode {
    const token = this.next();
    const { start, end } = token;
    switch (token.type) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, start, end };
      case 'identifier':
        return { kind: 'identifier', name: token.value, start, end };
      case 'operator':
        if (token.value === 'true' || token.value === 'false') return { kind: 'literal', value: token.value === 'true', start, end };
        if (token.value === 'null') return { kind: 'literal', value: null, start, end };
        if (token.value === '(') {
          const inner = this.parseConditional();
          const close = this.expect(')');
          return { ...inner, start, end: close.end };
        }
        throw this.unexpected(token);
      default:
        throw this.unexpected(token);
    }
  }

  private peek(): JuelToken {
    return this.tokens[this.index];
  }

  private next(): JuelToken {
    const token = this.tokens[this.index];
    // Never step past eof: every caller reports it as "unexpected end".
    if (token.type !== 'eof') this.index++;
    return token;
  }

  private peekOperator(value: string): boolean {
    const token = this.peek();
    return token.type === 'operator' && token.value === value;
  }

  private accept(value: string): boolean {
    if (!this.peekOperator(value)) return false;
    this.index++;
    return true;
  }

  private expect(value: string): JuelToken {
    const token = this.next();
    if (token.type !== 'operator' || token.value !== value) throw this.unexpected(token, `'${value}'`);
    return token;
  }

  private unexpected(token: JuelToken, wanted?: string): JuelSyntaxError {
    const found = token.type === 'eof' ? 'end of expression' : `'${this.source.slice(token.start, token.end)}'`;
    const suffix = wanted ? `, expected ${wanted}` : '';
    return new JuelSyntaxError(`unexpected ${found} at position ${token.start}${suffix}`, token.start);
  }
}
