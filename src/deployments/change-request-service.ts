import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import type { DefinitionService } from '../engine/definitions/definition-service';
import type { InstanceService } from '../engine/instances/instance-service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { ActionContext, Actor } from '../identity/actor';
import { allows } from '../identity/roles';
import { findPolicy, IMPORTANCE } from '../tasks/approval-policies';
import { CHANGE_REQUEST_PROCESS, deployChangeRequestProcess } from './change-request-process';
import * as store from './change-request-store';
import { findDeployment, type Deployment } from './deployment-store';
import { assertMayChange, canSeeDeployment, type ChangeGuard, type DeploymentChanges, type DeploymentService } from './deployment-service';

/** The approval-policy event type of each kind of change. */
export const EVENT_TYPES: Record<store.ChangeType, string> = {
  'replace-model': 'deployment.replace-model',
  'change-importance': 'deployment.change-importance',
  delete: 'deployment.delete',
};

/** The fields a deletion request remembers: deleting after any of them changed would delete something else than was approved. */
const DELETE_SNAPSHOT = ['name', 'championVersionId', 'challengerVersionId', 'importance'] as const;

/** A PATCH or DELETE either took effect or waits for approval. */
export type ChangeOutcome = { applied: true; deployment: Deployment | null } | { applied: false; changeRequest: store.ChangeRequest };

/** The deployment changed since the request: nothing was applied. */
export class StaleChangeError extends ConflictError {
  constructor(
    message: string,
    public readonly changeRequestId: string,
  ) {
    super(message, { changeRequestId }, 'STALE_CHANGE_REQUEST');
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const pick = (deployment: Deployment, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, (deployment as unknown as Record<string, unknown>)[key] ?? null]));

/** The more critical of two importance levels (a change is judged by the stricter policy). */
function stricter(a: string, b: string): string {
  return IMPORTANCE[Math.min(IMPORTANCE.indexOf(a as never), IMPORTANCE.indexOf(b as never))];
}

/**
 * Change requests (SPEC §6, §8): replacing the model, changing importance and
 * deleting a deployment wait for approval when a policy matches (event type,
 * importance); otherwise they take effect at once through `DeploymentService`.
 * Approval runs in the `deployment-change-request` process; its service tasks
 * call `settle` to apply or reject.
 */
export class ChangeRequestService {
  constructor(
    private readonly db: Database,
    private readonly deployments: DeploymentService,
    private readonly engine: { instances: InstanceService; definitions: DefinitionService },
  ) {}

  /** PATCH /api/deployments/:id: applied now, or held as a change request when a policy matches. */
  async update(context: ActionContext, id: string, changes: DeploymentChanges, applyMode: store.ApplyMode = 'automatic'): Promise<ChangeOutcome> {
    const current = await this.deployments.get(context.actor, id);
    assertMayChange(context.actor, current);
    const gated = await this.gatedType(current, changes);
    if (!gated) return { applied: true, deployment: await this.deployments.update(context, id, changes) };
    await this.deployments.validateChanges(current, changes);
    const keys = Object.keys(changes);
    return { applied: false, changeRequest: await this.open(context, current, gated, { payload: changes, before: pick(current, keys), after: changes, applyMode }) };
  }

  /** DELETE /api/deployments/:id: deleted now, or held as a change request when a policy matches. */
  async delete(context: ActionContext, id: string, applyMode: store.ApplyMode = 'automatic'): Promise<ChangeOutcome> {
    const current = await this.deployments.get(context.actor, id);
    assertMayChange(context.actor, current);
    const gated = await this.policyFor('delete', current.importance);
    if (!gated) {
      await this.deployments.delete(context, id);
      return { applied: true, deployment: null };
    }
    return { applied: false, changeRequest: await this.open(context, current, gated, { payload: {}, before: pick(current, DELETE_SNAPSHOT), after: null, applyMode }) };
  }

  async get(actor: Actor, id: string): Promise<store.ChangeRequest> {
    const request = await store.findChangeRequest(this.db, id);
    if (!request || !(await this.visible(actor, request))) throw new NotFoundError('change request', id);
    return request;
  }

  list(actor: Actor, filter: Omit<store.ChangeRequestFilter, 'visibleTo'>) {
    return store.listChangeRequests(this.db, { ...filter, visibleTo: allows(actor.permissions, 'view:all') ? undefined : actor.id });
  }

  /** POST /api/change-requests/:id/apply: applies an approved request of manual mode. */
  async apply(context: ActionContext, id: string): Promise<store.ChangeRequest> {
    const request = await this.get(context.actor!, id);
    if (request.status !== 'approved') {
      throw new ConflictError(`change request ${id} is ${request.status}; only an approved request can be applied`, { status: request.status });
    }
    return this.applyNow(context, request, 'approved');
  }

  /** POST /api/change-requests/:id/cancel: the requester (or a user administrator) withdraws a pending or approved request. */
  async cancel(context: ActionContext, id: string): Promise<store.ChangeRequest> {
    const actor = context.actor!;
    await this.get(actor, id);
    const cancelled = await this.db.transaction(async (trx) => {
      const request = (await store.findChangeRequest(trx, id, true))!;
      if (request.requestedBy !== actor.id && !allows(actor.permissions, 'users:manage')) {
        throw new ForbiddenError(`only the requester of change request ${id} or a user administrator may cancel it`, { requestedBy: request.requestedBy });
      }
      if (request.status !== 'pending' && request.status !== 'approved') throw new ConflictError(`change request ${id} is ${request.status} and can no longer be cancelled`, { status: request.status });
      if (request.status === 'pending' && request.processInstanceId) await this.engine.instances.cancelIn(trx, context, request.processInstanceId, `change request ${id} cancelled`);
      const after = await store.updateStatus(trx, id, { status: 'cancelled' });
      await recordAudit(trx, context, { action: 'change-request.cancel', entityType: 'change_request', entityId: id, before: { status: request.status }, after: { status: 'cancelled' } });
      return after;
    });
    if (cancelled.processInstanceId) await this.engine.instances.runNow(cancelled.processInstanceId);
    return cancelled;
  }

  /**
   * The approval's outcome (from the process): a rejection marks the request
   * rejected; an approval applies it (automatic mode) or marks it approved
   * (manual). Idempotent: a settled request is returned as it is.
   */
  async settle(context: ActionContext, id: string, decision: { approved: boolean; decidedBy: string | null; comment: string | null }): Promise<store.ChangeRequest> {
    const request = await store.findChangeRequest(this.db, id);
    if (!request) throw new NotFoundError('change request', id);
    if (request.status !== 'pending') return request;
    const decided = { decidedBy: decision.decidedBy, decisionComment: decision.comment, decided: true };
    if (!decision.approved || request.applyMode === 'manual') {
      const status = decision.approved ? 'approved' : 'rejected';
      return this.transition(context, request, { status, ...decided }, `change-request.${decision.approved ? 'approve' : 'reject'}`);
    }
    try {
      return await this.applyNow(context, request, 'pending', decided);
    } catch (err) {
      if (err instanceof StaleChangeError) return (await store.findChangeRequest(this.db, id))!;
      throw err;
    }
  }

  /** Applies through the same code path as a direct change; a stale request is marked failed and answers 409. */
  private async applyNow(context: ActionContext, request: store.ChangeRequest, expected: store.ChangeStatus, decided: Partial<store.StatusChange> = {}): Promise<store.ChangeRequest> {
    const guard = this.guard(context, request, expected, decided);
    try {
      if (request.type === 'delete') await this.deployments.delete(context, request.deploymentId, guard);
      else await this.deployments.update(context, request.deploymentId, request.payload as DeploymentChanges, guard);
    } catch (err) {
      const gone = err instanceof NotFoundError && (err.details as { entity?: string })?.entity === 'deployment';
      if (!(err instanceof StaleChangeError) && !gone) throw err;
      const message = gone ? `deployment ${request.deploymentName} no longer exists; nothing was applied` : (err as Error).message;
      await this.transition(context, request, { status: 'failed', error: message, ...decided }, 'change-request.fail', expected);
      throw err instanceof StaleChangeError ? err : new StaleChangeError(message, request.id);
    }
    return (await store.findChangeRequest(this.db, request.id))!;
  }

  private guard(context: ActionContext, request: store.ChangeRequest, expected: store.ChangeStatus, decided: Partial<store.StatusChange>): ChangeGuard {
    return {
      check: async (db, current) => {
        const locked = 'isTransaction' in db && db.isTransaction;
        const latest = (await store.findChangeRequest(db, request.id, locked))!;
        if (latest.status !== expected) throw new ConflictError(`change request ${request.id} is ${latest.status}, not ${expected}`, { status: latest.status });
        const changed = Object.keys(request.before).filter((key) => !same(request.before[key], pick(current, [key])[key]));
        if (changed.length) {
          throw new StaleChangeError(`deployment ${current.name} changed since change request ${request.id} was made (${changed.join(', ')}); nothing was applied — request the change again`, request.id);
        }
      },
      applied: async (trx, before, after) => {
        await store.updateStatus(trx, request.id, { status: 'applied', appliedBy: context.actor?.id ?? null, applied: true, ...decided });
        await recordAudit(trx, context, {
          action: 'change-request.apply',
          entityType: 'change_request',
          entityId: request.id,
          before: { deployment: before },
          after: { deployment: after },
          comment: `${request.type} of deployment ${request.deploymentName}`,
        });
      },
    };
  }

  /** Moves a request from `expected` to another status, audited (409 when someone else moved it first). */
  private async transition(context: ActionContext, request: store.ChangeRequest, change: store.StatusChange, action: string, expected: store.ChangeStatus = 'pending'): Promise<store.ChangeRequest> {
    return this.db.transaction(async (trx) => {
      const latest = (await store.findChangeRequest(trx, request.id, true))!;
      if (latest.status !== expected) throw new ConflictError(`change request ${request.id} is ${latest.status}, not ${expected}`, { status: latest.status });
      const after = await store.updateStatus(trx, request.id, change);
      await recordAudit(trx, context, { action, entityType: 'change_request', entityId: request.id, before: { status: latest.status }, after: { status: change.status, error: change.error ?? null }, comment: change.decisionComment ?? null });
      return after;
    });
  }

  /** Stores the request and starts its approval process in one transaction; answers once the work item exists. */
  private async open(
    context: ActionContext,
    deployment: Deployment,
    gated: { type: store.ChangeType; importance: string },
    change: Pick<store.NewChangeRequest, 'payload' | 'before' | 'after' | 'applyMode'>,
  ): Promise<store.ChangeRequest> {
    const id = crypto.randomUUID();
    const eventType = EVENT_TYPES[gated.type];
    await deployChangeRequestProcess(this.db, this.engine.definitions);
    const created = await this.db.transaction(async (trx) => {
      const instanceId = await this.engine.instances.create(trx, context, {
        key: CHANGE_REQUEST_PROCESS,
        businessKey: deployment.name,
        variables: {
          eventType,
          importance: gated.importance,
          changeRequestId: id,
          deployment: { id: deployment.id, name: deployment.name, modelId: deployment.modelId },
          change: { type: gated.type, before: change.before, after: change.after, applyMode: change.applyMode },
          ...(context.actor ? { submittedBy: context.actor.id } : {}),
        },
      });
      const request = await store.insertChangeRequest(trx, { id, deploymentId: deployment.id, deploymentName: deployment.name, type: gated.type, eventType, importance: gated.importance, requestedBy: context.actor?.id ?? null, processInstanceId: instanceId, ...change });
      await recordAudit(trx, context, { action: 'change-request.create', entityType: 'change_request', entityId: id, before: change.before, after: change.after, comment: `${gated.type} of deployment ${deployment.name}` });
      return request;
    });
    await this.engine.instances.runNow(created.processInstanceId!);
    return created;
  }

  /** The change type a PATCH needs approval for, if a policy matches; replacing the model and changing importance go separately. */
  private async gatedType(current: Deployment, changes: DeploymentChanges): Promise<{ type: store.ChangeType; importance: string } | null> {
    const replaces = changes.championVersionId !== undefined && changes.championVersionId !== current.championVersionId;
    const reweighs = changes.importance !== undefined && changes.importance !== current.importance;
    const policies = [
      replaces ? await this.policyFor('replace-model', current.importance) : null,
      reweighs ? await this.policyFor('change-importance', stricter(current.importance, changes.importance!)) : null,
    ].filter((gate) => gate !== null);
    if (policies.length && replaces && reweighs) {
      throw new ValidationError('replacing the model and changing the importance need approval: request them separately', { championVersionId: changes.championVersionId, importance: changes.importance });
    }
    return policies[0] ?? null;
  }

  private async policyFor(type: store.ChangeType, importance: string): Promise<{ type: store.ChangeType; importance: string } | null> {
    return (await findPolicy(this.db, EVENT_TYPES[type], importance)) ? { type, importance } : null;
  }

  /** `view:all`, the requester, or whoever may see the deployment. */
  private async visible(actor: Actor, request: store.ChangeRequest): Promise<boolean> {
    if (allows(actor.permissions, 'view:all') || request.requestedBy === actor.id) return true;
    const deployment = await findDeployment(this.db, request.deploymentId);
    return !!deployment && canSeeDeployment(actor, deployment);
  }
}
