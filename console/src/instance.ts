/** A process instance as GET /api/process-instances/:id answers. */
export interface InstanceSummary {
  id: string;
  processKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: string;
  startedBy: string | null;
  error: string | null;
  createdAt: string;
  endedAt: string | null;
}

export interface HistoryEntry {
  elementId: string;
  elementType: string;
  elementName: string | null;
  event: 'start' | 'end' | 'discard';
  at: string;
}

export interface Instance extends InstanceSummary {
  variables: Record<string, unknown>;
  currentActivities: { elementId: string; type: string }[];
  userTasks: { id: string; elementId: string; name: string | null }[];
  incidents: { id: string; elementId: string; type: string; message: string; status: string; createdAt: string }[];
  history: HistoryEntry[];
}

/** Elements now active, and those that ran to their end (and are not active again). */
export function activityStates(instance: Instance): { current: string[]; completed: string[] } {
  const current = [...new Set(instance.currentActivities.map((a) => a.elementId))];
  const completed = [...new Set(instance.history.filter((h) => h.event === 'end').map((h) => h.elementId))].filter((id) => !current.includes(id));
  return { current, completed };
}

export const ACTIVE_STATUSES = ['running', 'waiting', 'incident'];
