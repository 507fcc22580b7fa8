/**
 * Runs the schedules of the database as node-cron tasks on this server
 * (SPEC §10). Every replica runs every active schedule; the PostgreSQL run
 * coordinator lets exactly one of them start each fire. Schedules are
 * (re)loaded whenever their revision changes, so a schedule created on one
 * replica fires on all of them; fires missed while every server was down are
 * caught up once at start-up, within a tolerance.
 */
import { createTask, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Database } from '../db/connect';
import type { Logger } from '../logger';
import { latestFireBetween, toNodeCron } from './cron-expression';
import { fireKey, PgRunCoordinator } from './run-coordinator';
import { allSchedules, findSchedule, pruneFires, scheduleRevisions, type Schedule } from './schedule-store';

/** Starts the instance of one claimed fire (and records its outcome). */
export type FireHandler = (schedule: Schedule, fireAt: Date, fireKey: string) => Promise<void>;

export interface SchedulerOptions {
  /** This server, as `schedule_fires.claimed_by` names it. */
  owner: string;
  /** How often the schedules table is checked for changes made elsewhere. */
  pollIntervalMs: number;
  /** Fires missed during downtime run once at start-up if no older than this. */
  missedFireToleranceMs: number;
}

/** How long a claimed fire may go without an instance before another replica takes it over. */
const FIRE_LEASE_MS = 60_000;
/** Fire rows are kept this long (at least), for `GET /api/schedules/:id`. */
const FIRE_HISTORY_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

interface ArmedSchedule {
  schedule: Schedule;
  task: ScheduledTask | null;
}

export class Scheduler {
  private readonly armed = new Map<string, ArmedSchedule>();
  private readonly coordinator: PgRunCoordinator;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private lastPrune = 0;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly onFire: FireHandler,
    private readonly options: SchedulerOptions,
    private readonly logger: Logger,
  ) {
    this.coordinator = new PgRunCoordinator(db, options.owner);
  }

  /** Loads and arms every schedule, catches up missed fires, then follows changes. */
  async start(): Promise<void> {
    await this.sync();
    await this.catchUp();
    this.timer = setInterval(() => this.poke(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** Looks for changed schedules now (after a change on this server). */
  poke(): void {
    if (this.closed) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = this.sync()
      .catch((err) => this.logger.error({ err }, 'schedule sync failed'))
      .finally(() => {
        this.syncing = null;
        if (this.syncAgain) {
          this.syncAgain = false;
          this.poke();
        }
      });
  }

  /** Stops every task and waits for fires under way. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    for (const { task } of this.armed.values()) await task?.destroy();
    this.armed.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Arms new and changed schedules, disarms deleted ones. */
  private async sync(): Promise<void> {
    const revisions = await scheduleRevisions(this.db);
    for (const [id, entry] of this.armed) {
      if (!revisions.has(id)) await this.disarm(id, entry);
    }
    const changed = [...revisions].filter(([id, revision]) => this.armed.get(id)?.schedule.revision !== revision);
    const schedules = changed.length > 20 ? await allSchedules(this.db) : await Promise.all(changed.map(([id]) => findSchedule(this.db, id)));
    for (const schedule of schedules) {
      if (!schedule || this.closed) continue;
      if (this.armed.get(schedule.id)?.schedule.revision === schedule.revision) continue;
      await this.arm(schedule);
    }
    await this.pruneHistory();
  }

  private async arm(schedule: Schedule): Promise<void> {
    const previous = this.armed.get(schedule.id);
    if (previous) await this.disarm(schedule.id, previous);
    const task = schedule.status === 'active' ? this.createTask(schedule) : null;
    this.armed.set(schedule.id, { schedule, task });
    await task?.start();
  }

  private async disarm(id: string, entry: ArmedSchedule): Promise<void> {
    this.armed.delete(id);
    await entry.task?.destroy();
  }

  private createTask(schedule: Schedule): ScheduledTask {
    return createTask(toNodeCron(schedule.cron), (context) => this.fire(schedule.id, context.date), {
      // node-cron's coordination key is `<name>:<fire time ISO>`: the schedule id names the fire.
      name: schedule.id,
      timezone: schedule.timezone,
      distributed: true,
      runCoordinator: this.coordinator,
      distributedLease: FIRE_LEASE_MS,
      suppressMissedWarning: true,
      logger: this.cronLogger(schedule.id),
    });
  }

  /** A claimed fire: the handler starts the instance with the schedule as it is now. */
  private fire(scheduleId: string, fireAt: Date): Promise<void> {
    const schedule = this.armed.get(scheduleId)?.schedule;
    if (!schedule || this.closed) return Promise.resolve();
    const run = this.onFire(schedule, fireAt, fireKey(schedule.id, fireAt))
      .catch((err) => this.logger.error({ err, scheduleId, fireAt }, 'schedule fire failed'))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  /**
   * Start-up: for each active schedule, the latest fire missed since its last
   * fire (or creation/resume) and within the tolerance runs once. It shares
   * node-cron's key, so replicas starting together run it once.
   */
  private async catchUp(): Promise<void> {
    const now = new Date();
    const oldest = now.getTime() - this.options.missedFireToleranceMs;
    for (const { schedule } of this.armed.values()) {
      if (schedule.status !== 'active') continue;
      const after = new Date(Math.max(oldest, schedule.firesFrom.getTime(), schedule.lastFireAt?.getTime() ?? 0));
      const missed = latestFireBetween(schedule.cron, schedule.timezone, after, now);
      if (!missed) continue;
      const key = fireKey(schedule.id, missed);
      if (!(await this.coordinator.shouldRun(key, FIRE_LEASE_MS))) continue;
      this.logger.info({ scheduleId: schedule.id, processKey: schedule.processKey, fireAt: missed }, 'running a fire missed during downtime');
      await this.fire(schedule.id, missed);
    }
  }

  private async pruneHistory(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const keep = Math.max(FIRE_HISTORY_MS, 2 * this.options.missedFireToleranceMs);
    await pruneFires(this.db, new Date(Date.now() - keep));
  }

  /** node-cron's own messages, into our log with the schedule named. */
  private cronLogger(scheduleId: string): CronLogger {
    const log = this.logger.child({ scheduleId, component: 'node-cron' });
    return {
      info: (message) => log.debug(message),
      warn: (message) => log.warn(message),
      error: (message, err) => log.error({ err: err ?? message }, String(message)),
      debug: (message) => log.debug(String(message)),
    };
  }
}
