import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Database } from '../db/connect';
import { RateLimitedError, UnauthorizedError } from '../errors';
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
export function authenticate(db: Database, failures: AuthFailureLimit): RequestHandler {
  return async (req, res, next) => {
    const address = req.ip ?? 'unknown';
    if (failures.blocked(address)) return next(new RateLimitedError('Too many failed authentications; try again in a minute'));
    const match = bearer.exec(req.get('authorization') ?? '');
    if (!match) {
      failures.record(address);
      return next(new UnauthorizedError('Send an API token as "Authorization: Bearer <token>"'));
    }
    const found = await findUserByTokenHash(db, hashToken(match[1]));
    if (!found) {
      failures.record(address);
      return next(new UnauthorizedError('The API token is unknown, revoked or expired'));
    }
    const { user } = found;
    const actor: Actor = { id: user.id, name: user.name, email: user.email, roles: user.roles, groups: user.groups, permissions: permissionsOf(user.roles) };
    res.locals.actor = actor;
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) await touchToken(db, found.tokenId);
    next();
  };
}

/**
 * Failed authentications per client address in a one-minute window. Only
 * failures count (a burst of good requests never trips it), so it is checked
 * before authenticating and fed after.
 */
export class AuthFailureLimit {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly perMinute: number) {}

  blocked(address: string): boolean {
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= Date.now()) return false;
    return entry.count >= this.perMinute;
  }

  record(address: string): void {
    const now = Date.now();
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= now) {
      if (this.failures.size > 10_000) this.sweep(now);
      this.failures.set(address, { count: 1, resetAt: now + 60_000 });
    } else {
      entry.count += 1;
    }
  }

  private sweep(now: number): void {
    for (const [address, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(address);
  }
}

/** Limits requests per token (a fixed one-minute window). */
export function tokenRateLimit(requestsPerMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: requestsPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => hashToken(req.get('authorization') ?? ''),
    message: { error: { code: 'RATE_LIMITED', message: 'Too many requests for this token; try again in a minute' } },
  });
}
