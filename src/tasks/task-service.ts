import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { ConflictError, NotFoundError } from '../errors';
import type { IncidentService } from '../engine/incidents/incident-service';
import type { InstanceService } from '../engine/instances/instance-service';
import { queueCommand } from '../engine/runtime/run-store';
import type { Variables } from '../engine/runtime/types';
import { ActionContext, SYSTEM } from '../identity/actor';
import { mailDecision, mailEscalation } from './task-mail';
import { assertFourEyes, assertMayAct, assertNotApprovedBy, assertOpen, validateCompletion } from './task-rules';
import { findWorkItem, insertComment, listComments, updateWorkItem } from './task-store';
import { recordVersionDecision } from './version-decision';
import type { Approval, WorkItem } from './work-item';

export interface CompletionInput {
  decision?: string;
  comment?: string | null;
  variables?: Variables;
}

export interface CompletionResult {
  /** False while a multi-approver item still waits for more approvals. */
  completed: boolean;
  item: WorkItem;
}

/** Claims, decisions, approvals, comments and timeouts of work items (SPEC §6). */
export class TaskService {
  constructor(
    private readonly db: Database,
    private readonly instances: InstanceService,
    private readonly incidents: IncidentService,
    private readonly publicUrl: string,
  ) {}

  async get(id: string): Promise<WorkItem> {
    const item = await findWorkItem(this.db, id);
    if (!item) throw new NotFoundError('work item', id);
    return item;
  }

  async claim(context: ActionContext, id: string): Promise<WorkItem> {
    return this.change(context, id, 'task.claim', async (trx, item, actor) => {
      if (item.assignee === actor.id) return;
      if (item.assignee) throw new ConflictError(`work item ${id} is already claimed by someone else`, { assignee: item.assignee });
      assertMayAct(actor, item);
      await updateWorkItem(trx, id, { assignee: actor.id, claimed_at: trx.fn.now() });
    });
  }

  async unclaim(context: ActionContext, id: string): Promise<WorkItem> {
    return this.change(context, id, 'task.unclaim', async (trx, item, actor) => {
      if (item.assignee !== actor.id) throw new ConflictError(`work item ${id} is not claimed by you`, { assignee: item.assignee });
      await updateWorkItem(trx, id, { assignee: null, claimed_at: null });
    });
  }

  async assign(context: ActionContext, id: string, userId: string | null): Promise<WorkItem> {
    return this.change(context, id, 'task.assign', async (trx) => {
      if (userId && !(await trx('users').where({ id: userId, active: true }).first('id'))) throw new NotFoundError('active user', userId);
      await updateWorkItem(trx, id, { assignee: userId, claimed_at: userId ? trx.fn.now() : null });
    });
  }

  /** Completes (or, for multi-approver items, approves) once; every other attempt gets 409. */
  async complete(context: ActionContext, id: string, input: CompletionInput): Promise<CompletionResult> {
    const result = await this.db.transaction((trx) => this.completeIn(trx, context, id, input, false));
    if (result.completed) await this.instances.runNow(result.item.processInstanceId);
    return { ...result, item: await this.get(id) };
  }

  async comments(id: string) {
    await this.get(id);
    return listComments(this.db, id);
  }

  async addComment(context: ActionContext, id: string, text: string) {
    return this.db.transaction(async (trx) => {
      if (!(await findWorkItem(trx, id))) throw new NotFoundError('work item', id);
      const comment = await insertComment(trx, id, context.actor!, text);
      await recordAudit(trx, context, { action: 'task.comment', entityType: 'user_task', entityId: id, after: { commentId: comment.id }, comment: text });
      return comment;
    });
  }

  /** The automatic action of an overdue item (policy timeout): approve, reject or escalate. */
  async applyTimeout(id: string): Promise<void> {
    const item = await this.db.transaction(async (trx) => {
      const current = await findWorkItem(trx, id, true);
      if (!current || current.status !== 'open' || !current.timeoutAction || !current.dueDate || current.dueDate > new Date()) return null;
      if (current.timeoutAction === 'escalate') {
        const group = current.escalationGroup ?? 'approval-leads';
        await updateWorkItem(trx, id, { candidate_groups: JSON.stringify([group]), assignee: null, claimed_at: null, timeout_action: null, due_date: null });
        await recordAudit(trx, SYSTEM, { action: 'task.escalate', entityType: 'user_task', entityId: id, before: { candidateGroups: current.candidateGroups }, after: { candidateGroups: [group] }, comment: 'due date passed' });
        await mailEscalation(trx, this.publicUrl, current, group, `no decision by ${current.dueDate.toISOString()}`);
        return null;
      }
      const decision = current.timeoutAction === 'approve' ? 'approved' : 'rejected';
      await this.completeIn(trx, SYSTEM, id, { decision, comment: `automatically ${decision}: no decision by the due date` }, true);
      return current;
    });
    if (item) await this.instances.runNow(item.processInstanceId);
  }

  private async completeIn(trx: Knex.Transaction, context: ActionContext, id: string, input: CompletionInput, automatic: boolean): Promise<CompletionResult> {
    const item = await findWorkItem(trx, id, true);
    if (!item) throw new NotFoundError('work item', id);
    assertOpen(item);
    const actor = context.actor;
    if (actor && !automatic) assertMayAct(actor, item);
    const { decision, variables } = validateCompletion(item, input.decision, input.variables ?? {});
    if (actor && !automatic) assertFourEyes(actor, item, decision);
    const comment = input.comment ?? null;
    const approvals = [...item.approvals];
    if (decision === 'approved') {
      if (actor && !automatic) assertNotApprovedBy(actor, item);
      approvals.push(approval(context, decision, comment));
      const approved = approvals.filter((a) => a.decision === 'approved').length;
      if (!automatic && approved < item.approvalsRequired) {
        await updateWorkItem(trx, id, { approvals: JSON.stringify(approvals) });
        await recordAudit(trx, context, { action: 'task.approve', entityType: 'user_task', entityId: id, after: { approvals: approved, required: item.approvalsRequired }, comment });
        return { completed: false, item };
      }
    }
    const decidedBy = actor?.name ?? 'system';
    await updateWorkItem(trx, id, {
      status: 'completed',
      decision,
      comment,
      approvals: JSON.stringify(approvals),
      output: JSON.stringify(variables),
      completed_by: actor?.id ?? 'system',
      completed_at: trx.fn.now(),
    });
    if (item.executionId) {
      await queueCommand(trx, item.processInstanceId, {
        type: 'complete-user-task',
        payload: { elementId: item.elementId, executionId: item.executionId, variables: comment === null ? variables : { ...variables, comment }, actor: actor?.id ?? null },
      });
    } else if (item.incidentId) {
      await this.actOnIncident(trx, context, item, decision);
    }
    await recordAudit(trx, context, { action: 'task.complete', entityType: 'user_task', entityId: id, before: { status: 'open' }, after: { status: 'completed', decision, variables }, comment });
    await recordVersionDecision(trx, context, item, decision, comment);
    await mailDecision(trx, this.publicUrl, item, decision, decidedBy, comment);
    return { completed: true, item };
  }

  private async actOnIncident(trx: Knex.Transaction, context: ActionContext, item: WorkItem, decision: string | null): Promise<void> {
    if (decision === 'retry') await this.incidents.retryIn(trx, context, item.incidentId!);
    if (decision === 'cancel') await this.instances.cancelIn(trx, context, item.processInstanceId, 'cancelled from the incident review');
  }

  /** Runs one audited change on an open item the actor may see. */
  private async change(
    context: ActionContext,
    id: string,
    action: string,
    apply: (trx: Knex.Transaction, item: WorkItem, actor: NonNullable<ActionContext['actor']>) => Promise<void>,
  ): Promise<WorkItem> {
    await this.db.transaction(async (trx) => {
      const item = await findWorkItem(trx, id, true);
      if (!item) throw new NotFoundError('work item', id);
      assertOpen(item);
      await apply(trx, item, context.actor!);
      const after = await findWorkItem(trx, id);
      await recordAudit(trx, context, { action, entityType: 'user_task', entityId: id, before: { assignee: item.assignee }, after: { assignee: after!.assignee } });
    });
    return this.get(id);
  }
}

function approval(context: ActionContext, decision: string, comment: string | null): Approval {
  return { userId: context.actor?.id ?? null, userName: context.actor?.name ?? 'system', decision, comment, at: new Date().toISOString() };
}
