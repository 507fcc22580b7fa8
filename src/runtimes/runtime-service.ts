import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { ActionContext } from '../identity/actor';
import { checkHealth } from './runtime-client';
import * as store from './runtime-store';

export interface RuntimeInput {
  name: string;
  kind: store.RuntimeKind;
  url?: string | null;
  tags: string[];
}

export type RuntimeChanges = Partial<Pick<RuntimeInput, 'name' | 'url' | 'tags'>>;

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';

function checkUrl(kind: store.RuntimeKind, url: string | null | undefined): void {
  if (kind === 'http' && !url) throw new ValidationError('an http runtime needs a url (its model server)', { field: 'url' });
  if (kind === 'embedded' && url) throw new ValidationError('an embedded runtime has no url: Stagegate serves its models itself', { field: 'url' });
}

/** Runtimes: where deployments run, chosen by tags (SPEC §8). */
export class RuntimeService {
  constructor(private readonly db: Database) {}

  async create(context: ActionContext, input: RuntimeInput): Promise<store.Runtime> {
    checkUrl(input.kind, input.url);
    try {
      return await this.db.transaction(async (trx) => {
        const runtime = await store.insertRuntime(trx, { id: crypto.randomUUID(), name: input.name, kind: input.kind, url: input.url ?? null, tags: [...new Set(input.tags)], createdBy: context.actor?.id ?? null });
        await recordAudit(trx, context, { action: 'runtime.create', entityType: 'runtime', entityId: runtime.id, after: runtime });
        return runtime;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a runtime named ${input.name} already exists`, { name: input.name });
      throw err;
    }
  }

  async get(id: string): Promise<store.Runtime> {
    const runtime = await store.findRuntime(this.db, id);
    if (!runtime) throw new NotFoundError('runtime', id);
    return runtime;
  }

  /** Runtimes whose tags include every one of `tags` (all runtimes without tags). */
  list(tags: string[] = []): Promise<store.Runtime[]> {
    return store.listRuntimes(this.db, { tags });
  }

  async update(context: ActionContext, id: string, changes: RuntimeChanges): Promise<store.Runtime> {
    try {
      return await this.db.transaction(async (trx) => {
        const before = await store.findRuntime(trx, id, true);
        if (!before) throw new NotFoundError('runtime', id);
        checkUrl(before.kind, changes.url === undefined ? before.url : changes.url);
        const after = await store.updateRuntime(trx, id, { ...changes, tags: changes.tags ? [...new Set(changes.tags)] : undefined });
        await recordAudit(trx, context, { action: 'runtime.update', entityType: 'runtime', entityId: id, before, after });
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a runtime named ${changes.name} already exists`, { name: changes.name });
      throw err;
    }
  }

  async delete(context: ActionContext, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await store.findRuntime(trx, id, true);
      if (!before) throw new NotFoundError('runtime', id);
      const used = await store.countDeploymentsOn(trx, id);
      if (used > 0) throw new ConflictError(`runtime ${before.name} serves ${used} deployment(s); delete them or move them first`, { deployments: used });
      await store.deleteRuntime(trx, id);
      await recordAudit(trx, context, { action: 'runtime.delete', entityType: 'runtime', entityId: id, before });
    });
  }

  /** Embedded runtimes are up while Stagegate is; http runtimes answer GET {url}/health. */
  async health(id: string): Promise<{ runtimeId: string; status: 'up' | 'down'; latencyMs: number; error?: string }> {
    const runtime = await this.get(id);
    if (runtime.kind === 'embedded') return { runtimeId: id, status: 'up', latencyMs: 0 };
    return { runtimeId: id, ...(await checkHealth(runtime.url!)) };
  }
}
