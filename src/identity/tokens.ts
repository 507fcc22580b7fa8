import { createHash, randomBytes } from 'node:crypto';

/**
 * API tokens are 32 random bytes; only their SHA-256 is stored. A fast hash is
 * right here: the secret has full entropy, so there is nothing to brute-force.
 */
export function generateToken(): string {
  return `sg_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The first characters of a token, safe to show in listings. */
export function tokenPrefix(token: string): string {
  return token.slice(0, 10);
}
