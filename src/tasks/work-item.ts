/**
 * Glossary of work items (SPEC §6).
 *
 * - work item: what a person does for a process — a BPMN user task (`kind`
 *   `approval`) or a review of a failure such as an incident (`kind` `review`,
 *   no BPMN execution behind it). Rows of `user_tasks`.
 * - candidates: the groups and users who may act on it; the assignee, once
 *   someone claims it, is the only one who may complete it.
 * - submitter: who submitted the change under review (the model version's
 *   submitter, else who started the instance). Four-eyes: they may not approve.
 * - approval policy: (event type, importance) → approver group, approvals
 *   required, timeout and its automatic action (approve, reject, escalate).
 * - context: a snapshot taken when the item opens — model, version,
 *   importance, what changed, latest test results, the approval notice.
 */

export type WorkItemKind = 'approval' | 'review';
export type WorkItemStatus = 'open' | 'completed' | 'cancelled';
export type TimeoutAction = 'approve' | 'reject' | 'escalate';

export interface Approval {
  userId: string | null;
  userName: string;
  decision: string;
  comment: string | null;
  at: string;
}

export interface FormField {
  id: string;
  label: string | null;
  type: string;
  defaultValue: unknown;
  required: boolean;
  values: { id: string; name: string }[];
}

export interface WorkItem {
  id: string;
  kind: WorkItemKind;
  status: WorkItemStatus;
  name: string | null;
  documentation: string | null;
  processInstanceId: string;
  processKey: string;
  businessKey: string | null;
  elementId: string;
  executionId: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  claimedAt: Date | null;
  dueDate: Date | null;
  priority: number;
  formKey: string | null;
  formFields: FormField[];
  context: Record<string, unknown>;
  submittedBy: string | null;
  approvalsRequired: number;
  approvals: Approval[];
  decision: string | null;
  comment: string | null;
  completedBy: string | null;
  completedAt: Date | null;
  createdAt: Date;
  timeoutAction: TimeoutAction | null;
  escalationGroup: string | null;
  policyId: string | null;
  incidentId: string | null;
}

const date = (value: unknown) => (value ? new Date(value as string) : null);

export function toWorkItem(row: Record<string, any>): WorkItem {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    name: row.name,
    documentation: row.documentation,
    processInstanceId: row.instance_id,
    processKey: row.process_key,
    businessKey: row.business_key,
    elementId: row.element_id,
    executionId: row.execution_id,
    candidateGroups: row.candidate_groups,
    candidateUsers: row.candidate_users,
    assignee: row.assignee,
    claimedAt: date(row.claimed_at),
    dueDate: date(row.due_date),
    priority: row.priority,
    formKey: row.form_key,
    formFields: row.form_fields,
    context: row.context,
    submittedBy: row.submitted_by,
    approvalsRequired: row.approvals_required,
    approvals: row.approvals,
    decision: row.decision,
    comment: row.comment,
    completedBy: row.completed_by,
    completedAt: date(row.completed_at),
    createdAt: new Date(row.created_at),
    timeoutAction: row.timeout_action,
    escalationGroup: row.escalation_group,
    policyId: row.policy_id,
    incidentId: row.incident_id,
  };
}
