/**
 * Schedules over REST (SPEC §10): create, change, pause, resume, delete, each
 * audited in its transaction; reads add the next fire time and recent fires.
 * Contributors see and change the schedules they created.
 */
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { findDefinition } from '../engine/definitions/definition-store';
import { schedulableStartEvent, startEventsOf } from '../engine/definitions/start-events';
import type { Variables } from '../engine/runtime/types';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { ActionContext, Actor } from '../identity/actor';
import { assertCanChange, assertCanView } from '../identity/ownership';
import { allows } from '../identity/roles';
import { assertValidCron, nextFireAfterNow } from './cron-expression';
import * as store from './schedule-store';

export interface ScheduleInput {
  process: string;
  cron: string;
  timezone?: string;
  variables?: Variables;
  businessKey?: string | null;
}

/** A schedule as the API shows it. */
export interface ScheduleView extends store.Schedule {
  /** The next fire; null when paused. */
  nextFireAt: Date | null;
}

const OWN = 'schedules you created';

export class ScheduleService {
  constructor(
    private readonly db: Database,
    private readonly options: {
      /** Default time zone of new schedules. */
      timezone: string;
      /** Called after a committed change, so this server's scheduler reloads at once. */
      onChange: () => void;
    },
  ) {}

  async create(context: ActionContext, input: ScheduleInput): Promise<ScheduleView> {
    const timezone = input.timezone ?? this.options.timezone;
    assertValidCron(input.cron, timezone);
    await this.assertSchedulable(input.process);
    const schedule = await this.db.transaction(async (trx) => {
      const created = await store.insertSchedule(trx, {
        processKey: input.process,
        cron: input.cron.trim(),
        timezone,
        variables: input.variables ?? {},
        businessKey: input.businessKey ?? null,
        origin: 'api',
        definitionId: null,
        startEventId: null,
        createdBy: context.actor?.id ?? null,
      });
      await recordAudit(trx, context, { action: 'schedule.create', entityType: 'schedule', entityId: created.id, after: created });
      return created;
    });
    this.options.onChange();
    return view(schedule);
  }

  async update(context: ActionContext, id: string, changes: store.ScheduleChanges): Promise<ScheduleView> {
    return this.change(context, id, 'schedule.update', (schedule) => {
      if (schedule.origin === 'definition') {
        throw new ConflictError(`schedule ${id} belongs to the timer start event ${schedule.startEventId} of ${schedule.processKey}: change its timeCycle and deploy a new version`);
      }
      assertValidCron(changes.cron ?? schedule.cron, changes.timezone ?? schedule.timezone);
      return { ...changes, ...(changes.cron !== undefined && { cron: changes.cron.trim() }) };
    });
  }

  pause(context: ActionContext, id: string): Promise<ScheduleView> {
    return this.change(context, id, 'schedule.pause', (schedule) => {
      if (schedule.status === 'paused') throw new ConflictError(`schedule ${id} is already paused`);
      return { status: 'paused' };
    });
  }

  /** Fires missed while paused are not caught up: the schedule counts from now. */
  resume(context: ActionContext, id: string): Promise<ScheduleView> {
    return this.change(context, id, 'schedule.resume', (schedule) => {
      if (schedule.status === 'active') throw new ConflictError(`schedule ${id} is not paused`);
      return { status: 'active', firesFrom: 'now' };
    });
  }

  async delete(context: ActionContext, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const schedule = await this.lockForChange(trx, context, id);
      if (schedule.origin === 'definition') {
        throw new ConflictError(
          `schedule ${id} belongs to the timer start event ${schedule.startEventId} of ${schedule.processKey}: pause it, or deploy a version without that timer start event`,
        );
      }
      await store.deleteSchedule(trx, id);
      await recordAudit(trx, context, { action: 'schedule.delete', entityType: 'schedule', entityId: id, before: schedule });
    });
    this.options.onChange();
  }

  async get(actor: Actor, id: string): Promise<ScheduleView & { recentFires: store.ScheduleFire[] }> {
    const schedule = await store.findSchedule(this.db, id);
    if (!schedule) throw new NotFoundError('schedule', id);
    assertCanView(actor, schedule.createdBy, OWN);
    return { ...view(schedule), recentFires: await store.recentFires(this.db, id, 10) };
  }

  async list(actor: Actor, filter: Omit<store.ScheduleFilter, 'createdBy'>): Promise<{ items: ScheduleView[]; total: number }> {
    const createdBy = allows(actor.permissions, 'view:all') ? undefined : actor.id;
    const { items, total } = await store.listSchedules(this.db, { ...filter, createdBy });
    return { items: items.map(view), total };
  }

  /** 404 for an unknown process, 400 for one no schedule can start. */
  private async assertSchedulable(processKey: string): Promise<void> {
    const definition = await findDefinition(this.db, processKey);
    if (!definition) throw new NotFoundError('process definition', processKey);
    const events = await startEventsOf(definition.id, async () => (await this.db('process_definitions').where({ id: definition.id }).first('xml')).xml);
    if (!schedulableStartEvent(events)) {
      const found = events.map((event) => `${event.id} (${event.kind})`).join(', ') || 'none';
      throw new ValidationError(
        `process ${processKey} cannot be scheduled: it needs a none start event or a timer start event; its start events: ${found}`,
        { process: processKey, startEvents: events },
        'NOT_SCHEDULABLE',
      );
    }
  }

  private async lockForChange(trx: Parameters<typeof store.findSchedule>[0], context: ActionContext, id: string): Promise<store.Schedule> {
    const schedule = await store.findSchedule(trx, id, true);
    if (!schedule) throw new NotFoundError('schedule', id);
    assertCanChange(context.actor, schedule.createdBy, OWN);
    return schedule;
  }

  private async change(
    context: ActionContext,
    id: string,
    action: string,
    decide: (schedule: store.Schedule) => store.ScheduleChanges & { status?: store.ScheduleStatus; firesFrom?: 'now' },
  ): Promise<ScheduleView> {
    const updated = await this.db.transaction(async (trx) => {
      const before = await this.lockForChange(trx, context, id);
      const after = await store.updateSchedule(trx, id, decide(before));
      await recordAudit(trx, context, { action, entityType: 'schedule', entityId: id, before, after });
      return after;
    });
    this.options.onChange();
    return view(updated);
  }
}

function view(schedule: store.Schedule): ScheduleView {
  return { ...schedule, nextFireAt: schedule.status === 'active' ? nextFireAfterNow(schedule.cron, schedule.timezone) : null };
}
