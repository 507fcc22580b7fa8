import { Environment } from 'bpmn-elements';
import { ExpressionError, createEngineExpressions } from '../../../src/engine/expressions';

const expressions = createEngineExpressions();

/** A context shaped like the one bpmn-elements builds: `{ environment, ...message }`. */
function contextWith(variables: Record<string, unknown>, services: Record<string, CallableFunction> = {}) {
  const environment = new Environment({ variables, services });
  return { environment, content: { id: 'flow1', output: { y: 7 } }, properties: { messageId: 'm1' } };
}

const resolve = (text: string, variables: Record<string, unknown> = {}) => expressions.resolveExpression(text, contextWith(variables));

/** The ExpressionError `run` throws; fails the test if it throws nothing or something else. */
function thrownBy(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError, nothing was thrown');
}

describe('createEngineExpressions: the SPEC examples', () => {
  it('evaluates ${accuracy >= 0.9} against process variables', () => {
    expect(resolve('${accuracy >= 0.9}', { accuracy: 0.93 })).toBe(true);
    expect(resolve('${accuracy >= 0.9}', { accuracy: 0.5 })).toBe(false);
    expect(resolve('${accuracy >= 0.9}', {})).toBe(false);
  });

  it('evaluates #{not approved}', () => {
    expect(resolve('#{not approved}', { approved: false })).toBe(true);
    expect(resolve('#{not approved}', { approved: true })).toBe(false);
  });

  it("evaluates ${risk == 'yellow'}", () => {
    expect(resolve("${risk == 'yellow'}", { risk: 'yellow' })).toBe(true);
    expect(resolve("${risk == 'yellow'}", { risk: 'green' })).toBe(false);
  });

  it('evaluates =accuracy >= 0.9 as FEEL', () => {
    expect(resolve('=accuracy >= 0.9', { accuracy: 0.95 })).toBe(true);
    expect(resolve('=accuracy >= 0.9', { accuracy: 0.1 })).toBe(false);
    expect(resolve('=risk = "yellow" and not(approved)', { risk: 'yellow', approved: false })).toBe(true);
  });

  it('accepts the unescaped form of an XML-escaped condition', () => {
    // `${a &amp;&amp; b &lt; 3}` in the file reaches us as:
    expect(resolve('${a && b < 3}', { a: true, b: 2 })).toBe(true);
  });

  it('ignores the whitespace around a condition body', () => {
    expect(resolve('\n   ${accuracy >= 0.9}\n  ', { accuracy: 0.95 })).toBe(true);
    expect(resolve('\n   =accuracy >= 0.9\n  ', { accuracy: 0.95 })).toBe(true);
  });
});

describe('createEngineExpressions: scope', () => {
  it('reads process variables first, then the context keys', () => {
    expect(resolve('${environment.variables.accuracy >= 0.9}', { accuracy: 0.95 })).toBe(true);
    expect(resolve("${content.id == 'flow1'}")).toBe(true);
    expect(resolve("${content == 'shadowed'}", { content: 'shadowed' })).toBe(true);
    expect(resolve('=environment.variables.accuracy', { accuracy: 0.5 })).toBe(0.5);
    expect(resolve('=content.output.y + 1')).toBe(8);
  });

  it('resolves a bare identifier to the process variable', () => {
    expect(resolve('${approved}', { approved: true })).toBe(true);
    expect(resolve('${approved}')).toBeNull();
  });
});

describe('createEngineExpressions: bpmn-elements default references', () => {
  it('returns the value of a path, unchanged', () => {
    const train = () => 'trained';
    const context = contextWith({ list: [1, 2, 3] }, { train });
    expect(expressions.resolveExpression('${environment.services.train}', context)).toBe(train);
    expect(expressions.resolveExpression('${environment.variables.list[-1]}', context)).toBe(3);
    expect(expressions.resolveExpression('${content.output.y}', context)).toBe(7);
    expect(expressions.resolveExpression('${content.output.missing}', context)).toBeUndefined();
  });

  it('calls functions the default way: literal and path arguments, or the context when none', () => {
    const calls: unknown[][] = [];
    const record = (...args: unknown[]) => {
      calls.push(args);
      return 'ok';
    };
    const context = contextWith({}, { record });
    expect(expressions.resolveExpression("${environment.services.record(content.id, 'a', 2, true)}", context)).toBe('ok');
    expect(expressions.resolveExpression('${environment.services.record()}', context)).toBe('ok');
    expect(calls).toEqual([['flow1', 'a', 2, true], [context]]);
  });

  it('passes fnContext as this', () => {
    function whoAmI(this: { name: string }) {
      return this.name;
    }
    const context = contextWith({}, { whoAmI });
    expect(expressions.resolveExpression('${environment.services.whoAmI()}', context, { name: 'task1' })).toBe('task1');
  });

  it('keeps templating for text mixed with placeholders', () => {
    expect(resolve('Order ${content.id} scored #{score * 100}% (${content.missing})', { score: 0.5 })).toBe('Order flow1 scored 50% ()');
    expect(resolve('PT1M')).toBe('PT1M');
    expect(resolve('no ${ closing')).toBe('no ${ closing');
  });

  it('finds the closing brace outside quoted strings', () => {
    expect(resolve("${tag == '}'}", { tag: '}' })).toBe(true);
  });

  it('passes non-string input through', () => {
    expect(expressions.resolveExpression(undefined, contextWith({}))).toBeUndefined();
    expect(expressions.resolveExpression(5, contextWith({}))).toBe(5);
  });
});

describe('createEngineExpressions: isExpression and hasExpression', () => {
  it('recognises whole expressions and texts containing one', () => {
    expect(expressions.isExpression('${a}')).toBe(true);
    expect(expressions.isExpression('#{a > 1}')).toBe(true);
    expect(expressions.isExpression('=a > 1')).toBe(true);
    expect(expressions.isExpression('id ${a}')).toBe(false);
    expect(expressions.hasExpression('id ${a}')).toBe(true);
    expect(expressions.hasExpression('plain')).toBe(false);
    expect(expressions.isExpression(undefined)).toBe(false);
  });
});

describe('createEngineExpressions: failures', () => {
  it('throws ExpressionError carrying the text for unsupported expressions', () => {
    const error = thrownBy(() => resolve('${bean.check()}'));
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.message).toBe('method calls are not supported: bean.check()');
    expect(error.expression).toBe('${bean.check()}');
  });

  it('throws ExpressionError when a value cannot be coerced', () => {
    const error = thrownBy(() => resolve('${risk > 1}', { risk: 'high' }));
    expect(error.message).toBe("cannot use string 'high' as a number");
    expect(error.expression).toBe('${risk > 1}');
  });

  it('throws ExpressionError for FEEL syntax errors at run time too', () => {
    const error = thrownBy(() => resolve('=accuracy >='));
    expect(error.message).toBe('FEEL syntax error: unexpected end of expression');
    expect(error.expression).toBe('=accuracy >=');
  });

  it('wraps errors thrown while FEEL runs a function from the scope', () => {
    const serviceDown = new Error('service down');
    const error = thrownBy(() =>
      resolve('=check()', {
        check: () => {
          throw serviceDown;
        },
      }),
    );
    expect(error.message).toBe('FEEL evaluation failed: service down');
    expect(error.cause).toBe(serviceDown);
  });

  it('never executes code smuggled into an expression', () => {
    const before = Object.keys(globalThis).length;
    for (const text of [
      "${this.constructor.constructor('return process')()}",
      "${environment.constructor.constructor('return process')()}",
      "${environment.services.constructor.constructor('globalThis.pwned = 1')()}",
      "${content['constructor']['constructor']('return process')}",
      "${environment['__proto__']}",
      "#{''.constructor}",
      "=environment.constructor.constructor(\"return process\")()",
    ]) {
      let result: unknown;
      try {
        result = resolve(text);
      } catch (error) {
        expect(error).toBeInstanceOf(ExpressionError);
        continue;
      }
      // FEEL has no access to inherited properties: it yields null.
      expect(result).toBeNull();
    }
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(Object.keys(globalThis).length).toBe(before);
  });

  it('refuses properties of functions, so call/bind/apply are out of reach', () => {
    const context = contextWith({}, { fn: () => 1 });
    expect(() => expressions.resolveExpression('${environment.services.fn.call()}', context)).toThrow("properties of functions are not accessible: 'call'");
  });
});
