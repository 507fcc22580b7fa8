/**
 * What the work-item product adds when the engine stores a run: the context
 * snapshot, the submitter (four-eyes), the approval policy, mail to the
 * candidates, and review items for incidents — all in the run's transaction.
 */
import type { Knex } from 'knex';
import type { StoreHooks } from '../engine/runtime/run-store';
import type { Variables } from '../engine/runtime/types';
import { mailNewWorkItem } from './task-mail';
import { findPolicy, policyDueDate } from './approval-policies';
import { toWorkItem } from './work-item';

const CONTEXT_VARIABLES = ['model', 'modelId', 'modelName', 'version', 'versionNumber', 'deployment', 'changeRequestId', 'importance', 'change', 'testResult', 'breaches'];

async function approvalNotice(trx: Knex.Transaction): Promise<string> {
  const row = await trx('settings').where({ key: 'approvalNotice' }).first('value');
  return typeof row?.value === 'string' ? row.value : '';
}

async function withInstance(trx: Knex.Transaction, rows: Record<string, any>[]) {
  const instances = await trx('process_instances').whereIn('id', [...new Set(rows.map((r) => r.instance_id))]).select('id', 'process_key', 'business_key');
  const byId = new Map(instances.map((i) => [i.id, i]));
  return rows.map((row) => toWorkItem({ ...row, process_key: byId.get(row.instance_id)?.process_key, business_key: byId.get(row.instance_id)?.business_key }));
}

export function workItemHooks(options: { publicUrl: string; supportGroup: string }): StoreHooks {
  return {
    async prepareUserTasks(trx, instanceId, stored: Variables | null, rows) {
      const instance = await trx('process_instances').where({ id: instanceId }).first('started_by', 'variables');
      const variables: Variables = stored ?? instance.variables;
      const context = Object.fromEntries(CONTEXT_VARIABLES.filter((name) => variables[name] !== undefined).map((name) => [name, variables[name]]));
      const notice = await approvalNotice(trx);
      const policy =
        typeof variables.eventType === 'string' && typeof variables.importance === 'string' ? await findPolicy(trx, variables.eventType, variables.importance) : null;
      for (const row of rows) {
        row.context = JSON.stringify({ ...context, approvalNotice: notice });
        row.submitted_by = typeof variables.submittedBy === 'string' ? variables.submittedBy : instance.started_by;
        if (!policy) continue;
        row.policy_id = policy.id;
        row.candidate_groups = JSON.stringify([policy.approverGroup]);
        row.approvals_required = policy.approvalsRequired;
        row.due_date = policyDueDate(policy) ?? row.due_date;
        row.timeout_action = policy.timeoutAction;
        row.escalation_group = policy.escalationGroup;
      }
    },

    async userTasksCreated(trx, rows) {
      for (const item of await withInstance(trx, rows)) await mailNewWorkItem(trx, options.publicUrl, item);
    },

    /** An incident needs a human: a review item for the support group. */
    async incidentsOpened(trx, incidents) {
      for (const incident of incidents) {
        const [row] = await trx('user_tasks')
          .insert({
            id: crypto.randomUUID(),
            instance_id: incident.instance_id,
            element_id: incident.element_id,
            execution_id: null,
            kind: 'review',
            incident_id: incident.id,
            name: `Incident at ${incident.element_id}`,
            documentation: incident.message,
            candidate_groups: JSON.stringify([options.supportGroup]),
            context: JSON.stringify({ incident: { id: incident.id, type: incident.type, message: incident.message } }),
            priority: 80,
          })
          .returning('*');
        const [item] = await withInstance(trx, [row]);
        await mailNewWorkItem(trx, options.publicUrl, item);
      }
    },
  };
}
