/**
 * Starts a new instance at chosen start events only (see
 * definitions/start-events.ts). bpmn-elements starts every activity flagged
 * `isStart`; the flag of the other process-level start events is cleared
 * before the process collects them, and a chosen timer start event loses its
 * timer so it fires at once (its cron is the scheduler's business, and the
 * engine cannot parse cron).
 */

/* bpmn-elements activities are untyped at this boundary. */
/* eslint-disable @typescript-eslint/no-explicit-any */

// bpmn-elements keeps an activity's flags under this registered symbol (Activity.js, bpmn-elements 17).
const FLAGS = Symbol.for('flags');
const TIMER_FIELDS = ['timeCycle', 'timeDuration', 'timeDate'];

/** Call from the engine extension for every activity of a fresh (never run) instance. */
export function restrictStartEvents(activity: any, startEventIds: readonly string[]): void {
  if (activity.type !== 'bpmn:StartEvent' || activity.parent?.type !== 'bpmn:Process') return;
  if (!startEventIds.includes(activity.id)) {
    const flags = activity[FLAGS];
    if (!flags || typeof flags.isStart !== 'boolean') throw new Error('bpmn-elements changed: start event flags not found');
    flags.isStart = false;
    return;
  }
  for (const definition of activity.eventDefinitions ?? []) {
    if (definition.type !== 'bpmn:TimerEventDefinition') continue;
    for (const field of TIMER_FIELDS) delete definition[field];
  }
}
