import { JuelEvaluationError, JuelSyntaxError } from '../../../src/engine/expressions/errors';
import { evaluateJuel, parseJuel } from '../../../src/engine/expressions/juel';

/** Evaluates a JUEL body with `variables` as the whole scope. */
function run(body: string, variables: Record<string, unknown> = {}): unknown {
  return evaluateJuel(parseJuel(body), (name) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined));
}

describe('JUEL literals and paths', () => {
  it('reads numbers, both quote styles, booleans and null', () => {
    expect(run('42')).toBe(42);
    expect(run('0.5')).toBe(0.5);
    expect(run('1e3')).toBe(1000);
    expect(run("'single'")).toBe('single');
    expect(run('"double"')).toBe('double');
    expect(run("'it\\'s'")).toBe("it's");
    expect(run('true')).toBe(true);
    expect(run('false')).toBe(false);
    expect(run('null')).toBeNull();
  });

  it('follows dotted and bracket property paths', () => {
    const variables = { model: { metadata: { risk: 'yellow', 'x-y': 3 } }, list: [10, 20], key: 'risk' };
    expect(run('model.metadata.risk', variables)).toBe('yellow');
    expect(run("model['metadata']['x-y']", variables)).toBe(3);
    expect(run('model.metadata[key]', variables)).toBe('yellow');
    expect(run('list[1]', variables)).toBe(20);
    expect(run('list.length', variables)).toBe(2);
  });

  it('evaluates unknown variables and missing properties to null', () => {
    expect(run('missing')).toBeNull();
    expect(run('missing.deeper.still', {})).toBeNull();
    expect(run('model.nothing', { model: {} })).toBeNull();
  });
});

describe('JUEL operators', () => {
  it.each([
    ['!true', false],
    ['not true', false],
    ['true && false', false],
    ['true and true', true],
    ['false || true', true],
    ['false or false', false],
    ['1 == 1', true],
    ['1 eq 2', false],
    ['1 != 2', true],
    ['1 ne 1', false],
    ['1 < 2', true],
    ['2 lt 1', false],
    ['2 <= 2', true],
    ['3 le 2', false],
    ['3 > 2', true],
    ['2 gt 2', false],
    ['2 >= 2', true],
    ['1 ge 2', false],
    ['2 + 3', 5],
    ['2 - 3', -1],
    ['2 * 3', 6],
    ['7 / 2', 3.5],
    ['7 div 2', 3.5],
    ['7 % 4', 3],
    ['7 mod 4', 3],
    ['-5 + 1', -4],
    ['- -5', 5],
    ['true ? 1 : 2', 1],
    ['false ? 1 : 2', 2],
    ["'a' < 'b'", true],
    ["'10' == 10", true],
  ])('%s → %p', (body, expected) => {
    expect(run(body)).toBe(expected);
  });

  it('tests emptiness with empty', () => {
    expect(run('empty missing')).toBe(true);
    expect(run("empty ''")).toBe(true);
    expect(run('empty list', { list: [] })).toBe(true);
    expect(run('empty list', { list: [1] })).toBe(false);
    expect(run('empty map', { map: {} })).toBe(true);
    expect(run("empty 'x'")).toBe(false);
    expect(run('not empty list', { list: [1] })).toBe(true);
  });

  it('applies the JUEL precedence: !a && b || c is ((!a) && b) || c', () => {
    expect(run('!a && b || c', { a: false, b: true, c: false })).toBe(true);
    expect(run('!a && b || c', { a: true, b: true, c: false })).toBe(false);
    expect(run('!a && b || c', { a: true, b: false, c: true })).toBe(true);
    expect(run('!(a && b) || c', { a: true, b: true, c: false })).toBe(false);
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('1 + 2 == 3 && 2 > 1')).toBe(true);
    expect(run('a ? b ? 1 : 2 : 3', { a: true, b: false })).toBe(2);
  });

  it('short-circuits so a guard protects the right-hand side', () => {
    expect(run("x != null && x.risk == 'red'", {})).toBe(false);
    expect(run("x == null || x.risk == 'red'", {})).toBe(true);
  });
});

describe('JUEL null handling', () => {
  it('makes ordering comparisons with null false in both directions', () => {
    expect(run('missing >= 0.9')).toBe(false);
    expect(run('missing < 0.9')).toBe(false);
    expect(run('0 > missing')).toBe(false);
  });

  it('treats null as equal only to null', () => {
    expect(run('missing == null')).toBe(true);
    expect(run('missing != null')).toBe(false);
    expect(run("missing == 'yellow'")).toBe(false);
    expect(run("missing != 'yellow'")).toBe(true);
    expect(run('x != null', { x: 0 })).toBe(true);
  });

  it('coerces null to false for logic and to 0 for arithmetic', () => {
    expect(run('!missing')).toBe(true);
    expect(run('missing && true')).toBe(false);
    expect(run('missing + 1')).toBe(1);
  });
});

describe('JUEL errors', () => {
  it('rejects method and function calls at parse time', () => {
    expect(() => parseJuel('bean.check()')).toThrow(new JuelSyntaxError('method calls are not supported: bean.check()', 0));
    expect(() => parseJuel('foo(1)')).toThrow('method calls are not supported: foo(1)');
    expect(() => parseJuel("x > 1 && svc.score(model, 'a') > 2")).toThrow("method calls are not supported: svc.score(model, 'a')");
  });

  it('rejects the Function-constructor escape before anything runs', () => {
    expect(() => parseJuel("this.constructor.constructor('return process')()")).toThrow(
      "method calls are not supported: this.constructor.constructor('return process')",
    );
  });

  it('reports syntax errors with their position', () => {
    expect(() => parseJuel('a = b')).toThrow("unexpected character '=' at position 2 (use '==' to compare)");
    expect(() => parseJuel('a &&')).toThrow('unexpected end of expression at position 4');
    expect(() => parseJuel('(a')).toThrow("unexpected end of expression at position 2, expected ')'");
    expect(() => parseJuel("'open")).toThrow('unterminated string starting at position 0');
    expect(() => parseJuel('a b')).toThrow("unexpected 'b' at position 2");
    expect(() => parseJuel('')).toThrow('empty expression');
    expect(() => parseJuel('a instanceof b')).toThrow("operator 'instanceof' is not supported");
  });

  it('refuses values that cannot be coerced instead of guessing', () => {
    expect(() => run("'abc' > 1")).toThrow(new JuelEvaluationError("cannot use string 'abc' as a number"));
    expect(() => run('list && true', { list: [1] })).toThrow('cannot use a list as a boolean');
    expect(() => run('a < b', { a: {}, b: {} })).toThrow('cannot compare an object with an object');
  });

  it('refuses prototype properties even when reached dynamically', () => {
    expect(() => run('x[k]', { x: {}, k: 'constructor' })).toThrow("property 'constructor' is not accessible");
    expect(run('x.toString', { x: 'abc' })).toBeNull();
  });
});
