/**
 * API keys of deployments: created once and shown once, stored as sha256
 * (`identity/tokens.ts`), revocable. The prediction path caches a key's
 * lookup briefly; revoking drops it from the cache at once.
 */
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { NotFoundError } from '../errors';
import type { ActionContext } from '../identity/actor';
import { generateToken, hashToken, tokenPrefix } from '../identity/tokens';
import type { DeploymentService } from './deployment-service';
import * as store from './deployment-store';

/** How long a key's lookup is trusted without the database (revocation on this server drops it at once). */
const KEY_CACHE_MS = 5_000;
const KEY_CACHE_MAX = 10_000;

export class ApiKeyService {
  private readonly cache = new Map<string, { deploymentId: string | null; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly deployments: DeploymentService,
  ) {}

  async create(context: ActionContext, deploymentId: string, name: string): Promise<store.ApiKey & { key: string }> {
    const deployment = await this.deployments.get(context.actor, deploymentId);
    const key = generateToken();
    return this.db.transaction(async (trx) => {
      const created = await store.insertKey(trx, { id: crypto.randomUUID(), deploymentId: deployment.id, name, prefix: tokenPrefix(key), hash: hashToken(key), createdBy: context.actor?.id ?? null });
      await recordAudit(trx, context, { action: 'deployment.key.create', entityType: 'deployment', entityId: deployment.id, after: created });
      return { ...created, key };
    });
  }

  async list(context: ActionContext, deploymentId: string): Promise<store.ApiKey[]> {
    const deployment = await this.deployments.get(context.actor, deploymentId);
    return store.listKeys(this.db, deployment.id);
  }

  async revoke(context: ActionContext, deploymentId: string, keyId: string): Promise<void> {
    const deployment = await this.deployments.get(context.actor, deploymentId);
    const hash = await this.db.transaction(async (trx) => {
      const revoked = await store.revokeKey(trx, deployment.id, keyId);
      if (!revoked) throw new NotFoundError(`API key of deployment ${deployment.name}`, keyId);
      await recordAudit(trx, context, { action: 'deployment.key.revoke', entityType: 'deployment', entityId: deployment.id, before: revoked.before, after: { ...revoked.before, revokedAt: new Date() } });
      return revoked.hash;
    });
    this.cache.delete(hash);
  }

  /** The deployment an unrevoked key opens, or null. */
  async deploymentOf(key: string): Promise<string | null> {
    const hash = hashToken(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.deploymentId;
    const found = await store.findKeyByHash(this.db, hash);
    if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { deploymentId: found?.deploymentId ?? null, until: now + KEY_CACHE_MS });
    return found?.deploymentId ?? null;
  }
}
