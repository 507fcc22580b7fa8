/**
 * Typed errors of the domain. Each maps to one HTTP status in
 * `src/http/error-middleware.ts`; nothing else decides status codes.
 */
export class AppError extends Error {
  constructor(
    message: string,
    public readonly code: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_ERROR') {
    super(message, code, details);
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: string | number) {
    super(`${entity} ${id} not found`, 'NOT_FOUND', { entity, id });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown, code = 'CONFLICT') {
    super(message, code, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super(message, 'UNAUTHORIZED');
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, details?: unknown) {
    super(message, 'FORBIDDEN', details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(`Request body exceeds ${limit} bytes`, 'PAYLOAD_TOO_LARGE', { limit });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(given: string, accepted: readonly string[]) {
    super(`Content type ${given || '(none)'} is not accepted here; send ${accepted.join(' or ')}`, 'UNSUPPORTED_MEDIA_TYPE', { given, accepted });
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string) {
    super(message, 'RATE_LIMITED');
  }
}

/** A server Stagegate depends on (an `http` runtime's model server) is down or refused: 502. */
export class UpstreamError extends AppError {
  constructor(message: string, details?: unknown, code = 'UPSTREAM_UNAVAILABLE') {
    super(message, code, details);
  }
}
