import type { Database } from '../../db/connect';
import { NotFoundError } from '../../errors';
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
 * broadcast: every waiting catch event and every signal start event.
 */
export class EventService {
  constructor(
    private readonly db: Database,
    private readonly instances: InstanceService,
  ) {}

  async correlateMessage(name: string, businessKey: string | null, variables: Variables): Promise<CorrelationResult> {
    const delivered = await this.deliver('message', name, businessKey, variables);
    const started = delivered.length ? [] : await this.startAll('messages', name, businessKey, variables);
    if (!delivered.length && !started.length) {
      throw new NotFoundError('waiting instance or message start event for message', businessKey ? `${name} (businessKey ${businessKey})` : name);
    }
    return { delivered, started };
  }

  async broadcastSignal(name: string, variables: Variables): Promise<CorrelationResult> {
    const delivered = await this.deliver('signal', name, null, variables);
    const started = await this.startAll('signals', name, null, variables);
    return { delivered, started };
  }

  private async deliver(kind: 'message' | 'signal', name: string, businessKey: string | null, variables: Variables): Promise<string[]> {
    const query = this.db('event_subscriptions as s')
      .join('process_instances as i', 'i.id', 's.instance_id')
      .where({ 's.kind': kind, 's.name': name })
      .whereIn('i.status', ['waiting', 'running', 'incident'])
      .distinct('s.instance_id', 's.ref_id');
    if (businessKey) query.andWhere('i.business_key', businessKey);
    const subscriptions: { instance_id: string; ref_id: string }[] = await query;
    for (const subscription of subscriptions) {
      await this.instances.send(subscription.instance_id, {
        type: kind,
        payload: { name, refId: subscription.ref_id, variables },
      });
    }
    return [...new Set(subscriptions.map((s) => s.instance_id))];
  }

  private async startAll(list: 'messages' | 'signals', name: string, businessKey: string | null, variables: Variables): Promise<string[]> {
    const definitions = (await listLatestDefinitions(this.db)).filter((d) => d.startEvents[list].includes(name));
    const started: string[] = [];
    for (const definition of definitions) {
      const kind = list === 'messages' ? 'message' : 'signal';
      started.push(
        await this.instances.create(
          { key: definition.key, businessKey, variables },
          { type: kind, payload: { name, variables: {} } },
        ),
      );
    }
    return started;
  }
}
