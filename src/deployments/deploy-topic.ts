/**
 * The `deploy` service-task topic (SPEC §5, §8). Inputs (task input
 * parameters over process variables):
 * - `versionId` or `modelVersionId` (a model version id), or `modelId` (id or
 *   name) with `versionNumber`;
 * - `runtimeTags`: a list or a comma-separated string; the runtime chosen has
 *   every one of them (the first such by name);
 * - `deploymentId` or `deploymentName`: an existing deployment gets the
 *   version as its new champion; otherwise a deployment of that name (default:
 *   the model's name) is created;
 * - `importance`, `access` (`public|instance|project`, default `project`),
 *   `activate` (default true).
 * Outputs: `deploymentId`, `deploymentName`, `runtimeId`. BPMN errors:
 * `NO_RUNTIME` when no runtime has the tags, `DEPLOY_FAILED` when the
 * runtime refuses the model or activation is refused (limit).
 */
import { z } from 'zod';
import type { Database } from '../db/connect';
import { BpmnError, type ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import { taskInputs } from '../engine/service-tasks/task-inputs';
import { AppError, ConflictError, NotFoundError, UpstreamError, ValidationError } from '../errors';
import { SYSTEM } from '../identity/actor';
import { findModel, findModelByName, findVersion } from '../models/model-store';
import { listRuntimes } from '../runtimes/runtime-store';
import { IMPORTANCE } from '../tasks/approval-policies';
import type { DeploymentActivation } from './deployment-activation';
import type { DeploymentService } from './deployment-service';
import { findDeployment, findDeploymentByName, findVersionById } from './deployment-store';

const Tags = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((tag) => tag.trim()).filter(Boolean) : value),
  z.array(z.string().trim().min(1).max(100)).max(50),
);
const Inputs = z.object({
  versionId: z.uuid().optional(),
  modelVersionId: z.uuid().optional(),
  modelId: z.string().trim().min(1).max(200).optional(),
  versionNumber: z.coerce.number().int().min(1).optional(),
  runtimeTags: Tags.default([]),
  deploymentId: z.uuid().optional(),
  deploymentName: z.string().trim().min(1).max(200).optional(),
  importance: z.enum(IMPORTANCE).optional(),
  access: z.enum(['public', 'instance', 'project']).default('project'),
  activate: z.preprocess((v) => (v === 'false' ? false : v === 'true' ? true : v), z.boolean()).default(true),
});

async function versionOf(db: Database, inputs: z.infer<typeof Inputs>, elementId: string) {
  const id = inputs.versionId ?? inputs.modelVersionId;
  if (id) {
    const version = await findVersionById(db, id);
    if (!version) throw new NotFoundError('model version', id);
    return version;
  }
  if (!inputs.modelId || !inputs.versionNumber) throw new ValidationError(`deploy task ${elementId} needs versionId (or modelId and versionNumber)`);
  const isUuid = /^[0-9a-f-]{36}$/i.test(inputs.modelId);
  const model = isUuid ? await findModel(db, inputs.modelId) : await findModelByName(db, inputs.modelId);
  const version = model ? await findVersion(db, model.id, inputs.versionNumber) : null;
  if (!version) throw new NotFoundError(`version of model ${inputs.modelId}`, inputs.versionNumber);
  return (await findVersionById(db, version.id))!;
}

/** A refusal the process may handle: the runtime refused or activation was refused. */
function deployFailed(err: unknown): never {
  if (err instanceof UpstreamError || err instanceof ConflictError) throw new BpmnError('DEPLOY_FAILED', (err as AppError).message);
  throw err;
}

export function deployTopic(deps: { db: Database; deployments: DeploymentService; activation: DeploymentActivation }): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(Inputs, task);
    const version = await versionOf(deps.db, inputs, task.elementId);
    const model = (await findModel(deps.db, version.modelId))!;
    const existing = inputs.deploymentId
      ? await findDeployment(deps.db, inputs.deploymentId)
      : await findDeploymentByName(deps.db, inputs.deploymentName ?? model.name);
    if (inputs.deploymentId && !existing) throw new NotFoundError('deployment', inputs.deploymentId);
    const [runtime] = await listRuntimes(deps.db, { tags: inputs.runtimeTags });
    if (!existing && !runtime) throw new BpmnError('NO_RUNTIME', `no runtime has all the tags ${inputs.runtimeTags.join(', ') || '(none)'}`);
    let deployment;
    try {
      if (existing) {
        const changes = { ...(existing.championVersionId !== version.id ? { championVersionId: version.id } : {}), ...(inputs.importance ? { importance: inputs.importance } : {}) };
        deployment = Object.keys(changes).length > 0 ? await deps.deployments.update(SYSTEM, existing.id, changes) : existing;
      } else {
        deployment = await deps.deployments.create(SYSTEM, {
          name: inputs.deploymentName ?? model.name,
          versionId: version.id,
          runtimeId: runtime.id,
          importance: inputs.importance,
          access: inputs.access,
        });
      }
      if (inputs.activate) deployment = await deps.activation.activate(SYSTEM, deployment.id);
    } catch (err) {
      deployFailed(err);
    }
    return { deploymentId: deployment.id, deploymentName: deployment.name, runtimeId: deployment.runtimeId };
  };
}
