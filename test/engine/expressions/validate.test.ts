import { validateExpression } from '../../../src/engine/expressions';

describe('validateExpression', () => {
  it.each([
    '${accuracy >= 0.9}',
    '#{not approved}',
    "${risk == 'yellow'}",
    '=accuracy >= 0.9',
    '=risk = "yellow" and order total > 10',
    '${environment.services.train}',
    "${environment.services.score(content.id, 'x')}",
    '${content.output.y}',
    'Order ${content.id} is #{status}',
    'plain text',
    'PT1M',
    '',
  ])('accepts %p', (text) => {
    expect(validateExpression(text)).toBeNull();
  });

  it.each([
    ['${bean.check()}', 'method calls are not supported: bean.check()'],
    ['#{foo(1)}', 'method calls are not supported: foo(1)'],
    ["${this.constructor.constructor('return process')()}", "method calls are not supported: this.constructor.constructor('return process')"],
    ["${environment.constructor.constructor('return process')()}", "property 'constructor' is not accessible"],
    ['${x.__proto__}', "property '__proto__' is not accessible"],
    ["${a['prototype']}", "property 'prototype' is not accessible"],
    ['${a = 1}', "unexpected character '=' at position 2 (use '==' to compare)"],
    ['${}', 'empty expression'],
    ['Hello ${a &&}', 'unexpected end of expression at position 4'],
    ['=', 'FEEL expression is empty'],
    ['=accuracy >=', 'FEEL syntax error: unexpected end of expression'],
    ['=accuracy >= 0.9)', "FEEL syntax error at position 15 near ')'"],
    ['=a && b', "FEEL syntax error at position 2 near '&& b'"],
    ['=a == b', "FEEL syntax error at position 3: two comparison operators in a row (FEEL compares with '=', not '==')"],
  ])('rejects %p', (text, message) => {
    expect(validateExpression(text)).toBe(message);
  });
});
