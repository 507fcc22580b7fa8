/**
 * Raised when a sequence-flow condition (or any other engine expression)
 * cannot be parsed or evaluated. The engine turns a throw from the expression
 * resolver into an activity error, so the failing text travels with it.
 */
export class ExpressionError extends Error {
  /**
   * @param message human-readable reason, e.g. "method calls are not supported: bean.check()"
   * @param expression the full expression text as written in the BPMN file
   * @param options `cause`: the underlying error, when there is one
   */
  constructor(
    message: string,
    public readonly expression: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ExpressionError';
  }
}

/**
 * A syntax problem inside a JUEL body, with the offset into that body. Kept
 * separate from {@link ExpressionError} because the parser does not know the
 * full text (wrapper and surrounding template) that the user wrote.
 */
export class JuelSyntaxError extends Error {
  constructor(message: string, public readonly position: number) {
    super(message);
    this.name = 'JuelSyntaxError';
  }
}

/**
 * A JUEL body that parsed but failed while running, e.g. comparing a string
 * with a number. Wrapped into {@link ExpressionError} by the resolver.
 */
export class JuelEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JuelEvaluationError';
  }
}
