import { evaluateFeel, findFeelSyntaxError, isFeelSyntaxError } from '../../../src/engine/expressions/feel';

describe('FEEL through feelin', () => {
  it('evaluates comparisons, logic and paths over the scope', () => {
    expect(evaluateFeel('accuracy >= 0.9', { accuracy: 0.91 })).toBe(true);
    expect(evaluateFeel('risk = "yellow" or risk = "red"', { risk: 'red' })).toBe(true);
    expect(evaluateFeel('not(approved)', { approved: true })).toBe(false);
    expect(evaluateFeel('model.metadata.risk', { model: { metadata: { risk: 'low' } } })).toBe('low');
    expect(evaluateFeel('if score > 5 then "high" else "low"', { score: 7 })).toBe('high');
    expect(evaluateFeel('count(items[price > 10])', { items: [{ price: 5 }, { price: 20 }] })).toBe(1);
  });

  it('turns unknown variables into null instead of failing', () => {
    expect(evaluateFeel('accuracy >= 0.9', {})).toBeNull();
    expect(evaluateFeel('missing', {})).toBeNull();
  });

  it('throws feelin SyntaxError for unparseable text', () => {
    let caught: unknown;
    try {
      evaluateFeel('accuracy >=', {});
    } catch (error) {
      caught = error;
    }
    expect(isFeelSyntaxError(caught)).toBe(true);
  });

  it('finds syntax errors without evaluating', () => {
    expect(findFeelSyntaxError('accuracy >= 0.9')).toBeNull();
    // FEEL names may contain spaces; this is one variable, not an error.
    expect(findFeelSyntaxError('order total > 10')).toBeNull();
    expect(findFeelSyntaxError('x in [1..3]')).toBeNull();
    expect(findFeelSyntaxError('x in > 5')).toBeNull();
    expect(findFeelSyntaxError('(((')).toBe("FEEL syntax error: unexpected end of expression");
    expect(findFeelSyntaxError('"unterminated')).toBe("FEEL syntax error at position 0 near '\"untermina'");
    expect(findFeelSyntaxError('!approved')).toBe("FEEL syntax error at position 0 near '!approved'");
    expect(findFeelSyntaxError('a === b')).toBe("FEEL syntax error at position 3: two comparison operators in a row (FEEL compares with '=', not '==')");
    expect(findFeelSyntaxError('  ')).toBe('FEEL expression is empty');
  });
});
