import type { Engine } from 'bpmn-engine';
import { EventEmitter } from 'node:events';
import { createEngine, withoutSources, type SourceContext } from './engine-factory';
import { readUserTask } from './camunda-attributes';
import { restrictStartEvents } from './start-selection';
import { ServiceDispatcher, ServiceRunHooks } from './service-dispatcher';
import type {
  Command,
  CurrentActivity,
  HistoryEntry,
  InstanceForRun,
  InstanceStatus,
  RunSnapshot,
  ServiceTaskRecord,
  Variables,
  WaitingSubscription,
  WaitingTimer,
  WaitingCall,
  WaitingUserTask,
} from './types';
import type { ServiceTaskRegistry } from '../service-tasks/handler-registry';

/* bpmn-engine's listener payloads are untyped at this boundary. */
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface RunDependencies {
  registry: ServiceTaskRegistry;
  retryBackoffMs: readonly number[];
  /** Stores a snapshot while the run keeps its lease (before an in-process service runs). */
  checkpoint(snapshot: RunSnapshot): Promise<void>;
}

/** Keys bpmn-elements copies into the process environment's variables; never user data. */
const engineNoise = new Set(['fields', 'content', 'properties']);

/** How close a timer may be due for the run to wait for it instead of persisting. */
const TIMER_GRACE_MS = 30;

const nextTick = () => new Promise<void>((resolve) => setTimeout(() => setImmediate(resolve), 0));

/**
 * One advance of one instance: recover (or start) its engine, apply the
 * commands that arrived, run until every branch waits or the process ends, and
 * return the snapshot to store. Holds no state beyond its own lifetime.
 */
export class InstanceRun implements ServiceRunHooks {
  private engine!: Engine;
  private execution: any;
  private processEnvironment: { variables: Variables } | null = null;
  private readonly userTasks = new Map<string, WaitingUserTask>();
  private readonly timers = new Map<string, WaitingTimer>();
  private readonly subscriptions = new Map<string, WaitingSubscription>();
  private readonly calls = new Map<string, WaitingCall>();
  /** The environment of each waiting activity: a sub-process's activities see a copy of the variables. */
  private readonly scopes = new Map<string, { variables: Variables }>();
  private readonly current = new Map<string, CurrentActivity>();
  private readonly dispatcher: ServiceDispatcher;
  private history: HistoryEntry[] = [];
  private applied: string[] = [];
  private actor: string | null = null;
  private events = 0;
  /** Whether any activity started or ended in this run (see snapshot()). */
  private progressed = false;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private checkpoints: Promise<void> = Promise.resolve();

  constructor(
    private readonly instance: InstanceForRun,
    private readonly source: SourceContext,
    serviceTasks: ServiceTaskRecord[],
    private readonly deps: RunDependencies,
  ) {
    this.dispatcher = new ServiceDispatcher(instance, serviceTasks, deps.registry, deps.retryBackoffMs, this);
  }

  /** Applies the commands and runs to the next wait state; returns what to store. */
  async advance(commands: Command[]): Promise<RunSnapshot> {
    const cancel = commands.find((command) => command.type === 'cancel');
    if (cancel) return this.cancelled(commands);

    const start = commands.find((command) => command.type === 'start');
    const startEventIds = !this.instance.engineState && start?.type === 'start' ? start.payload.startEventIds : undefined;
    this.engine = createEngine(this.instance.id, this.source, (activity) => {
      // The process's own environment holds the process variables (sub-processes get copies).
      if (activity.type === 'bpmn:Process') this.processEnvironment = activity.environment;
      if (startEventIds) restrictStartEvents(activity, startEventIds);
      this.dispatcher.extend(activity);
    });
    this.engine.once('end', () => this.finish());
    this.engine.once('error', (err: Error) => this.finish(err));
    const listener = this.listener();
    if (this.instance.engineState) {
      this.engine.recover(structuredClone(withoutSources(this.instance.engineState)) as any);
      this.execution = await this.engine.resume({ listener } as any);
    } else {
      const variables = start?.type === 'start' ? start.payload.variables : {};
      this.execution = await this.engine.execute({ listener, variables } as any);
    }
    for (const command of commands) this.apply(command);
    await this.settle();
    await this.checkpoints;
    const snapshot = await this.snapshot(this.finalStatus());
    if (!this.ended && !this.failure) await this.engine.stop();
    return snapshot;
  }

  // --- ServiceRunHooks -------------------------------------------------------

  processVariables(): Variables {
    return this.processEnvironment?.variables ?? {};
  }

  userVariables(): Variables {
    return Object.fromEntries(Object.entries(this.processVariables()).filter(([name]) => !engineNoise.has(name)));
  }

  changed(): void {
    this.events++;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Stores the current state, serialised so snapshots land in the order they were taken. */
  checkpoint(): Promise<void> {
    const next = this.checkpoints.then(async () => this.deps.checkpoint(await this.snapshot('running')));
    this.checkpoints = next.catch(() => undefined);
    return next;
  }

  // --- commands --------------------------------------------------------------

  private apply(command: Command): void {
    if (command.id) this.applied.push(command.id); // '' was never stored (a new instance's start)
    switch (command.type) {
      case 'complete-user-task': {
        const { elementId, executionId, variables, actor } = command.payload;
        if (!this.userTasks.has(executionId)) return; // already left (e.g. a boundary timer won)
        this.assignVariables(executionId, variables);
        this.actor = actor;
        this.signal({ id: elementId, executionId, variables });
        this.actor = null;
        return;
      }
      case 'call-completed': {
        const { elementId, executionId, variables } = command.payload;
        if (!this.calls.has(executionId)) return;
        // Like Camunda's <camunda:out variables="all"/>: the called process's variables come back.
        Object.assign(this.processVariables(), variables);
        this.signal({ id: elementId, executionId });
        return;
      }
      case 'message':
      case 'signal': {
        const { name, variables } = command.payload;
        const waiting = [...this.subscriptions.values()].find((s) => s.kind === command.type && s.name === name);
        const refId = command.payload.refId ?? waiting?.refId;
        if (!refId) return;
        if (waiting) this.assignVariables(waiting.executionId, variables);
        else Object.assign(this.processVariables(), variables);
        this.signal({ id: refId });
        return;
      }
      default:
        return; // start is applied by execute(); wake only brings the instance into memory
    }
  }

  /** Delivers to the engine; a delivered signal is progress even when no activity ends yet (multi-instance). */
  private signal(message: Record<string, unknown>): void {
    this.progressed = true;
    this.execution.signal(message);
  }

  /** Like Camunda, new variables land in the process scope and are visible in the waiting scope. */
  private assignVariables(executionId: string, variables: Variables): void {
    Object.assign(this.processVariables(), variables);
    const scope = this.scopes.get(executionId);
    if (scope) Object.assign(scope.variables, variables);
  }

  // --- engine events ---------------------------------------------------------

  private listener(): EventEmitter {
    const listener = new EventEmitter();
    listener.on('activity.start', (api: any) => {
      this.current.set(api.executionId, { elementId: api.id, executionId: api.executionId, type: api.type });
      this.record(api, 'start');
    });
    listener.on('activity.end', (api: any) => this.left(api, 'end'));
    listener.on('activity.discard', (api: any) => this.left(api, 'discard'));
    listener.on('activity.leave', (api: any) => this.forgetElement(api.id));
    listener.on('activity.wait', (api: any) => this.waiting(api));
    listener.on('activity.call', (api: any) => {
      this.calls.set(api.executionId, { elementId: api.id, executionId: api.executionId, calledElement: String(api.content.calledElement) });
      this.changed();
    });
    listener.on('activity.timer', (api: any) => {
      const dueAt = new Date(api.content.expireAt);
      this.timers.set(api.id, { elementId: api.id, executionId: api.executionId, dueAt });
      this.changed();
    });
    return listener;
  }

  private waiting(api: any): void {
    const { content } = api;
    if (api.environment) this.scopes.set(api.executionId, api.environment);
    if (api.type === 'bpmn:UserTask') {
      this.userTasks.set(api.executionId, readUserTask(api.owner, api, api.executionId));
    } else if (content.message || content.signal) {
      const kind = content.signal ? 'signal' : 'message';
      const ref = content.signal ?? content.message;
      this.subscriptions.set(api.executionId, {
        kind,
        name: ref.name ?? ref.id,
        refId: ref.id,
        elementId: api.id,
        executionId: api.executionId,
      });
    }
    this.changed();
  }

  private left(api: any, event: 'end' | 'discard'): void {
    this.current.delete(api.executionId);
    this.userTasks.delete(api.executionId);
    this.subscriptions.delete(api.executionId);
    this.calls.delete(api.executionId);
    if (api.type === 'bpmn:TimerEventDefinition') this.timers.delete(api.id);
    this.dispatcher.forget(api.executionId);
    this.record(api, event);
  }

  private forgetElement(elementId: string): void {
    this.timers.delete(elementId);
    for (const [executionId, wait] of [...this.userTasks, ...this.subscriptions, ...this.calls]) {
      if (wait.elementId === elementId) {
        this.userTasks.delete(executionId);
        this.subscriptions.delete(executionId);
        this.calls.delete(executionId);
      }
    }
    for (const [executionId, activity] of this.current) {
      if (activity.elementId === elementId) this.current.delete(executionId);
    }
    this.changed();
  }

  private record(api: any, event: HistoryEntry['event']): void {
    this.progressed = true;
    // Event definitions run as sub-executions (`<executionId>_0`); skip those. A resumed catch
    // event reports its own end with the definition's type, so take the type from its owner.
    const definition = api.type?.endsWith('EventDefinition');
    if (definition && /_\d+$/.test(api.executionId)) return this.changed();
    this.history.push({
      elementId: api.id,
      elementType: definition ? (api.owner?.type ?? api.type) : api.type,
      elementName: api.name ?? api.owner?.name ?? null,
      executionId: api.executionId,
      event,
      actor: event === 'end' ? this.actor : null,
      at: new Date(),
    });
    this.changed();
  }

  private finish(err?: Error): void {
    if (err) this.failure = err;
    else this.ended = true;
    this.changed();
  }

  // --- settling and snapshots -------------------------------------------------

  /** Resolves once the engine has ended, failed, or every branch waits on something outside. */
  private async settle(): Promise<void> {
    for (;;) {
      if (this.ended || this.failure) return;
      if (this.dispatcher.inFlight > 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const seen = this.events;
      await nextTick();
      if (this.ended || this.failure || seen !== this.events || this.dispatcher.inFlight > 0) continue;
      const nextTimer = Math.min(...[...this.timers.values()].map((timer) => timer.dueAt.getTime()));
      const untilDue = nextTimer - Date.now();
      if (untilDue < TIMER_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(untilDue, 0) + 5));
        continue;
      }
      return;
    }
  }

  private finalStatus(): InstanceStatus {
    if (this.failure) return 'failed';
    if (this.ended) return 'completed';
    return this.dispatcher.hasIncident() ? 'incident' : 'waiting';
  }

  private async snapshot(status: InstanceStatus): Promise<RunSnapshot> {
    const terminal = status === 'completed' || status === 'failed';
    // A run that only resumed (nothing started or ended) keeps the stored state: bpmn-elements 17
    // state taken from a resumed engine carries its resume messages, and after two such
    // round trips an error boundary event on a waiting service task no longer completes.
    let engineState: unknown = null;
    if (!terminal) engineState = withoutSources(this.progressed || !this.instance.engineState ? await this.engine.getState() : this.instance.engineState);
    const variables = this.userVariables();
    const snapshot: RunSnapshot = {
      status,
      engineState,
      variables: structuredClone(variables),
      currentActivities: terminal ? [] : [...this.current.values()],
      userTasks: terminal ? [] : [...this.userTasks.values()],
      timers: terminal ? [] : [...this.timers.values()],
      subscriptions: terminal ? [] : [...this.subscriptions.values()],
      calls: terminal ? [] : [...this.calls.values()],
      serviceTasks: this.dispatcher.drainChanged(),
      incidents: this.dispatcher.drainIncidents(),
      history: this.history,
      appliedCommandIds: this.applied,
      nextWakeAt: terminal ? null : this.nextWakeAt(),
      error: this.failure ? this.failure.message : null,
    };
    this.history = [];
    this.applied = [];
    return snapshot;
  }

  private nextWakeAt(): Date | null {
    const times = [
      ...[...this.timers.values()].map((timer) => timer.dueAt.getTime()),
      ...this.dispatcher.retryTimes(),
    ];
    return times.length ? new Date(Math.min(...times)) : null;
  }

  private cancelled(commands: Command[]): RunSnapshot {
    return {
      status: 'cancelled',
      engineState: null,
      variables: null,
      currentActivities: [],
      userTasks: [],
      timers: [],
      subscriptions: [],
      calls: [],
      serviceTasks: [],
      incidents: [],
      history: [],
      appliedCommandIds: commands.map((command) => command.id),
      nextWakeAt: null,
      error: null,
    };
  }
}
