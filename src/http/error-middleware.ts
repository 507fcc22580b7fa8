import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, RateLimitedError, UnauthorizedError, UnsupportedMediaTypeError, UpstreamError, ValidationError } from '../errors';
import type { Logger } from '../logger';

/** The one place that maps domain errors to HTTP status codes. */
function statusOf(err: AppError): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof UnauthorizedError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof RateLimitedError) return 429;
  if (err instanceof UnsupportedMediaTypeError) return 415;
  if (err instanceof UpstreamError) return 502;
  return 400;
}

/** body-parser's own errors (bad JSON, too large, bad charset) are the client's fault. */
function fromBodyParser(err: any): AppError | null {
  if (err?.type === 'entity.too.large') return new PayloadTooLargeError(err.limit);
  if (err?.type === 'entity.parse.failed') return new ValidationError(`Malformed request body: ${err.message}`, undefined, 'MALFORMED_BODY');
  if (typeof err?.type === 'string' && typeof err.status === 'number' && err.status < 500) {
    return new ValidationError(err.message, undefined, 'BAD_REQUEST');
  }
  return null;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = err instanceof AppError ? err : fromBodyParser(err);
    if (appError) {
      res.status(statusOf(appError)).json({
        error: { code: appError.code, message: appError.message, details: appError.details },
      });
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } });
  };
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new NotFoundError('route', `${req.method} ${req.path}`));
};
