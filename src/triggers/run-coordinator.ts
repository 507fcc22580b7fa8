/**
 * node-cron's RunCoordinator on PostgreSQL: every replica runs the same cron
 * tasks, and before a fire runs each asks `shouldRun(key)`; the key
 * (`<schedule id>:<fire time ISO>`) is inserted into `schedule_fires`, and
 * only the replica whose insert went in runs the fire.
 */
import type { RunCoordinator } from 'node-cron';
import type { Database } from '../db/connect';
import { claimFire } from './schedule-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits node-cron's coordination key `<task name>:<ISO time>`; the task name is the schedule id. */
export function parseFireKey(key: string): { scheduleId: string; fireAt: Date } | null {
  const colon = key.indexOf(':');
  if (colon < 0) return null;
  const scheduleId = key.slice(0, colon);
  const fireAt = new Date(key.slice(colon + 1));
  return UUID.test(scheduleId) && !Number.isNaN(fireAt.getTime()) ? { scheduleId, fireAt } : null;
}

/** The key node-cron builds for a fire (`coordinatorKeyPrefix:slot ISO`), so catch-up fires share it. */
export function fireKey(scheduleId: string, fireAt: Date): string {
  return `${scheduleId}:${fireAt.toISOString()}`;
}

export class PgRunCoordinator implements RunCoordinator {
  constructor(
    private readonly db: Database,
    private readonly owner: string,
  ) {}

  /** True for exactly one caller per key (see `claimFire`). */
  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const parsed = parseFireKey(key);
    if (!parsed) return false;
    return claimFire(this.db, { fireKey: key, ...parsed, owner: this.owner, ttlMs });
  }
}
