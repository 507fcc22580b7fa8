/**
 * The start events of a deployed process, and which of them an instance
 * starts at. bpmn-engine runs every start event of a process at once (a none
 * start event proceeds, a message start event waits, a cron timer start event
 * is a fatal error), so Stagegate picks the start event(s) itself: a schedule
 * fire starts at its timer start event, a message at its message start event,
 * a manual start at the none start event.
 */
import { DefinitionCache } from './definition-cache';
import { child, children, parseBpmnXml, text, type ModdleElement } from './moddle';

export type StartEventKind = 'none' | 'timer' | 'message' | 'signal' | 'error';

/** One `<bpmn:startEvent>` directly in the executable process (not in a sub-process). */
export interface StartEventInfo {
  id: string;
  kind: StartEventKind;
  /** The message or signal name (falling back to its id), for message and signal start events. */
  name?: string;
  /** The timeCycle of a timer start event. */
  cycle?: string;
  /** True when `cycle` is a cron expression (Stagegate's scheduler fires it; the engine cannot). */
  cron?: boolean;
}

/** What started the instance: decides the start event(s). */
export type StartTrigger =
  | { kind: 'manual' }
  | { kind: 'start-event'; id: string }
  | { kind: 'message' | 'signal'; name: string };

function kindOf(definition: ModdleElement | undefined): StartEventKind {
  if (!definition) return 'none';
  const kind = definition.$type.replace(/^bpmn:/, '').replace(/EventDefinition$/, '').toLowerCase();
  return ['timer', 'message', 'signal', 'error'].includes(kind) ? (kind as StartEventKind) : 'none';
}

function describeStart(event: ModdleElement): StartEventInfo {
  const definition = children(event, 'eventDefinitions')[0];
  const kind = kindOf(definition);
  const info: StartEventInfo = { id: event.id ?? '', kind };
  if (kind === 'message' || kind === 'signal') {
    const ref = child(definition!, kind === 'message' ? 'messageRef' : 'signalRef');
    info.name = text(ref, 'name') ?? ref?.id ?? event.id;
  }
  if (kind === 'timer') {
    const cycle = text(child(definition!, 'timeCycle'), 'body');
    if (cycle) {
      info.cycle = cycle;
      // Same test as timer-rules: ISO 8601 cycles have no spaces, cron has 5 or 6 fields.
      info.cron = cycle.split(/\s+/).length >= 5;
    }
  }
  return info;
}

/** The start events of the executable process of a (validated) BPMN file, in document order. */
export async function readStartEvents(xml: string): Promise<StartEventInfo[]> {
  const { definitions } = await parseBpmnXml(xml);
  const process = children(definitions, 'rootElements').find((element) => element.$type === 'bpmn:Process' && element.isExecutable === true);
  return children(process, 'flowElements')
    .filter((element) => element.$type === 'bpmn:StartEvent')
    .map(describeStart);
}

/**
 * The ids of the start events an instance starts at, or null for the engine's
 * default (every start event). A manual start takes the none start events;
 * without one, the first timer start event fires at once (so a scheduled
 * process can be run by hand). A message or signal takes its start events.
 */
export function chooseStartEvents(events: readonly StartEventInfo[], trigger: StartTrigger): string[] | null {
  if (trigger.kind === 'start-event') return events.some((event) => event.id === trigger.id) ? [trigger.id] : null;
  if (trigger.kind === 'message' || trigger.kind === 'signal') {
    const matching = events.filter((event) => event.kind === trigger.kind && event.name === trigger.name);
    return matching.length ? matching.map((event) => event.id) : null;
  }
  const none = events.filter((event) => event.kind === 'none');
  if (none.length) return none.map((event) => event.id);
  const timer = events.find((event) => event.kind === 'timer');
  if (timer) return [timer.id];
  // Only message/signal start events: the instance waits at them (the engine's default).
  return null;
}

/** A start event a schedule may fire: a none or timer start event. */
export function schedulableStartEvent(events: readonly StartEventInfo[]): StartEventInfo | undefined {
  return events.find((event) => event.kind === 'none') ?? events.find((event) => event.kind === 'timer');
}

const cache = new DefinitionCache<StartEventInfo[]>(500);

/** `readStartEvents`, cached by definition id (a stored definition never changes). */
export function startEventsOf(definitionId: string, loadXml: () => Promise<string>): Promise<StartEventInfo[]> {
  return cache.get(definitionId, () => loadXml().then(readStartEvents));
}
