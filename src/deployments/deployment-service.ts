import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { ActionContext, Actor } from '../identity/actor';
import { ForbiddenError } from '../errors';
import { allows } from '../identity/roles';
import { findModel, type Importance } from '../models/model-store';
import { deleteModel, putModel } from '../runtimes/runtime-client';
import { findRuntime } from '../runtimes/runtime-store';
import { DeployedModels, loadVersion } from './deployed-models';
import * as store from './deployment-store';

export interface DeploymentInput {
  name: string;
  versionId: string;
  challengerVersionId?: string | null;
  runtimeId: string;
  importance?: Importance;
  access: store.Access;
  members?: string[];
}

export type DeploymentChanges = Partial<{
  name: string;
  championVersionId: string;
  challengerVersionId: string | null;
  importance: Importance;
  access: store.Access;
  members: string[];
}>;

/** The "deployment changed" lifecycle event: created, champion replaced, activated, deleted, ... */
export interface DeploymentChangedEvent {
  action: string;
  deploymentId: string;
  before: store.Deployment | null;
  after: store.Deployment | null;
  context: ActionContext;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';

/** Own + shared (SPEC §9): `view:all` sees everything, others their own deployments and those they are members of. */
export function canSeeDeployment(actor: Actor | null, deployment: store.Deployment): boolean {
  return !actor || allows(actor.permissions, 'view:all') || deployment.ownerId === actor.id || deployment.members.includes(actor.id);
}

/**
 * What a change request adds to a direct change: `check` runs before anything
 * is sent to a runtime and again on the locked row (a stale request throws);
 * `applied` runs in the change's transaction (the request is marked applied).
 */
export interface ChangeGuard {
  check(db: Database | Knex.Transaction, current: store.Deployment): Promise<void>;
  applied(trx: Knex.Transaction, before: store.Deployment, after: store.Deployment | null): Promise<void>;
}

/** Owners, members and `view:all` may change a deployment. */
export function assertMayChange(actor: Actor | null, deployment: store.Deployment): void {
  if (actor && !allows(actor.permissions, 'view:all') && deployment.ownerId !== actor.id && !deployment.members.includes(actor.id)) {
    throw new ForbiddenError(`Missing permission "view:all": you may change only the deployments you own or are a member of; your roles: ${actor.roles.join(', ') || 'none'}`, { permission: 'view:all', roles: actor.roles });
  }
}

/**
 * Deployments (SPEC §8): creation, champion/challenger changes with their
 * history and rollback, deletion. Activation and the model limit:
 * `DeploymentActivation`; API keys: `ApiKeyService`; predictions:
 * `PredictionService`. Every change refreshes the in-memory cache after commit.
 */
export class DeploymentService {
  /** Called after every committed deployment change (the "deployment changed" event). */
  onDeploymentChanged: ((event: DeploymentChangedEvent) => Promise<void> | void) | null = null;

  constructor(
    private readonly db: Database,
    readonly cache: DeployedModels,
    private readonly options: { onListenerError?: (err: unknown) => void } = {},
  ) {}

  async create(context: ActionContext, input: DeploymentInput): Promise<store.Deployment> {
    const champion = await this.deployableVersion(input.versionId);
    const model = (await findModel(this.db, champion.modelId))!;
    if (input.challengerVersionId) await this.challengerOf(champion.modelId, input.challengerVersionId);
    const runtime = await findRuntime(this.db, input.runtimeId);
    if (!runtime) throw new NotFoundError('runtime', input.runtimeId);
    const id = crypto.randomUUID();
    // The model server first: when it refuses, nothing is stored and the caller may retry.
    if (runtime.kind === 'http') await putModel(runtime.url!, id, (await loadVersion(this.db, champion.id)).artifact);
    try {
      const created = await this.db.transaction(async (trx) => {
        const deployment = await store.insertDeployment(trx, {
          id,
          name: input.name,
          modelId: champion.modelId,
          runtimeId: runtime.id,
          championVersionId: champion.id,
          challengerVersionId: input.challengerVersionId ?? null,
          importance: input.importance ?? model.importance,
          access: input.access,
          members: [...new Set(input.members ?? [])],
          status: 'inactive',
          approvalStatus: approvalOf(champion),
          ownerId: context.actor?.id ?? null,
        });
        await store.appendHistory(trx, { deploymentId: id, championVersionId: champion.id, challengerVersionId: deployment.challengerVersionId, action: 'create', by: context.actor?.id ?? null });
        await recordAudit(trx, context, { action: 'deployment.create', entityType: 'deployment', entityId: id, after: deployment });
        return deployment;
      });
      await this.changed(context, 'create', null, created);
      return created;
    } catch (err) {
      if (runtime.kind === 'http') await deleteModel(runtime.url!, id);
      if (isUniqueViolation(err)) throw new ConflictError(`a deployment named ${input.name} already exists`, { name: input.name });
      throw err;
    }
  }

  /** A deployment the actor may see (by id, or by name for service tasks). */
  async get(actor: Actor | null, idOrName: string): Promise<store.Deployment> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
    const deployment = isUuid ? await store.findDeployment(this.db, idOrName) : await store.findDeploymentByName(this.db, idOrName);
    if (!deployment || !canSeeDeployment(actor, deployment)) throw new NotFoundError('deployment', idOrName);
    return deployment;
  }

  list(actor: Actor, filter: Omit<store.DeploymentFilter, 'visibleTo'>) {
    return store.listDeployments(this.db, { ...filter, visibleTo: allows(actor.permissions, 'view:all') ? undefined : actor.id });
  }

  /** Active deployments with their champion version (daily backtesting, the console). */
  async listActive(): Promise<{ deployment: store.Deployment; champion: store.VersionRef }[]> {
    const { items } = await store.listDeployments(this.db, { status: 'active', limit: 10_000, offset: 0 });
    return Promise.all(items.map(async (deployment) => ({ deployment, champion: (await store.findVersionById(this.db, deployment.championVersionId))! })));
  }

  async history(actor: Actor | null, id: string): Promise<store.HistoryEntry[]> {
    const deployment = await this.get(actor, id);
    return store.listHistory(this.db, deployment.id);
  }

  /** Checks changes against the deployment (versions exist, can be served, belong to its model); returns the new champion. */
  async validateChanges(current: store.Deployment, changes: DeploymentChanges): Promise<store.VersionRef | null> {
    const champion = changes.championVersionId ? await this.deployableVersion(changes.championVersionId) : null;
    if (champion && champion.modelId !== current.modelId) throw new ValidationError(`version ${champion.id} belongs to another model than deployment ${current.name}`, { championVersionId: champion.id });
    if (changes.challengerVersionId) await this.challengerOf(current.modelId, changes.challengerVersionId);
    return champion;
  }

  /** Changes fields; a new champion is sent to the runtime first and recorded in the history. */
  async update(context: ActionContext, id: string, changes: DeploymentChanges, guard?: ChangeGuard): Promise<store.Deployment> {
    const current = await this.get(context.actor, id);
    assertMayChange(context.actor, current);
    await guard?.check(this.db, current);
    const champion = await this.validateChanges(current, changes);
    if (champion) await this.pushChampion(current, champion.id);
    const action = champion || changes.challengerVersionId !== undefined ? 'deployment.replace' : 'deployment.update';
    return this.apply(context, id, action, async (trx, before) => {
      await guard?.check(trx, before);
      const after = await store.updateDeployment(trx, id, { ...changes, ...(champion ? { approvalStatus: approvalOf(champion) } : {}) });
      if (after.championVersionId !== before.championVersionId || after.challengerVersionId !== before.challengerVersionId) {
        await store.appendHistory(trx, { deploymentId: id, championVersionId: after.championVersionId, challengerVersionId: after.challengerVersionId, action: champion ? 'replace' : 'challenger', by: context.actor?.id ?? null });
      }
      await guard?.applied(trx, before, after);
      return after;
    });
  }

  /** Returns the champion to an earlier version of the deployment's history. */
  async rollback(context: ActionContext, id: string, versionNumber: number): Promise<store.Deployment> {
    const current = await this.get(context.actor, id);
    assertMayChange(context.actor, current);
    const earlier = (await store.listHistory(this.db, id)).find((entry) => entry.championVersion === versionNumber);
    if (!earlier) throw new ValidationError(`deployment ${current.name} never served version ${versionNumber}; its history lists the versions it may return to`, { version: versionNumber });
    if (earlier.championVersionId === current.championVersionId) throw new ConflictError(`deployment ${current.name} already serves version ${versionNumber}`);
    const version = (await store.findVersionById(this.db, earlier.championVersionId))!;
    await this.pushChampion(current, version.id);
    return this.apply(context, id, 'deployment.rollback', async (trx) => {
      const after = await store.updateDeployment(trx, id, { championVersionId: version.id, approvalStatus: approvalOf(version) });
      await store.appendHistory(trx, { deploymentId: id, championVersionId: version.id, challengerVersionId: after.challengerVersionId, action: 'rollback', by: context.actor?.id ?? null });
      return after;
    });
  }

  async delete(context: ActionContext, id: string, guard?: ChangeGuard): Promise<void> {
    const current = await this.get(context.actor, id);
    assertMayChange(context.actor, current);
    await this.db.transaction(async (trx) => {
      const before = await store.findDeployment(trx, id, true);
      if (!before) throw new NotFoundError('deployment', id);
      await guard?.check(trx, before);
      await store.deleteDeployment(trx, id);
      await recordAudit(trx, context, { action: 'deployment.delete', entityType: 'deployment', entityId: id, before });
      await guard?.applied(trx, before, null);
    });
    this.cache.drop(id);
    const runtime = await findRuntime(this.db, current.runtimeId);
    if (runtime?.kind === 'http') await deleteModel(runtime.url!, id);
    await this.changed(context, 'delete', current, null);
  }

  /** Runs one audited change in a transaction holding the row, then refreshes the cache and tells listeners. */
  async apply(
    context: ActionContext,
    id: string,
    action: string,
    change: (trx: Knex.Transaction, before: store.Deployment) => Promise<store.Deployment>,
  ): Promise<store.Deployment> {
    const { before, after } = await this.db.transaction(async (trx) => {
      const before = await store.findDeployment(trx, id, true);
      if (!before) throw new NotFoundError('deployment', id);
      const after = await change(trx, before);
      await recordAudit(trx, context, { action, entityType: 'deployment', entityId: id, before, after });
      return { before, after };
    });
    await this.changed(context, action.replace(/^deployment\./, ''), before, after);
    return after;
  }

  private async changed(context: ActionContext, action: string, before: store.Deployment | null, after: store.Deployment | null): Promise<void> {
    const id = (after ?? before)!.id;
    if (after) await this.cache.refresh(id);
    try {
      await this.onDeploymentChanged?.({ action, deploymentId: id, before, after, context });
    } catch (err) {
      this.options.onListenerError?.(err);
    }
  }

  private async pushChampion(deployment: store.Deployment, versionId: string): Promise<void> {
    const runtime = await findRuntime(this.db, deployment.runtimeId);
    if (runtime?.kind === 'http') await putModel(runtime.url!, deployment.id, (await loadVersion(this.db, versionId)).artifact);
  }

  /** A version with an artifact that loads: external-URI versions cannot be served. */
  private async deployableVersion(versionId: string): Promise<store.VersionRef> {
    const version = await store.findVersionById(this.db, versionId);
    if (!version) throw new NotFoundError('model version', versionId);
    try {
      await loadVersion(this.db, versionId);
    } catch (err) {
      throw new ConflictError(`version ${version.number} cannot be deployed: ${(err as Error).message}`, { versionId });
    }
    return version;
  }

  private async challengerOf(modelId: string, versionId: string): Promise<void> {
    const challenger = await this.deployableVersion(versionId);
    if (challenger.modelId !== modelId) throw new ValidationError(`challenger version ${versionId} belongs to another model than the champion`, { challengerVersionId: versionId });
  }
}

/** `approved` once the version was approved (its status history says so). */
export function approvalOf(version: store.VersionRef): store.ApprovalStatus {
  return version.statusHistory.some((change) => change.status === 'approved') ? 'approved' : 'needs_approval';
}
