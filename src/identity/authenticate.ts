import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Database } from '../db/connect';
import { UnauthorizedError } from '../errors';
import type { Actor } from './actor';
import { permissionsOf } from './roles';
import { hashToken } from './tokens';
import { findUserByTokenHash, touchToken } from './user-store';

/** last_used_at is written at most this often per token, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

const bearer = /^Bearer\s+(\S{16,512})$/i;

/**
 * Resolves `Authorization: Bearer <token>` to the acting user and leaves it in
 * `res.locals.actor`; 401 for a missing, malformed, unknown, revoked or
 * expired token. A revoked token fails on its very next request: nothing is cached.
 */
export function authenticate(db: Database): RequestHandler {
  return async (req, res, next) => {
    const match = bearer.exec(req.get('authorization') ?? '');
    if (!match) {
      res.locals.authFailed = true;
      return next(new UnauthorizedError('Send an API token as "Authorization: Bearer <token>"'));
    }
    const found = await findUserByTokenHash(db, hashToken(match[1]));
    if (!found) {
      res.locals.authFailed = true;
      return next(new UnauthorizedError('The API token is unknown, revoked or expired'));
    }
    const { user } = found;
    const actor: Actor = { id: user.id, name: user.name, email: user.email, roles: user.roles, groups: user.groups, permissions: permissionsOf(user.roles) };
    res.locals.actor = actor;
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) await touchToken(db, found.tokenId);
    next();
  };
}

/** Limits failed authentications per client address (guessing tokens) and requests per token. */
export function rateLimits(options: { failuresPerMinute: number; requestsPerMinute: number }): RequestHandler[] {
  const failures = rateLimit({
    windowMs: 60_000,
    limit: options.failuresPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => !res.locals.authFailed,
    message: { error: { code: 'RATE_LIMITED', message: 'Too many failed authentications; try again in a minute' } },
  });
  const perToken = rateLimit({
    windowMs: 60_000,
    limit: options.requestsPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => hashToken(req.get('authorization') ?? ''),
    message: { error: { code: 'RATE_LIMITED', message: 'Too many requests for this token; try again in a minute' } },
  });
  return [failures, perToken];
}
