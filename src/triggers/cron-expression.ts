/**
 * Cron expressions as Stagegate accepts them: node-cron's 5 fields (minute
 * first) or 6 (seconds first), and Camunda 7 / Quartz style with `?` in the
 * day-of-month or day-of-week field (`0 0 6 * * ?`). Quartz numbers the days
 * of the week 1-7 from Sunday, node-cron 0-7 from Sunday (0 and 7): a Quartz
 * expression is translated before node-cron sees it.
 */
import { createTask, validateDetailed, type ScheduledTask } from 'node-cron';
import { ValidationError } from '../errors';

/** Whether the expression is Quartz style (a `?` in the day fields). */
function isQuartz(fields: string[]): boolean {
  return fields.length === 6 && (fields[3] === '?' || fields[5] === '?');
}

/** The expression node-cron should run: Quartz day-of-week numbers shifted down by one. */
export function toNodeCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (!isQuartz(fields)) return fields.join(' ');
  // A number that starts a value or a range end (not a step after `/` nor an nth after `#`).
  fields[5] = fields[5]!.replace(/(^|[,-])([1-7])(?![0-9])/g, (_match, before: string, day: string) => `${before}${Number(day) - 1}`);
  return fields.join(' ');
}

/** Null when node-cron can run the expression, else why not. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    return `"${expression}" has ${fields.length} field(s); a cron expression has 5 (minute hour day month weekday) or 6 (second first)`;
  }
  const verdict = validateDetailed(toNodeCron(expression));
  if (verdict.valid) return null;
  return `"${expression}" is not a valid cron expression: ${verdict.errors.map((error) => error.message).join('; ')}`;
}

/** Null when the IANA time zone exists (`Europe/Berlin`, `UTC`), else why not. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `"${timezone}" is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`;
  }
}

/** 400 unless both the cron expression and the time zone are valid. */
export function assertValidCron(expression: string, timezone: string): void {
  const problems = [cronProblem(expression), timezoneProblem(timezone)].filter((problem): problem is string => problem !== null);
  if (problems.length) throw new ValidationError(problems.join('; '), { cron: expression, timezone }, 'INVALID_SCHEDULE');
}

/**
 * Runs `use` with a node-cron task that is never started: only its time
 * matching is used. node-cron registers every task globally, so it is
 * destroyed afterwards.
 */
function withMatcher<T>(expression: string, timezone: string, use: (task: ScheduledTask) => T): T {
  const task = createTask(toNodeCron(expression), () => undefined, { timezone });
  try {
    return use(task);
  } finally {
    void task.destroy();
  }
}

/** The next fire strictly after now. */
export function nextFireAfterNow(expression: string, timezone: string): Date | null {
  return withMatcher(expression, timezone, (task) => task.getNextRuns(1)[0] ?? null);
}

/**
 * The latest fire time in (`after`, `until`], or null. Time zone offsets are
 * whole minutes, so each minute of the window is tried at the expression's
 * seconds, newest first; node-cron's own matcher decides (time zone, `L`,
 * `#`, ...). The window is bounded by the missed-fire tolerance.
 */
export function latestFireBetween(expression: string, timezone: string, after: Date, until: Date): Date | null {
  const nodeCron = toNodeCron(expression);
  const seconds = nodeCron.split(' ').length === 6 ? secondsOf(nodeCron) : [0];
  const afterMs = after.getTime();
  const untilMs = until.getTime();
  return withMatcher(expression, timezone, (task) => {
    for (let minute = Math.floor(untilMs / 60000) * 60000; minute + 59000 > afterMs; minute -= 60000) {
      for (const second of seconds) {
        const candidate = minute + second * 1000;
        if (candidate > afterMs && candidate <= untilMs && task.match(new Date(candidate))) return new Date(candidate);
      }
    }
    return null;
  });
}

/** The seconds of a 6-field expression, newest first. */
function secondsOf(expression: string): number[] {
  const parsed = validateDetailed(expression).fields?.second ?? [0];
  return [...parsed].sort((a, b) => b - a);
}
