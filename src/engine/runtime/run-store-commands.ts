import type { Knex } from 'knex';
import type { CommandInput } from './types';

const TERMINAL = ['completed', 'cancelled', 'failed'];

/** Queues a command for an instance created in this transaction (already due: no wake needed). */
export async function insertCommand(trx: Knex | Knex.Transaction, instanceId: string, command: CommandInput): Promise<void> {
  await trx('instance_commands').insert({ instance_id: instanceId, type: command.type, payload: JSON.stringify(command.payload) });
}

/** Queues a command for an instance and wakes it (a no-op wake for an ended instance). */
export async function queueCommand(trx: Knex | Knex.Transaction, instanceId: string, command: CommandInput): Promise<void> {
  await insertCommand(trx, instanceId, command);
  await trx('process_instances')
    .where({ id: instanceId })
    .whereNotIn('status', TERMINAL)
    .update({ wake_at: trx.fn.now() });
}
