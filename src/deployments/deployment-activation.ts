/**
 * Activation under the subscription-style limit (SPEC §8): at most
 * MAX_ACTIVE_MODELS distinct models may have an active deployment at once;
 * two deployments of one model count once.
 */
import type { Database } from '../db/connect';
import { ConflictError } from '../errors';
import type { ActionContext } from '../identity/actor';
import type { DeploymentService } from './deployment-service';
import * as store from './deployment-store';

export interface Usage {
  activeModels: { used: number; limit: number | null };
}

export class DeploymentActivation {
  constructor(
    private readonly db: Database,
    private readonly deployments: DeploymentService,
    /** null: no limit. */
    private readonly maxActiveModels: number | null,
  ) {}

  /** Activates; past the limit a 409 says which models hold the slots and how to free one. */
  async activate(context: ActionContext, id: string): Promise<store.Deployment> {
    await this.deployments.get(context.actor, id);
    return this.deployments.apply(context, id, 'deployment.activate', async (trx, before) => {
      if (before.status === 'active') return before;
      await store.lockActivations(trx);
      const active = await store.activeModelIds(trx);
      const limit = this.maxActiveModels;
      if (limit !== null && !active.includes(before.modelId) && active.length >= limit) {
        const names = (await trx('models').whereIn('id', active).orderBy('name').pluck('name')) as string[];
        throw new ConflictError(
          `the limit of ${limit} active model(s) is reached (${names.join(', ')}); deactivate every deployment of one of these models (POST /api/deployments/:id/deactivate) or raise MAX_ACTIVE_MODELS to make room`,
          { limit, used: active.length, activeModels: names },
          'ACTIVE_MODEL_LIMIT',
        );
      }
      return store.updateDeployment(trx, id, { status: 'active' });
    });
  }

  async deactivate(context: ActionContext, id: string): Promise<store.Deployment> {
    await this.deployments.get(context.actor, id);
    return this.deployments.apply(context, id, 'deployment.deactivate', async (trx, before) =>
      before.status === 'inactive' ? before : store.updateDeployment(trx, id, { status: 'inactive' }),
    );
  }

  async usage(): Promise<Usage> {
    const active = await store.activeModelIds(this.db);
    return { activeModels: { used: active.length, limit: this.maxActiveModels } };
  }
}
