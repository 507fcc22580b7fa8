import type { Knex } from 'knex';
import { recordAudit } from '../../audit/audit-store';
import type { Database } from '../../db/connect';
import { NotFoundError } from '../../errors';
import type { ActionContext } from '../../identity/actor';
import { listLatestDefinitions } from '../definitions/definition-store';
import type { InstanceService } from '../instances/instance-service';
import type { Variables } from '../runtime/types';

export interface CorrelationResult {
  /** Waiting instances the message/signal was delivered to. */
  delivered: string[];
  /** Instances started by a matching message/signal start event. */
  started: string[];
}

/**
 * Messages and signals from outside (SPEC §10). A message goes to the waiting
 * catch events with its name (and business key, when given), or else starts
 * the processes whose message start event has that name. A signal is a
 * broadcast: every waiting catch event and every signal start event. Each
 * request is one transaction with one audit event.
 */
export class EventService {
  constructor(
    private readonly db: Database,
    private readonly instances: InstanceService,
  ) {}

  async correlateMessage(context: ActionContext, name: string, businessKey: string | null, variables: Variables): Promise<CorrelationResult> {
    return this.db.transaction(async (trx) => {
      const delivered = await this.deliver(trx, 'message', name, businessKey, variables);
      const started = delivered.length ? [] : await this.startAll(trx, context, 'messages', name, businessKey, variables);
      if (!delivered.length && !started.length) {
        throw new NotFoundError('waiting instance or message start event for message', businessKey ? `${name} (businessKey ${businessKey})` : name);
      }
      await recordAudit(trx, context, { action: 'message.correlate', entityType: 'message', entityId: name, after: { businessKey, delivered, started } });
      return { delivered, started };
    });
  }

  async broadcastSignal(context: ActionContext, name: string, variables: Variables): Promise<CorrelationResult> {
    return this.db.transaction(async (trx) => {
      const delivered = await this.deliver(trx, 'signal', name, null, variables);
      const started = await this.startAll(trx, context, 'signals', name, null, variables);
      // Like a message nobody waits for: a signal that reaches nothing is most likely a wrong name.
      if (!delivered.length && !started.length) throw new NotFoundError('waiting instance or signal start event for signal', name);
      await recordAudit(trx, context, { action: 'signal.broadcast', entityType: 'signal', entityId: name, after: { delivered, started } });
      return { delivered, started };
    });
  }

  private async deliver(
    trx: Knex.Transaction,
    kind: 'message' | 'signal',
    name: string,
    businessKey: string | null,
    variables: Variables,
  ): Promise<string[]> {
    const query = trx('event_subscriptions as s')
      .join('process_instances as i', 'i.id', 's.instance_id')
      .where({ 's.kind': kind, 's.name': name })
      .whereIn('i.status', ['waiting', 'running', 'incident'])
      .distinct('s.instance_id', 's.ref_id');
    if (businessKey) query.andWhere('i.business_key', businessKey);
    const subscriptions: { instance_id: string; ref_id: string }[] = await query;
    for (const subscription of subscriptions) {
      await this.instances.send(trx, subscription.instance_id, { type: kind, payload: { name, refId: subscription.ref_id, variables } });
    }
    return [...new Set(subscriptions.map((s) => s.instance_id))];
  }

  private async startAll(
    trx: Knex.Transaction,
    context: ActionContext,
    list: 'messages' | 'signals',
    name: string,
    businessKey: string | null,
    variables: Variables,
  ): Promise<string[]> {
    const definitions = (await listLatestDefinitions(trx)).filter((d) => d.startEvents[list].includes(name));
    const kind = list === 'messages' ? ('message' as const) : ('signal' as const);
    const started: string[] = [];
    for (const definition of definitions) {
      const request = { key: definition.key, businessKey, variables, trigger: { kind, name } };
      started.push(await this.instances.create(trx, context, request, { type: kind, payload: { name, variables: {} } }));
    }
    return started;
  }
}
