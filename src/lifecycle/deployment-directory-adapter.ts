/** The deployments capability seen as the reference processes' {@link DeploymentDirectory}. */
import type { DeploymentService } from '../deployments/deployment-service';
import type { Deployment } from '../deployments/deployment-store';
import type { DeployedChampion, DeploymentDirectory } from './deployment-directory';

const champion = (deployment: Deployment): DeployedChampion => ({
  deploymentId: deployment.id,
  deploymentName: deployment.name,
  modelId: deployment.modelId,
  championVersionId: deployment.championVersionId,
  importance: deployment.importance,
  status: deployment.status,
});

export function deploymentDirectory(deployments: DeploymentService): DeploymentDirectory {
  return {
    listActive: async () => (await deployments.listActive()).map(({ deployment }) => champion(deployment)),
    get: async (actor, deploymentId) => champion(await deployments.get(actor, deploymentId)),
  };
}
