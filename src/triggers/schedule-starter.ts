/**
 * Starts the instance of a claimed schedule fire: the schedule's process
 * (latest version) at its timer start event, or at the none start event for
 * a schedule created over REST, with the schedule's variables and business key.
 */
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { findDefinition } from '../engine/definitions/definition-store';
import { schedulableStartEvent, startEventsOf } from '../engine/definitions/start-events';
import type { InstanceService } from '../engine/instances/instance-service';
import { SYSTEM } from '../identity/actor';
import type { Logger } from '../logger';
import { recordFire, type Schedule } from './schedule-store';

/** Why a fire started nothing (recorded on the fire, logged). */
export class FireError extends Error {}

export function scheduleStarter(db: Database, instances: InstanceService, logger: Logger) {
  async function startEventOf(schedule: Schedule): Promise<string> {
    if (schedule.startEventId) return schedule.startEventId;
    const definition = await findDefinition(db, schedule.processKey);
    if (!definition) throw new FireError(`process definition ${schedule.processKey} no longer exists`);
    const events = await startEventsOf(definition.id, async () => (await db('process_definitions').where({ id: definition.id }).first('xml')).xml);
    const start = schedulableStartEvent(events);
    if (!start) throw new FireError(`process ${schedule.processKey} v${definition.version} has no none or timer start event`);
    return start.id;
  }

  return async function startFire(schedule: Schedule, fireAt: Date, fireKey: string): Promise<void> {
    try {
      const startEventId = await startEventOf(schedule);
      const instanceId = await db.transaction(async (trx) => {
        const request = { key: schedule.processKey, businessKey: schedule.businessKey, variables: schedule.variables, trigger: { kind: 'start-event' as const, id: startEventId } };
        const id = await instances.create(trx, SYSTEM, request);
        await recordAudit(trx, SYSTEM, {
          action: 'instance.start',
          entityType: 'process_instance',
          entityId: id,
          after: { processKey: schedule.processKey, scheduleId: schedule.id, fireAt, startEventId, businessKey: schedule.businessKey, variables: schedule.variables },
        });
        await recordFire(trx, schedule.id, fireKey, fireAt, { instanceId: id });
        return id;
      });
      logger.info({ scheduleId: schedule.id, processKey: schedule.processKey, fireAt, instanceId }, 'schedule fired');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await recordFire(db, schedule.id, fireKey, fireAt, { error: message });
      logger.warn({ err, scheduleId: schedule.id, processKey: schedule.processKey, fireAt }, 'schedule fire started no instance');
    }
  };
}
