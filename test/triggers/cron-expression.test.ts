/** Cron expressions: Camunda 7 / Quartz translation, validation messages, fire times in a time zone. */
import { cronProblem, latestFireBetween, nextFireAfterNow, timezoneProblem, toNodeCron } from '../../src/triggers/cron-expression';

describe('cron expressions', () => {
  it('translates Quartz day-of-week numbers (1 = Sunday) when the expression uses ?', () => {
    expect(toNodeCron('0 0 6 ? * 2-6')).toBe('0 0 6 ? * 1-5');
    expect(toNodeCron('0 0 6 ? * 1,7')).toBe('0 0 6 ? * 0,6');
    expect(toNodeCron('0 0 6 ? * 2#1')).toBe('0 0 6 ? * 1#1');
    expect(toNodeCron('0 0 6 ? * MON-FRI')).toBe('0 0 6 ? * MON-FRI');
    // node-cron syntax (no ?) is left alone.
    expect(toNodeCron('0 6 * * 1-5')).toBe('0 6 * * 1-5');
    expect(toNodeCron('  0  0 6 * * ?  ')).toBe('0 0 6 * * ?');
  });

  it('names what is wrong with an expression or a time zone', () => {
    expect(cronProblem('0 0 6 * * ?')).toBeNull();
    expect(cronProblem('*/15 * * * *')).toBeNull();
    expect(cronProblem('0 0 61 * *')).toMatch(/61 .*day of month/);
    expect(cronProblem('0 0 6 * * ? 2030')).toMatch(/7 field\(s\)/);
    expect(cronProblem('every day')).toMatch(/2 field\(s\)/);
    expect(timezoneProblem('Europe/Berlin')).toBeNull();
    expect(timezoneProblem('Europe/Atlantis')).toMatch(/not a known IANA time zone/);
  });

  it('finds the latest fire of a window in the schedule time zone, across a daylight saving change', () => {
    // 06:00 in Berlin is 05:00 UTC in winter and 04:00 UTC in summer (the clocks went forward on 2026-03-29).
    const winter = latestFireBetween('0 0 6 * * ?', 'Europe/Berlin', new Date('2026-03-27T12:00:00Z'), new Date('2026-03-28T12:00:00Z'));
    const summer = latestFireBetween('0 0 6 * * ?', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z'), new Date('2026-03-29T12:00:00Z'));
    expect(winter?.toISOString()).toBe('2026-03-28T05:00:00.000Z');
    expect(summer?.toISOString()).toBe('2026-03-29T04:00:00.000Z');
    // Quartz Monday (2) on a Sunday-to-Tuesday window.
    expect(latestFireBetween('0 30 7 ? * 2', 'UTC', new Date('2026-11-29T00:00:00Z'), new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-11-30T07:30:00.000Z');
    // Seconds: the newest matching second, and nothing outside the window.
    expect(latestFireBetween('*/20 * * * * *', 'UTC', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:59Z'))?.toISOString()).toBe('2026-01-01T00:00:40.000Z');
    expect(latestFireBetween('0 6 * * *', 'UTC', new Date('2026-01-01T06:00:00Z'), new Date('2026-01-01T08:00:00Z'))).toBeNull();
  });

  it('gives the next fire after now', () => {
    const next = nextFireAfterNow('0 0 * * * *', 'UTC')!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(next.getUTCMinutes()).toBe(0);
  });
});
