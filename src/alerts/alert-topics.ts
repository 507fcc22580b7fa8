/**
 * The `notify` and `raise-alert` service-task topics (SPEC §5). Inputs come
 * from the task's input parameters, else from process variables of the same
 * name; see `processes/README.md`. Both are idempotent: a task re-invoked
 * after a crash queues no second mail and raises no second alert.
 */
import { z } from 'zod';
import type { Database } from '../db/connect';
import type { ServiceTaskHandler, ServiceTaskRegistry } from '../engine/service-tasks/handler-registry';
import { taskInputs } from '../engine/service-tasks/task-inputs';
import { enqueueMail } from '../notifications/mail-outbox';
import { emailsOfGroup, emailsOfUsers } from '../notifications/recipients';
import type { AlertService } from './alert-service';
import { SEVERITIES } from './alert-store';

/** A list given as text (`a, b`) or as an array. */
const NameList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((name) => name.trim()).filter(Boolean) : value),
  z.array(z.string().min(1).max(320)).max(100),
);

/** An object given as JSON text (an input parameter is text unless it is an expression). */
const JsonObject = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return { text: value };
  }
}, z.record(z.string(), z.unknown()));

const NotifyInputs = z
  .object({
    group: NameList.optional(),
    user: NameList.optional(),
    subject: z.string().trim().min(1).max(300),
    message: z.string().trim().min(1).max(20000),
  })
  .refine((inputs) => inputs.group?.length || inputs.user?.length, { message: 'give group and/or user', path: ['group'] });

const RaiseAlertInputs = z.object({
  severity: z.preprocess((value) => (typeof value === 'string' ? value.trim().toLowerCase() : value), z.enum(SEVERITIES)).default('warning'),
  message: z.string().trim().min(1).max(5000),
  modelId: z.coerce.string().max(200).optional(),
  deploymentId: z.coerce.string().max(200).optional(),
  details: JsonObject.optional(),
  group: z.string().trim().min(1).max(100).optional(),
});

/** `notify`: mails `subject`/`message` to the active users of `group` and/or `user` → notifiedCount. */
export function notifyTopic(db: Database): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(NotifyInputs, task);
    const count = await db.transaction(async (trx) => {
      const to = [...new Set([...(await emailsOfGroup(trx, inputs.group ?? [])), ...(await emailsOfUsers(trx, inputs.user ?? []))])].sort();
      const text = [inputs.message, task.businessKey ? `Process instance ${task.instanceId} (${task.businessKey})` : `Process instance ${task.instanceId}`].join('\n\n');
      await enqueueMail(trx, { to, subject: inputs.subject, text, dedupeKey: `notify:${task.idempotencyKey}` });
      return to.length;
    });
    return { notifiedCount: count };
  };
}

/** `raise-alert`: records an alert and mails the support group → alertId, alertRecipients. */
export function raiseAlertTopic(alerts: AlertService): ServiceTaskHandler {
  return async (task) => {
    const inputs = taskInputs(RaiseAlertInputs, task);
    const { alert, recipients } = await alerts.raise({
      ...inputs,
      processInstanceId: task.instanceId,
      elementId: task.elementId,
      idempotencyKey: task.idempotencyKey,
    });
    return { alertId: alert.id, alertRecipients: recipients };
  };
}

/** Registers `notify` and `raise-alert` (before processes that use them are deployed). */
export function registerAlertTopics(registry: ServiceTaskRegistry, db: Database, alerts: AlertService): void {
  registry.register('notify', notifyTopic(db));
  registry.register('raise-alert', raiseAlertTopic(alerts));
}
