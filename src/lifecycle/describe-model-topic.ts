/**
 * `describe-model`: what On Model Changed needs about the model and version
 * it was started for, as process variables — the type and importance that
 * route the approval, the train flag, the dataset and its holdout, the
 * version id the deploy topic takes, and the work-item context.
 */
import { z } from 'zod';
import type { Database } from '../db/connect';
import type { ServiceTaskHandler } from '../engine/service-tasks/handler-registry';
import type { ModelService } from '../models/model-service';
import { ValidationError } from '../errors';
import { holdoutStart } from './holdout';
import { Integer, taskInputs, Text } from '../engine/service-tasks/task-inputs';
import { versionRef } from './version-ref';

export interface DescribeModelDeps {
  db: Database;
  models: ModelService;
  supportGroup: string;
}

/** Runtime tags On Model Changed deploys to unless the instance says otherwise. */
export const DEFAULT_RUNTIME_TAGS = 'prod';

const Inputs = z.object({
  modelId: Text,
  /** The version to describe; a message may name it by id instead. */
  versionNumber: Integer.min(1).optional(),
  versionId: z.uuid().optional(),
  datasetId: z.uuid().optional(),
  runtimeTags: z.union([Text, z.array(Text)]).optional(),
  deploymentName: Text.optional(),
});

export function describeModelTopic(deps: DescribeModelDeps): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(Inputs, task);
    const model = await deps.models.get(null, inputs.modelId);
    const number = inputs.versionNumber ?? (inputs.versionId ? (await versionRef(deps.db, inputs.versionId)).versionNumber : undefined);
    if (!number) throw new ValidationError(`describe-model task ${task.elementId} needs versionNumber or versionId`);
    const { version } = await deps.models.getVersion(null, model.id, number);
    const datasetId = inputs.datasetId ?? model.metadata.datasetId ?? null;
    const holdoutFrom = datasetId ? await holdoutStart(deps.db, datasetId) : null;
    const change =
      version.source === 'trained' && version.trainJobId
        ? `version ${version.number} of ${model.name} trained by job ${version.trainJobId}`
        : `version ${version.number} of ${model.name} submitted (${version.source}${version.description ? `: ${version.description}` : ''})`;
    return {
      modelId: model.id,
      modelName: model.name,
      modelType: model.type,
      importance: model.importance,
      trainRequested: model.metadata.train,
      datasetId,
      holdoutFrom: holdoutFrom?.toISOString() ?? null,
      versionNumber: version.number,
      versionId: version.id,
      runtimeTags: inputs.runtimeTags ?? DEFAULT_RUNTIME_TAGS,
      deploymentName: inputs.deploymentName ?? model.name,
      supportGroup: deps.supportGroup,
      model: { id: model.id, name: model.name, type: model.type, importance: model.importance, ownerId: model.ownerId },
      version: { id: version.id, number: version.number, source: version.source, description: version.description },
      change,
      // A trained version has no submitter: the four-eyes rule keeps the person who submitted the change.
      ...(version.submittedBy ? { submittedBy: version.submittedBy } : {}),
    };
  };
}
