/** The rules of acting on a work item (SPEC §6), free of storage and HTTP. */
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import type { Actor } from '../identity/actor';
import type { FormField, WorkItem } from './work-item';

/** Decisions on an approval; a `decision` form field may narrow them. */
export const APPROVAL_DECISIONS = ['approved', 'rejected', 'changes_requested', 'acknowledged'] as const;
/** Decisions on the review of an incident. */
export const INCIDENT_DECISIONS = ['retry', 'cancel', 'acknowledged'] as const;

/** Whether the actor is among the candidates (group, user id/email/name) or the assignee. */
export function isCandidate(actor: Actor, item: WorkItem): boolean {
  if (item.assignee === actor.id) return true;
  if (!item.candidateGroups.length && !item.candidateUsers.length) return true;
  if (item.candidateGroups.some((group) => actor.groups.includes(group))) return true;
  return item.candidateUsers.some((user) => user === actor.id || user === actor.email || user === actor.name);
}

export function assertOpen(item: WorkItem): void {
  if (item.status !== 'open') throw new ConflictError(`work item ${item.id} is ${item.status}`, { status: item.status });
}

/** Only candidates may claim or complete, and only the assignee once it is claimed. */
export function assertMayAct(actor: Actor, item: WorkItem): void {
  if (item.assignee && item.assignee !== actor.id) {
    throw new ForbiddenError(`work item ${item.id} is claimed by someone else; they must unclaim it (or an admin reassign it) first`, { assignee: item.assignee });
  }
  if (!isCandidate(actor, item)) {
    throw new ForbiddenError(`you are not a candidate for work item ${item.id}: it is for groups [${item.candidateGroups.join(', ')}] and users [${item.candidateUsers.join(', ')}]`, {
      candidateGroups: item.candidateGroups,
      candidateUsers: item.candidateUsers,
    });
  }
}

/** Four-eyes: whoever submitted the change under review may not approve it. */
export function assertFourEyes(actor: Actor, item: WorkItem, decision: string | null): void {
  if (decision === 'approved' && item.submittedBy && item.submittedBy === actor.id) {
    throw new ForbiddenError('four-eyes principle: you submitted the change under review, so someone else must approve it', { submittedBy: item.submittedBy });
  }
}

export function assertNotApprovedBy(actor: Actor, item: WorkItem): void {
  if (item.approvals.some((approval) => approval.userId === actor.id)) {
    throw new ConflictError(`you already approved work item ${item.id}; it needs ${item.approvalsRequired} distinct approvers`);
  }
}

/** Checks the decision and the form fields; returns the variables the completion sets. */
export function validateCompletion(item: WorkItem, decision: string | undefined, variables: Record<string, unknown>): { decision: string | null; variables: Record<string, unknown> } {
  const problems: string[] = [];
  const values: Record<string, unknown> = { ...variables };
  if (decision !== undefined) values.decision = decision;
  const allowed = allowedDecisions(item);
  const chosen = (values.decision as string | undefined) ?? null;
  if (chosen !== null && !allowed.includes(chosen)) problems.push(`decision must be one of ${allowed.join(', ')}`);
  if (chosen === null && (item.policyId || item.kind === 'review')) problems.push(`decision is required (${allowed.join(', ')})`);
  for (const field of item.formFields) problems.push(...checkField(field, values[field.id]));
  if (problems.length) throw new ValidationError(`Invalid completion of work item ${item.id}: ${problems.join('; ')}`, { problems });
  return { decision: chosen, variables: values };
}

function allowedDecisions(item: WorkItem): readonly string[] {
  if (item.kind === 'review' && item.incidentId) return INCIDENT_DECISIONS;
  const field = item.formFields.find((f) => f.id === 'decision' && f.type === 'enum');
  return field ? field.values.map((v) => v.id) : APPROVAL_DECISIONS;
}

function checkField(field: FormField, value: unknown): string[] {
  if (value === undefined || value === null || value === '') return field.required ? [`${field.id} is required`] : [];
  switch (field.type) {
    case 'long':
      return Number.isInteger(value) ? [] : [`${field.id} must be an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${field.id} must be true or false`];
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? [] : [`${field.id} must be a date`];
    case 'enum':
      return field.values.some((v) => v.id === value) ? [] : [`${field.id} must be one of ${field.values.map((v) => v.id).join(', ')}`];
    case 'string':
      return typeof value === 'string' ? [] : [`${field.id} must be text`];
    default:
      return [];
  }
}
