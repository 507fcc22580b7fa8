/**
 * Time points for dataset windows, as process authors and REST callers write
 * them: an ISO 8601 date/time, `now`, `today` / `yesterday` (00:00 UTC), or a
 * negative ISO 8601 duration relative to now (`-P1D`, `-PT6H`). So "labeled
 * yesterday" is `from=yesterday&to=today`.
 */
import { ValidationError } from '../errors';
import type { TimeWindow } from './dataset-store';

const DAY_MS = 24 * 3600 * 1000;
const RELATIVE = /^-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses one time point; null when the text is none of the accepted forms. */
export function parseTimePoint(text: string, now: Date = new Date()): Date | null {
  const value = text.trim();
  if (value === 'now') return new Date(now.getTime());
  const midnight = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  if (value === 'today') return new Date(midnight);
  if (value === 'yesterday') return new Date(midnight - DAY_MS);
  const relative = RELATIVE.exec(value);
  if (relative && value !== '-P' && !value.endsWith('T')) {
    const [weeks, days, hours, minutes, seconds] = relative.slice(1).map((part) => Number(part ?? 0));
    return new Date(now.getTime() - ((weeks * 7 + days) * DAY_MS + hours * 3600000 + minutes * 60000 + seconds * 1000));
  }
  if (!ISO_DATE.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The window [from, to) from optional texts; a 400 names the bad one. */
export function parseWindow(from: unknown, to: unknown, now: Date = new Date()): TimeWindow {
  const window: TimeWindow = {};
  for (const [name, text] of [['from', from], ['to', to]] as const) {
    if (text === undefined || text === null || text === '') continue;
    const date = text instanceof Date ? text : typeof text === 'string' ? parseTimePoint(text, now) : null;
    if (!date) {
      throw new ValidationError(`${name}: ${JSON.stringify(text)} is not a time (use ISO 8601, now, today, yesterday or a negative duration such as -P1D)`, {
        [name]: text,
      });
    }
    window[name] = date;
  }
  if (window.from && window.to && window.from > window.to) throw new ValidationError('from must not be after to', { from, to });
  return window;
}

/** The window as JSON (ISO strings), for job parameters and test results. */
export function windowJson(window: TimeWindow): { from: string | null; to: string | null } {
  return { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null };
}
