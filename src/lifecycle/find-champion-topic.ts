/**
 * `find-champion`: the deployment Champion/Challenger retrains — the one
 * named by `deploymentId`, or else the first active deployment whose model is
 * trained on the dataset that just received labeled rows (`datasetId`).
 */
import { z } from 'zod';
import type { Database } from '../db/connect';
import type { ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import { ValidationError } from '../errors';
import type { ModelService } from '../models/model-service';
import type { DeployedChampion, DeploymentDirectory } from './deployment-directory';
import { holdoutStart } from './holdout';
import { taskInputs } from '../engine/service-tasks/task-inputs';
import { versionRef } from './version-ref';

export interface FindChampionDeps {
  db: Database;
  models: ModelService;
  deployments: DeploymentDirectory;
  supportGroup: string;
}

const Inputs = z.object({ deploymentId: z.uuid().optional(), datasetId: z.uuid().optional() });

export function findChampionTopic(deps: FindChampionDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(Inputs, task);
    if (!inputs.deploymentId && !inputs.datasetId) throw new ValidationError(`find-champion task ${task.elementId} needs deploymentId or datasetId`);
    let deployment: DeployedChampion | undefined;
    if (inputs.deploymentId) {
      deployment = await deps.deployments.get(null, inputs.deploymentId);
    } else {
      for (const candidate of await deps.deployments.listActive()) {
        const model = await deps.models.get(null, candidate.modelId);
        if (model.metadata.datasetId === inputs.datasetId) {
          deployment = candidate;
          break;
        }
      }
    }
    if (!deployment) return { found: false, supportGroup: deps.supportGroup };
    const model = await deps.models.get(null, deployment.modelId);
    const datasetId = inputs.datasetId ?? model.metadata.datasetId;
    if (!datasetId) throw new ValidationError(`model ${model.name} names no dataset (metadata.datasetId) to retrain on`);
    const champion = await versionRef(deps.db, deployment.championVersionId);
    const holdoutFrom = await holdoutStart(deps.db, datasetId);
    return {
      found: true,
      deploymentId: deployment.deploymentId,
      deploymentName: deployment.deploymentName,
      modelId: model.id,
      modelName: model.name,
      modelType: model.type,
      importance: deployment.importance,
      datasetId,
      holdoutFrom: holdoutFrom?.toISOString() ?? null,
      championVersion: champion.versionNumber,
      championVersionId: champion.versionId,
      supportGroup: deps.supportGroup,
      model: { id: model.id, name: model.name, type: model.type, importance: model.importance, ownerId: model.ownerId },
      change: `retrained ${model.name} to challenge version ${champion.versionNumber}, the champion of deployment ${deployment.deploymentName}`,
    };
  };
}
