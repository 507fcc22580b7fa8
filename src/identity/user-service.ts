import type { Database } from '../db/connect';
import { recordAudit } from '../audit/audit-store';
import { ConflictError, NotFoundError } from '../errors';
import { ActionContext, SYSTEM } from './actor';
import type { Role } from './roles';
import { generateToken, hashToken, tokenPrefix } from './tokens';
import * as store from './user-store';

export interface UserInput {
  name: string;
  email: string;
  roles: Role[];
  groups: string[];
  active?: boolean;
}

export interface CreatedToken extends store.TokenInfo {
  /** The secret itself: returned once, never stored. */
  token: string;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';

/** Users and their API tokens; every change is audited in its own transaction. */
export class UserService {
  constructor(private readonly db: Database) {}

  /**
   * First start: creates the tenant admin. Returns the token to print once
   * (null when ADMIN_TOKEN supplied it, or when users already exist).
   */
  async bootstrapAdmin(adminToken?: string): Promise<string | null> {
    return this.db.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['bootstrap-admin']);
      if ((await store.countUsers(trx)) > 0) return null;
      const user = await store.insertUser(trx, {
        id: crypto.randomUUID(),
        name: 'admin',
        email: 'admin@localhost',
        roles: ['tenant_admin'],
        groups: ['admins'],
        active: true,
      });
      const token = adminToken ?? generateToken();
      await store.insertToken(trx, { id: crypto.randomUUID(), userId: user.id, name: 'bootstrap', hash: hashToken(token), prefix: tokenPrefix(token), expiresAt: null });
      await recordAudit(trx, SYSTEM, { action: 'user.bootstrap', entityType: 'user', entityId: user.id, after: user });
      return adminToken ? null : token;
    });
  }

  async get(id: string): Promise<store.User> {
    const user = await store.findUser(this.db, id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  async create(context: ActionContext, input: UserInput): Promise<store.User> {
    try {
      return await this.db.transaction(async (trx) => {
        const user = await store.insertUser(trx, { id: crypto.randomUUID(), active: true, ...input });
        await recordAudit(trx, context, { action: 'user.create', entityType: 'user', entityId: user.id, after: user });
        return user;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a user with email ${input.email} already exists`, { email: input.email });
      throw err;
    }
  }

  async update(context: ActionContext, id: string, changes: Partial<UserInput>): Promise<store.User> {
    try {
      return await this.db.transaction(async (trx) => {
        const before = await store.findUser(trx, id);
        if (!before) throw new NotFoundError('user', id);
        const after = await store.updateUser(trx, id, changes);
        await this.keepAnAdmin(trx);
        await recordAudit(trx, context, { action: 'user.update', entityType: 'user', entityId: id, before, after });
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a user with email ${changes.email} already exists`, { email: changes.email });
      throw err;
    }
  }

  async remove(context: ActionContext, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await store.findUser(trx, id);
      if (!before) throw new NotFoundError('user', id);
      await store.deleteUser(trx, id);
      await this.keepAnAdmin(trx);
      await recordAudit(trx, context, { action: 'user.delete', entityType: 'user', entityId: id, before });
    });
  }

  async createToken(context: ActionContext, userId: string, name: string, expiresInDays?: number): Promise<CreatedToken> {
    return this.db.transaction(async (trx) => {
      if (!(await store.findUser(trx, userId))) throw new NotFoundError('user', userId);
      const token = generateToken();
      const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 24 * 3600 * 1000) : null;
      const info = await store.insertToken(trx, { id: crypto.randomUUID(), userId, name, hash: hashToken(token), prefix: tokenPrefix(token), expiresAt });
      await recordAudit(trx, context, { action: 'token.create', entityType: 'api_token', entityId: info.id, after: info });
      return { ...info, token };
    });
  }

  async listTokens(userId: string): Promise<store.TokenInfo[]> {
    await this.get(userId);
    return store.listTokens(this.db, userId);
  }

  async revokeToken(context: ActionContext, userId: string, tokenId: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const revoked = await store.revokeToken(trx, userId, tokenId);
      if (!revoked) throw new NotFoundError('live token', tokenId);
      await recordAudit(trx, context, { action: 'token.revoke', entityType: 'api_token', entityId: tokenId, after: revoked });
    });
  }

  /** Refuses a change that would leave nobody able to manage users. */
  private async keepAnAdmin(trx: Parameters<typeof store.countUsers>[0]): Promise<void> {
    const admins = await trx('users').where('active', true).whereRaw(`roles @> '["tenant_admin"]'::jsonb`).count({ count: '*' });
    if (Number(admins[0].count) === 0) throw new ConflictError('this change would leave no active tenant_admin; make another user tenant_admin first');
  }
}
