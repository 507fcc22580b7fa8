import { BpmnError, ServiceTaskHandler, ServiceTaskRegistry } from '../service-tasks/handler-registry';
import { mapOutputs, resolveInputs, serviceTopic } from './camunda-attributes';
import type { InstanceForRun, NewIncident, ServiceTaskRecord, Variables } from './types';

/* bpmn-elements activities are untyped at this boundary. */
/* eslint-disable @typescript-eslint/no-explicit-any */
type EngineCallback = (err: Error | null, output?: unknown) => void;

/** What the dispatcher needs from the run it belongs to. */
export interface ServiceRunHooks {
  /** The live process variables (a service's outputs are assigned to them). */
  processVariables(): Variables;
  /** A copy of the process variables without the engine's own keys. */
  userVariables(): Variables;
  /** Something happened: the run re-checks whether it has settled. */
  changed(): void;
  /** Persists the run so far; resolves once stored. */
  checkpoint(): Promise<void>;
}

const SERVICE_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

/** An error the engine routes to a boundary error event with the same errorCode. */
function engineError(code: string | null, message: string | null): Error {
  const error = new Error(message ?? code ?? 'BPMN error') as Error & { code?: string };
  error.code = code ?? undefined;
  return error;
}

/**
 * Runs the service tasks of one run. In-process topics call their handler
 * (after a checkpoint, so the execution id — the idempotency key — survives a
 * crash); failures are retried with backoff and end in an incident. Topics
 * without a handler become external tasks and the branch waits.
 */
export class ServiceDispatcher {
  inFlight = 0;
  private readonly byExecution = new Map<string, ServiceTaskRecord>();
  private incidents: NewIncident[] = [];
  private readonly dirty = new Set<string>();

  constructor(
    private readonly instance: InstanceForRun,
    loaded: ServiceTaskRecord[],
    private readonly registry: ServiceTaskRegistry,
    private readonly backoffMs: readonly number[],
    private readonly run: ServiceRunHooks,
  ) {
    for (const record of loaded) this.byExecution.set(record.executionId, record);
  }

  /** bpmn-engine extension: replaces the Service behaviour of tasks that name a topic. */
  extend(activity: any): void {
    if (!SERVICE_TYPES.has(activity.type)) return;
    const topic = serviceTopic(activity.behaviour ?? {});
    if (!topic) return;
    // bpmn-elements calls `new Service(activity)`, so this must be a constructor function.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const dispatcher = this;
    activity.behaviour.Service = function Service() {
      return { execute: (message: any, callback: EngineCallback) => dispatcher.execute(activity, topic, message, callback) };
    };
  }

  /** The records changed since the last call: what the next snapshot writes. */
  drainChanged(): ServiceTaskRecord[] {
    const changed = [...this.dirty].map((executionId) => ({ ...this.byExecution.get(executionId)! }));
    this.dirty.clear();
    return changed;
  }

  retryTimes(): number[] {
    return [...this.byExecution.values()]
      .filter((record) => record.status === 'retry_wait' && record.retryAt)
      .map((record) => record.retryAt!.getTime());
  }

  drainIncidents(): NewIncident[] {
    const incidents = this.incidents;
    this.incidents = [];
    return incidents;
  }

  hasIncident(): boolean {
    return [...this.byExecution.values()].some((record) => record.status === 'incident');
  }

  /** The activity left (completed, interrupted, discarded): a waiting task no longer waits. */
  forget(executionId: string): void {
    const record = this.byExecution.get(executionId);
    if (record && ['pending', 'retry_wait', 'incident'].includes(record.status)) {
      record.status = 'cancelled';
      this.dirty.add(executionId);
    }
  }

  private execute(activity: any, topic: string, message: any, callback: EngineCallback): void {
    const executionId: string = message.content.executionId;
    const record = this.byExecution.get(executionId);
    if (record?.status === 'completed') return this.complete(activity, record.result ?? {}, callback);
    if (record?.status === 'bpmn_error') return callback(engineError(record.errorCode, record.errorMessage));

    const handler = this.registry.get(topic);
    if (!handler) {
      if (!record) {
        this.byExecution.set(executionId, this.newRecord(activity, topic, message, true));
        this.dirty.add(executionId);
      }
      return this.run.changed();
    }
    const retryLater = record?.status === 'retry_wait' && record.retryAt && record.retryAt.getTime() > Date.now();
    if (record?.status === 'incident' || retryLater) return this.run.changed();
    void this.invoke(handler, activity, topic, message, record, callback);
  }

  private newRecord(activity: any, topic: string, message: any, external: boolean): ServiceTaskRecord {
    const input = resolveInputs(activity.behaviour, activity.environment, message);
    return {
      elementId: activity.id,
      executionId: message.content.executionId,
      topic,
      external,
      variables: { ...this.run.userVariables(), ...input },
      status: 'pending',
      attempts: 0,
      retryAt: null,
      errorMessage: null,
      errorCode: null,
      result: null,
    };
  }

  private async invoke(
    handler: ServiceTaskHandler,
    activity: any,
    topic: string,
    message: any,
    existing: ServiceTaskRecord | undefined,
    callback: EngineCallback,
  ): Promise<void> {
    const record = existing ?? this.newRecord(activity, topic, message, false);
    record.status = 'running';
    record.attempts += 1;
    this.byExecution.set(record.executionId, record);
    this.dirty.add(record.executionId);
    this.inFlight++;
    try {
      await this.run.checkpoint();
      const output = await handler({
        instanceId: this.instance.id,
        businessKey: this.instance.businessKey,
        elementId: record.elementId,
        executionId: record.executionId,
        idempotencyKey: `${this.instance.id}:${record.executionId}`,
        topic,
        input: resolveInputs(activity.behaviour, activity.environment, message),
        variables: structuredClone(this.run.userVariables()),
        attempt: record.attempts,
      });
      record.status = 'completed';
      record.result = output ?? {};
      this.dirty.add(record.executionId);
      this.complete(activity, record.result, callback);
    } catch (err) {
      this.failed(record, err, callback);
    } finally {
      this.inFlight--;
      this.run.changed();
    }
  }

  private complete(activity: any, result: Variables, callback: EngineCallback): void {
    const outputs = mapOutputs(activity.behaviour, activity.environment, result);
    // The process scope keeps them; a sub-process's own copy must see them too.
    Object.assign(this.run.processVariables(), outputs);
    Object.assign(activity.environment.variables, outputs);
    callback(null, result);
  }

  private failed(record: ServiceTaskRecord, err: unknown, callback: EngineCallback): void {
    const message = err instanceof Error ? err.message : String(err);
    record.errorMessage = message;
    this.dirty.add(record.executionId);
    if (err instanceof BpmnError) {
      record.status = 'bpmn_error';
      record.errorCode = err.errorCode;
      return callback(engineError(err.errorCode, message));
    }
    const delay = this.backoffMs[record.attempts - 1];
    if (delay !== undefined) {
      record.status = 'retry_wait';
      record.retryAt = new Date(Date.now() + delay);
      return;
    }
    record.status = 'incident';
    record.retryAt = null;
    this.incidents.push({
      elementId: record.elementId,
      executionId: record.executionId,
      type: 'failed-service-task',
      message: `${record.topic} failed after ${record.attempts} attempts: ${message}`,
    });
  }
}
