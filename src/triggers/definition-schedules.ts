/**
 * Cron timer start events become schedules owned by the definition (SPEC §10):
 * one per cron timer start event of the latest version, replaced when a new
 * version deploys. A paused one stays paused in the new version (matched by
 * start event id). The engine never runs those timers itself (see
 * engine/definitions/start-events.ts).
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import { listLatestDefinitions, type ProcessDefinition } from '../engine/definitions/definition-store';
import { startEventsOf } from '../engine/definitions/start-events';
import { definitionSchedules, deleteSchedule, insertSchedule } from './schedule-store';

export class DefinitionSchedules {
  constructor(
    private readonly db: Database,
    /** The time zone of timer start event crons (Camunda uses the server's). */
    private readonly timezone: string,
  ) {}

  /** Replaces the key's definition-owned schedules with those of `definition` (inside its deploy transaction). */
  async replace(trx: Knex.Transaction, definition: ProcessDefinition): Promise<void> {
    const events = await startEventsOf(definition.id, async () => (await trx('process_definitions').where({ id: definition.id }).first('xml')).xml);
    const wanted = events.filter((event) => event.kind === 'timer' && event.cron);
    const existing = await definitionSchedules(trx, definition.key);
    if (existing.every((schedule) => schedule.definitionId === definition.id) && existing.length === wanted.length) return;
    const paused = new Set(existing.filter((schedule) => schedule.status === 'paused').map((schedule) => schedule.startEventId));
    for (const schedule of existing) await deleteSchedule(trx, schedule.id);
    for (const event of wanted) {
      await insertSchedule(trx, {
        processKey: definition.key,
        cron: event.cycle!,
        timezone: this.timezone,
        variables: {},
        businessKey: null,
        origin: 'definition',
        definitionId: definition.id,
        startEventId: event.id,
        createdBy: null,
        status: paused.has(event.id) ? 'paused' : 'active',
      });
    }
  }

  /**
   * Start-up: latest versions deployed before this server knew about schedules
   * (or by an older server) get theirs. Serialised per key with deployments.
   */
  async reconcile(): Promise<void> {
    for (const definition of await listLatestDefinitions(this.db)) {
      if (!definition.startEvents.timerCycles?.length) continue;
      await this.db.transaction(async (trx) => {
        await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`definition:${definition.key}`]);
        await this.replace(trx, definition);
      });
    }
  }
}
