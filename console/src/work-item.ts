/** A work item as GET /api/tasks/:id answers (SPEC §6; src/tasks/work-item.ts). */
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
  kind: 'approval' | 'review';
  status: 'open' | 'completed' | 'cancelled';
  name: string | null;
  documentation: string | null;
  processInstanceId: string;
  processKey: string;
  businessKey: string | null;
  elementId: string;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  dueDate: string | null;
  priority: number;
  formFields: FormField[];
  context: Record<string, unknown>;
  submittedBy: string | null;
  approvalsRequired: number;
  approvals: { userName: string; decision: string; comment: string | null; at: string }[];
  decision: string | null;
  comment: string | null;
  completedAt: string | null;
  createdAt: string;
  incidentId: string | null;
}

export interface Comment {
  id: string;
  userName?: string;
  authorName?: string;
  text: string;
  createdAt: string;
}

/** The decisions offered as buttons: the decision form field's values, else the standard three. */
export function decisionsOf(item: WorkItem): { id: string; name: string }[] {
  const field = item.formFields.find((f) => f.id === 'decision' && f.values.length);
  if (field) return field.values;
  if (item.kind === 'review' && item.incidentId) {
    return [{ id: 'retry', name: 'Retry the task' }, { id: 'cancel', name: 'Cancel the instance' }, { id: 'acknowledged', name: 'Acknowledge' }];
  }
  const standard = [
    { id: 'approved', name: 'Approve' },
    { id: 'rejected', name: 'Reject' },
    { id: 'changes_requested', name: 'Request changes' },
  ];
  return item.kind === 'review' ? [...standard, { id: 'acknowledged', name: 'Acknowledge' }] : standard;
}
