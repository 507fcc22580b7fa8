/**
 * Alerts for the support team (SPEC §5 `raise-alert`, §11 daily backtesting):
 * recorded, mailed to the support group in the same transaction (the outbox
 * sends it after commit), listed and acknowledged over REST.
 */
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { SYSTEM, type ActionContext, type Actor } from '../identity/actor';
import { assertCanView } from '../identity/ownership';
import { allows, PERMISSIONS } from '../identity/roles';
import { enqueueMail } from '../notifications/mail-outbox';
import { emailsOfGroup } from '../notifications/recipients';
import * as store from './alert-store';

export interface RaiseAlert {
  severity: store.Severity;
  message: string;
  modelId?: string | null;
  deploymentId?: string | null;
  details?: Record<string, unknown>;
  /** The group mailed; default the support group. */
  group?: string;
  processInstanceId?: string | null;
  elementId?: string | null;
  /** Raising again with the same key returns the first alert (a re-invoked service task). */
  idempotencyKey?: string | null;
}

export class AlertService {
  constructor(
    private readonly db: Database,
    private readonly options: { supportGroup: string; publicUrl: string },
  ) {}

  /** Records the alert and queues its mail to the group; returns it and how many were mailed. */
  async raise(input: RaiseAlert): Promise<{ alert: store.Alert; recipients: number }> {
    const group = input.group ?? this.options.supportGroup;
    return this.db.transaction(async (trx) => {
      const { alert, created } = await store.insertAlert(trx, {
        severity: input.severity,
        message: input.message,
        modelId: input.modelId ?? null,
        deploymentId: input.deploymentId ?? null,
        details: input.details ?? {},
        notifiedGroup: group,
        processInstanceId: input.processInstanceId ?? null,
        elementId: input.elementId ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
      });
      const to = await emailsOfGroup(trx, group);
      if (!created) return { alert, recipients: to.length };
      await recordAudit(trx, SYSTEM, { action: 'alert.raise', entityType: 'alert', entityId: alert.id, after: alert });
      await enqueueMail(trx, { to, subject: subjectOf(alert), text: this.textOf(alert), dedupeKey: `alert:${alert.id}` });
      return { alert, recipients: to.length };
    });
  }

  async get(actor: Actor, id: string): Promise<store.Alert> {
    const alert = await store.findAlert(this.db, id);
    if (!alert) throw new NotFoundError('alert', id);
    if (!allows(actor.permissions, 'view:all')) assertCanView(actor, await this.modelOwner(alert), 'alerts about models you own');
    return alert;
  }

  list(actor: Actor, filter: Omit<store.AlertFilter, 'modelOwner'>) {
    return store.listAlerts(this.db, { ...filter, modelOwner: allows(actor.permissions, 'view:all') ? undefined : actor.id });
  }

  /** Acknowledges an open alert (409 when it already is): operators, or members of the group it was sent to. */
  async acknowledge(context: ActionContext, id: string, comment: string | null): Promise<store.Alert> {
    return this.db.transaction(async (trx) => {
      const before = await store.findAlert(trx, id, true);
      if (!before) throw new NotFoundError('alert', id);
      assertMayAcknowledge(context.actor, before);
      if (before.status === 'acknowledged') {
        throw new ConflictError(`alert ${id} was already acknowledged by ${before.acknowledgedByName} at ${before.acknowledgedAt?.toISOString()}`, {
          acknowledgedBy: before.acknowledgedBy,
          acknowledgedAt: before.acknowledgedAt,
        });
      }
      const by = { id: context.actor?.id ?? null, name: context.actor?.name ?? 'system' };
      const after = await store.acknowledgeAlert(trx, id, by, comment);
      await recordAudit(trx, context, { action: 'alert.acknowledge', entityType: 'alert', entityId: id, before: { status: before.status }, after: { status: after.status }, comment });
      return after;
    });
  }

  /** The owner of the alert's model (contributors see alerts about the models they own). */
  private async modelOwner(alert: store.Alert): Promise<string | null> {
    if (!alert.modelId) return null;
    const model = await this.db('models').whereRaw('id::text = ?', [alert.modelId]).first('owner_id');
    return model?.owner_id ?? null;
  }

  private textOf(alert: store.Alert): string {
    const link = `${this.options.publicUrl.replace(/\/$/, '')}/api/alerts/${alert.id}`;
    return [
      `${alert.severity.toUpperCase()} alert: ${alert.message}`,
      alert.modelId ? `Model: ${alert.modelId}` : '',
      alert.deploymentId ? `Deployment: ${alert.deploymentId}` : '',
      Object.keys(alert.details).length ? `Details:\n${JSON.stringify(alert.details, null, 2)}` : '',
      alert.processInstanceId ? `Raised by process instance ${alert.processInstanceId} (${alert.elementId ?? 'raise-alert'}).` : '',
      `Acknowledge it: POST ${link}/acknowledge`,
    ]
      .filter(Boolean)
      .join('\n\n');
  }
}

/** The support group the alert went to handles it; operators (`instances:operate`) may too. */
function assertMayAcknowledge(actor: Actor | null, alert: store.Alert): void {
  if (!actor || allows(actor.permissions, 'instances:operate')) return;
  if (alert.notifiedGroup && actor.groups.includes(alert.notifiedGroup)) return;
  throw new ForbiddenError(
    `Missing permission "instances:operate" (${PERMISSIONS['instances:operate']}) or membership of group ${alert.notifiedGroup ?? '(none)'}, which alert ${alert.id} was sent to`,
    { permission: 'instances:operate', group: alert.notifiedGroup },
  );
}

function subjectOf(alert: store.Alert): string {
  const message = alert.message.length > 120 ? `${alert.message.slice(0, 117)}...` : alert.message;
  return `[Stagegate] ${alert.severity.toUpperCase()} alert: ${message}`;
}
