/**
 * Timer definitions. bpmn-engine parses ISO 8601 with @0dep/piso (the same
 * parser is used here, so what passes here runs there) and fails a running
 * instance on anything else, cron included. Cron is therefore accepted only on
 * a process's timer start event, which Stagegate's scheduler fires, not the engine.
 */
import { getDate, parseDuration, parseInterval } from '@0dep/piso';
import { validateDetailed } from 'node-cron';
import { child, describe, text, type ModdleElement } from './moddle';
import { containsExpression, type RuleContext } from './rule-context';

const TIMER_KINDS = ['timeDuration', 'timeDate', 'timeCycle'] as const;
type TimerKind = (typeof TIMER_KINDS)[number];

const CYCLE_EXAMPLES = 'R3/PT10M, R/PT1H or R/2025-01-01T08:00:00Z/P1D';

/** Where a timer sits decides what it may contain. */
export type TimerPlacement = 'process-start' | 'in-instance';

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isoProblem(kind: TimerKind, value: string): string | null {
  try {
    if (kind === 'timeDuration') {
      parseDuration(value);
    } else if (kind === 'timeDate') {
      if (Number.isNaN(getDate(value).getTime())) return `"${value}" is not an ISO 8601 date`;
    } else {
      if (!/^R\d*\//.test(value)) return `"${value}" is not an ISO 8601 repeating interval (${CYCLE_EXAMPLES})`;
      parseInterval(value).getExpireAt(new Date());
    }
    return null;
  } catch (err) {
    const expected = { timeDuration: 'duration such as PT5M', timeDate: 'date', timeCycle: 'repeating interval' }[kind];
    return `"${value}" is not an ISO 8601 ${expected}: ${errorMessage(err)}`;
  }
}

function looksLikeCron(value: string): boolean {
  return value.split(/\s+/).length >= 5;
}

/** Null when the text is a valid cron expression (5 fields, or 6 with seconds first, Camunda 7 style). */
function cronProblem(value: string): string | null {
  const verdict = validateDetailed(value);
  if (verdict.valid) return null;
  const reasons = verdict.errors.map((error) => error.message).join('; ');
  return `"${value}" is not a valid cron expression: ${reasons}`;
}

/**
 * Checks one `<bpmn:timerEventDefinition>` of `event`. Returns the
 * `timeCycle` to schedule when `placement` is `process-start` and it is valid.
 */
export function checkTimerDefinition(
  event: ModdleElement,
  definition: ModdleElement,
  placement: TimerPlacement,
  ctx: RuleContext,
): string | undefined {
  const present = TIMER_KINDS.filter((kind) => child(definition, kind) !== undefined);
  const report = (message: string) => ctx.report('timer-definition', event.id, `${describe(event)}: ${message}`);
  if (present.length !== 1) {
    report(
      present.length === 0
        ? 'the timer has no timeDuration, timeDate or timeCycle'
        : `the timer has ${present.join(' and ')}; give exactly one`,
    );
    return undefined;
  }
  const kind = present[0] as TimerKind;
  const value = text(child(definition, kind), 'body');
  if (!value) {
    report(`the timer's ${kind} is empty`);
    return undefined;
  }

  if (placement === 'process-start') {
    if (kind !== 'timeCycle') {
      report(`a process timer start event needs a timeCycle (cron or ${CYCLE_EXAMPLES}); ${kind} is not scheduled`);
      return undefined;
    }
    if (containsExpression(value)) {
      report(`the timeCycle "${value}" must be a literal: a process timer start event has no variables to evaluate it with`);
      return undefined;
    }
    const problem = looksLikeCron(value) ? cronProblem(value) : isoProblem(kind, value);
    if (problem) {
      report(`${kind} ${problem}`);
      return undefined;
    }
    return value;
  }

  if (containsExpression(value)) {
    ctx.checkExpression('expression', event.id, `${describe(event)}: the timer's ${kind}`, value);
    return undefined;
  }
  if (kind === 'timeCycle' && looksLikeCron(value) && cronProblem(value) === null) {
    report(`the cron timeCycle "${value}" is only supported on a process timer start event; use ISO 8601 here (${CYCLE_EXAMPLES})`);
    return undefined;
  }
  const problem = isoProblem(kind, value);
  if (problem) report(`${kind} ${problem}`);
  return undefined;
}
