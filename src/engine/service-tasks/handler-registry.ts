/**
 * The in-process service-task handlers, by topic. Later capabilities
 * (train, test, deploy, ...) register here; a topic with no handler is served
 * to external workers instead (SPEC §5.1).
 */

/** What a handler receives for one invocation of one service task. */
export interface ServiceTaskContext {
  readonly instanceId: string;
  readonly businessKey: string | null;
  readonly elementId: string;
  readonly executionId: string;
  /** Stable across re-invocations after a crash: handlers de-duplicate on it. */
  readonly idempotencyKey: string;
  readonly topic: string;
  /** Task input parameters (camunda:inputParameter), already resolved. */
  readonly input: Readonly<Record<string, unknown>>;
  /** A copy of the process variables. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
}

/** Returns the outputs that become process variables (or nothing). */
export type ServiceTaskHandler = (context: ServiceTaskContext) => Promise<Record<string, unknown> | void>;

/** Thrown by a handler to take a boundary error event instead of retrying. */
export class BpmnError extends Error {
  constructor(
    public readonly errorCode: string,
    message?: string,
  ) {
    super(message ?? errorCode);
    this.name = 'BpmnError';
  }
}

export class ServiceTaskRegistry {
  private readonly handlers = new Map<string, ServiceTaskHandler>();

  /** Registers the in-process handler of a topic (one per topic). */
  register(topic: string, handler: ServiceTaskHandler): void {
    if (this.handlers.has(topic)) throw new Error(`topic ${topic} already has a handler`);
    this.handlers.set(topic, handler);
  }

  get(topic: string): ServiceTaskHandler | undefined {
    return this.handlers.get(topic);
  }

  topics(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }
}
