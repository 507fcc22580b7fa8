/**
 * Glossary of definition validation.
 *
 * - problem: one reason a BPMN file cannot be deployed, naming the file, the
 *   element id (when there is one) and the rule it breaks. Validation reports
 *   every problem of a file at once; a file with any problem is not stored.
 * - rule: a stable, kebab-case name for one check (`flow-connected`,
 *   `service-topic`, ...). Clients and tests match on it; messages may change.
 * - executable process: the one `<bpmn:process isExecutable="true">` of a
 *   file; its id is the definition key.
 * - known topic: a service-task topic with an in-process handler. Any other
 *   topic must be marked `camunda:type="external"` (served to external workers).
 */

export interface BpmnProblem {
  file?: string;
  elementId?: string;
  rule: string;
  message: string;
}

/** What the rest of Stagegate needs to know about a process that passed validation. */
export interface ValidatedProcess {
  /** The process id: the definition key. */
  key: string;
  name?: string;
  /** `timeCycle` values of the process's timer start events: cron (5 or 6 fields) or ISO 8601 `R.../...`. */
  timerStartCycles: string[];
  /** Message names (falling back to the message id) that start the process. */
  messageStartNames: string[];
  /** Signal names (falling back to the signal id) that start the process. */
  signalStartNames: string[];
}

export interface BpmnValidationOptions {
  /** Echoed into every problem's `file`. */
  fileName?: string;
  /** Topics with an in-process handler. */
  knownTopics: ReadonlySet<string>;
  /** ALLOW_SCRIPT_TASKS: script tasks and script conditions run in node:vm, which is not a sandbox. */
  allowScriptTasks: boolean;
  /** Checks one expression (`${...}`, `#{...}` or FEEL `=...`): null when it can be evaluated, else why not. */
  validateExpression: (text: string) => string | null;
}

export interface BpmnValidationResult {
  /** The executable process, or empty when there is any problem. */
  processes: ValidatedProcess[];
  problems: BpmnProblem[];
}
