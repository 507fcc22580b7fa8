/**
 * Glossary of the runtime.
 *
 * - definition: one version of one BPMN process (a row of `process_definitions`).
 * - instance: one run of a definition (a row of `process_instances`); its
 *   bpmn-engine state is stored in `engine_state` whenever it waits.
 * - command: something that happened to an instance while nobody held it in
 *   memory (a user task completed, a message arrived, ...), queued in
 *   `instance_commands` and applied the next time the instance is advanced.
 * - wake_at: when the instance next needs a server: now for a command, the due
 *   time of its earliest timer or service-task retry otherwise.
 * - lease: `locked_by` / `locked_until`; only the holder advances the instance.
 * - run: one advance of one instance in memory, from recover to the next wait
 *   state (or the end), followed by one transaction that stores the outcome.
 */

export type InstanceStatus = 'running' | 'waiting' | 'completed' | 'cancelled' | 'incident' | 'failed';

export type Variables = Record<string, unknown>;

/** A command's id is its `instance_commands` row; '' for a start that was never stored (InstanceRunner.startNew). */
export type Command =
  /** startEventIds: the start events to start at (absent: every start event, the engine's default). */
  | { id: string; type: 'start'; payload: { variables: Variables; startEventIds?: string[] } }
  | { id: string; type: 'complete-user-task'; payload: { elementId: string; executionId: string; variables: Variables; actor: string | null } }
  /** refId is the message/signal element id; absent for a start event, found by name once the run waits on it. */
  | { id: string; type: 'message' | 'signal'; payload: { name: string; refId?: string; variables: Variables } }
  | { id: string; type: 'call-completed'; payload: { elementId: string; executionId: string; variables: Variables } }
  | { id: string; type: 'wake'; payload: Record<string, never> }
  | { id: string; type: 'cancel'; payload: { actor: string | null; reason?: string } };

export type CommandInput = Omit<Command, 'id'>;

export interface WaitingUserTask {
  elementId: string;
  executionId: string;
  name: string | null;
  documentation: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  dueDate: Date | null;
  priority: number;
  formKey: string | null;
  formFields: unknown[];
}

export interface WaitingTimer {
  elementId: string;
  executionId: string;
  dueAt: Date;
}

export interface WaitingSubscription {
  kind: 'message' | 'signal';
  name: string;
  refId: string;
  elementId: string;
  executionId: string;
}

/** A call activity waiting for the instance it started (SPEC §3). */
export interface WaitingCall {
  elementId: string;
  executionId: string;
  calledElement: string;
}

export type ServiceTaskStatus = 'pending' | 'running' | 'retry_wait' | 'completed' | 'bpmn_error' | 'incident' | 'cancelled';

/** A service-task row as the run sees it (and writes it back). */
export interface ServiceTaskRecord {
  elementId: string;
  executionId: string;
  topic: string;
  external: boolean;
  variables: Variables;
  status: ServiceTaskStatus;
  attempts: number;
  retryAt: Date | null;
  errorMessage: string | null;
  errorCode: string | null;
  result: Variables | null;
}

export interface NewIncident {
  elementId: string;
  executionId: string;
  type: 'failed-service-task' | 'failed-external-task';
  message: string;
}

export interface HistoryEntry {
  elementId: string;
  elementType: string;
  elementName: string | null;
  executionId: string;
  event: 'start' | 'end' | 'discard';
  actor: string | null;
  at: Date;
}

export interface CurrentActivity {
  elementId: string;
  executionId: string;
  type: string;
}

/** Everything one run (or checkpoint) writes, in one transaction. */
export interface RunSnapshot {
  status: InstanceStatus;
  engineState: unknown | null;
  /** null keeps the stored variables (a cancelled instance never ran). */
  variables: Variables | null;
  currentActivities: CurrentActivity[];
  userTasks: WaitingUserTask[];
  timers: WaitingTimer[];
  subscriptions: WaitingSubscription[];
  calls: WaitingCall[];
  serviceTasks: ServiceTaskRecord[];
  incidents: NewIncident[];
  history: HistoryEntry[];
  appliedCommandIds: string[];
  /** Earliest timer or service retry; the instance sleeps until then. */
  nextWakeAt: Date | null;
  error: string | null;
}

/** The instance row as a run needs it. */
export interface InstanceForRun {
  id: string;
  processKey: string;
  businessKey: string | null;
  definitionId: string;
  engineState: unknown | null;
  status: InstanceStatus;
  /** The instance whose call activity started this one. */
  parentInstanceId: string | null;
}
