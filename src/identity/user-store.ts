/** SQL for `users` and `api_tokens`. Tokens are stored as SHA-256 hashes only. */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import type { Role } from './roles';

export interface User {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  groups: string[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TokenInfo {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

type Db = Database | Knex.Transaction;

const toUser = (row: Record<string, any>): User => ({
  id: row.id,
  name: row.name,
  email: row.email,
  roles: row.roles,
  groups: row.groups,
  active: row.active,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

const toToken = (row: Record<string, any>): TokenInfo => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  prefix: row.prefix,
  createdAt: new Date(row.created_at),
  expiresAt: row.expires_at ? new Date(row.expires_at) : null,
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
});

export async function countUsers(db: Db): Promise<number> {
  const [{ count }] = await db('users').count({ count: '*' });
  return Number(count);
}

export async function findUser(db: Db, id: string): Promise<User | null> {
  const row = await db('users').where({ id }).first();
  return row ? toUser(row) : null;
}

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const row = await db('users').whereRaw('lower(email) = lower(?)', [email]).first();
  return row ? toUser(row) : null;
}

export async function listUsers(db: Db, filter: { group?: string; role?: string; limit: number; offset: number }) {
  const query = db('users');
  if (filter.group) query.whereRaw('groups @> ?::jsonb', [JSON.stringify([filter.group])]);
  if (filter.role) query.whereRaw('roles @> ?::jsonb', [JSON.stringify([filter.role])]);
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows = await query.orderBy('created_at').orderBy('id').limit(filter.limit).offset(filter.offset);
  return { items: rows.map(toUser), total: Number(count) };
}

export async function insertUser(db: Db, user: Omit<User, 'createdAt' | 'updatedAt'>): Promise<User> {
  const [row] = await db('users')
    .insert({ ...user, roles: JSON.stringify(user.roles), groups: JSON.stringify(user.groups) })
    .returning('*');
  return toUser(row);
}

export async function updateUser(db: Db, id: string, changes: Partial<Pick<User, 'name' | 'email' | 'roles' | 'groups' | 'active'>>): Promise<User> {
  const values: Record<string, unknown> = { ...changes, updated_at: db.fn.now() };
  if (changes.roles) values.roles = JSON.stringify(changes.roles);
  if (changes.groups) values.groups = JSON.stringify(changes.groups);
  const [row] = await db('users').where({ id }).update(values).returning('*');
  return toUser(row);
}

export async function deleteUser(db: Db, id: string): Promise<void> {
  await db('users').where({ id }).del();
}

export async function insertToken(db: Db, token: { id: string; userId: string; name: string; hash: string; prefix: string; expiresAt: Date | null }): Promise<TokenInfo> {
  const [row] = await db('api_tokens')
    .insert({ id: token.id, user_id: token.userId, name: token.name, token_hash: token.hash, prefix: token.prefix, expires_at: token.expiresAt })
    .returning('*');
  return toToken(row);
}

export async function listTokens(db: Db, userId: string): Promise<TokenInfo[]> {
  const rows = await db('api_tokens').where({ user_id: userId }).orderBy('created_at');
  return rows.map(toToken);
}

export async function revokeToken(db: Db, userId: string, tokenId: string): Promise<TokenInfo | null> {
  const [row] = await db('api_tokens')
    .where({ id: tokenId, user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() })
    .returning('*');
  return row ? toToken(row) : null;
}

/** The active user behind a live token (not revoked, not expired), by the token's hash. */
export async function findUserByTokenHash(db: Db, hash: string): Promise<{ user: User; tokenId: string; lastUsedAt: Date | null } | null> {
  const row = await db('api_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .where('t.token_hash', hash)
    .whereNull('t.revoked_at')
    .andWhere((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', db.fn.now()))
    .andWhere('u.active', true)
    .first('u.*', 't.id as token_id', 't.last_used_at');
  if (!row) return null;
  return { user: toUser(row), tokenId: row.token_id, lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null };
}

export async function touchToken(db: Db, tokenId: string): Promise<void> {
  await db('api_tokens').where({ id: tokenId }).update({ last_used_at: db.fn.now() });
}

export async function listGroups(db: Db): Promise<{ name: string; members: number }[]> {
  const result = await db.raw(
    `SELECT g AS name, count(*)::int AS members FROM users, jsonb_array_elements_text(groups) AS g GROUP BY g ORDER BY g`,
  );
  return result.rows;
}
