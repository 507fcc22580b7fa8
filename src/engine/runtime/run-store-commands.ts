import type { Knex } from 'knex';
import type { CommandInput } from './types';

const TERMINAL = ['completed', 'cancelled', 'failed'];

/** Queues a command for an instance and wakes it (a no-op wake for an ended instance). */
export async function queueCommand(trx: Knex | Knex.Transaction, instanceId: string, command: CommandInput): Promise<void> {
  await trx('instance_commands').insert({ instance_id: instanceId, type: command.type, payload: JSON.stringify(command.payload) });
  await trx('process_instances')
    .where({ id: instanceId })
    .whereNotIn('status', TERMINAL)
    .update({ wake_at: trx.fn.now() });
}
