/**
 * SQL of call activities: starting the called instance in the same
 * transaction as the parent's wait, and resuming the parent (or cancelling
 * the children) when an instance ends.
 */
import type { Knex } from 'knex';
import { findDefinition } from '../definitions/definition-store';
import { insertCommand, queueCommand } from './run-store-commands';
import type { StoredInstance } from './run-store-snapshot';
import type { RunSnapshot } from './types';

/** Starts the instance each waiting call activity needs, once per activity execution. */
export async function startCalledInstances(trx: Knex.Transaction, parentId: string, snapshot: RunSnapshot): Promise<void> {
  if (!snapshot.calls.length) return;
  const parent = await trx('process_instances').where({ id: parentId }).first('business_key', 'variables');
  for (const call of snapshot.calls) {
    const existing = await trx('process_instances').where({ parent_instance_id: parentId, parent_execution_id: call.executionId }).first('id');
    if (existing) continue;
    const definition = await findDefinition(trx, call.calledElement);
    if (!definition) {
      await reportMissingProcess(trx, parentId, call.elementId, call.executionId, call.calledElement);
      continue;
    }
    const variables = snapshot.variables ?? parent.variables;
    const id = crypto.randomUUID();
    await trx('process_instances').insert({
      id,
      definition_id: definition.id,
      process_key: definition.key,
      definition_version: definition.version,
      business_key: parent.business_key,
      status: 'running',
      variables: JSON.stringify(variables),
      parent_instance_id: parentId,
      parent_element_id: call.elementId,
      parent_execution_id: call.executionId,
      wake_at: trx.fn.now(),
    });
    await insertCommand(trx, id, { type: 'start', payload: { variables } });
  }
}

async function reportMissingProcess(trx: Knex.Transaction, instanceId: string, elementId: string, executionId: string, key: string) {
  const open = await trx('incidents').where({ instance_id: instanceId, execution_id: executionId, status: 'open' }).first('id');
  if (open) return;
  await trx('incidents').insert({
    id: crypto.randomUUID(),
    instance_id: instanceId,
    element_id: elementId,
    execution_id: executionId,
    type: 'missing-called-process',
    message: `call activity ${elementId} calls process "${key}", which is not deployed; deploy it, then retry`,
  });
}

/** An instance ended: a completed child resumes its parent; a cancelled parent cancels its children. */
export async function settleRelatives(trx: Knex.Transaction, instanceId: string, snapshot: RunSnapshot, row: StoredInstance): Promise<void> {
  if (snapshot.status === 'completed') {
    if (!row.parent_instance_id) return;
    await queueCommand(trx, row.parent_instance_id, {
      type: 'call-completed',
      payload: { elementId: row.parent_element_id, executionId: row.parent_execution_id, variables: snapshot.variables ?? row.variables },
    });
  } else if (snapshot.status === 'cancelled') {
    const children = await trx('process_instances')
      .where({ parent_instance_id: instanceId })
      .whereNotIn('status', ['completed', 'cancelled', 'failed'])
      .pluck('id');
    for (const child of children) await queueCommand(trx, child, { type: 'cancel', payload: { actor: null, reason: 'parent cancelled' } });
  }
}
