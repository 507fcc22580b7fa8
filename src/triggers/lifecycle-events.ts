/**
 * Lifecycle events that start processes (SPEC §10): a submitted model
 * version is the message `model-changed`, appended labeled data is
 * `data-arrived`, a changed deployment is `deployment-changed`. Which process
 * reacts is declared in the BPMN (message start events, or a waiting message
 * catch event with the business key); an event nobody receives is fine.
 */
import type { DatasetService, RowsAppendedEvent } from '../datasets/dataset-service';
import type { CorrelationResult, EventService } from '../engine/events/event-service';
import type { Variables } from '../engine/runtime/types';
import { NotFoundError } from '../errors';
import { SYSTEM, type ActionContext } from '../identity/actor';
import type { Logger } from '../logger';
import type { ModelService, VersionSubmittedEvent } from '../models/model-service';

/** The message names of the lifecycle events. */
export const LIFECYCLE_MESSAGES = {
  modelChanged: 'model-changed',
  dataArrived: 'data-arrived',
  deploymentChanged: 'deployment-changed',
} as const;

export class LifecycleEvents {
  constructor(
    private readonly events: EventService,
    private readonly logger: Logger,
  ) {}

  /**
   * Sends the message `name` through the message service (delivered to the
   * instances waiting for it with the business key, else starting the
   * processes whose message start event has that name). Nobody receiving it
   * is not an error: the result is then empty. `context` names who caused
   * the event (the instances are started by them).
   */
  async publish(name: string, businessKey: string | null, variables: Variables, context: ActionContext = SYSTEM): Promise<CorrelationResult> {
    try {
      const result = await this.events.correlateMessage(context, name, businessKey, variables);
      this.logger.info({ event: name, businessKey, ...result }, 'lifecycle event published');
      return result;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      this.logger.debug({ event: name, businessKey }, 'lifecycle event has no receiver');
      return { delivered: [], started: [] };
    }
  }

  /** `model-changed`: a version was submitted over REST. */
  async modelChanged({ model, version, context }: VersionSubmittedEvent): Promise<CorrelationResult> {
    return this.publish(
      LIFECYCLE_MESSAGES.modelChanged,
      `${model.name}:v${version.number}`,
      {
        modelId: model.id,
        modelName: model.name,
        modelType: model.type,
        importance: model.importance,
        versionId: version.id,
        versionNumber: version.number,
        versionSource: version.source,
        submittedBy: version.submittedBy,
      },
      context,
    );
  }

  /** `data-arrived`: labeled rows were appended to a dataset. */
  async dataArrived({ dataset, rows, bytes, context }: RowsAppendedEvent): Promise<CorrelationResult> {
    return this.publish(
      LIFECYCLE_MESSAGES.dataArrived,
      dataset.name,
      {
        datasetId: dataset.id,
        datasetName: dataset.name,
        rowsAppended: rows,
        bytesAppended: bytes,
        rowCount: dataset.rowCount,
        appendedBy: context.actor?.id ?? null,
      },
      context,
    );
  }

  /** Hooks the model and dataset events (called once at start-up). */
  listen(models: ModelService, datasets: DatasetService): void {
    models.onVersionSubmitted = (event) => this.modelChanged(event).then(() => undefined);
    datasets.onRowsAppended = (event) => this.dataArrived(event).then(() => undefined);
  }
}
