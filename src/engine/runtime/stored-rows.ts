import type { RunSnapshot, ServiceTaskStatus } from './types';

const OPEN: ReadonlySet<ServiceTaskStatus> = new Set(['pending', 'retry_wait', 'incident', 'running']);

/**
 * What is stored for an instance besides its row, as far as the run that
 * created the instance knows: nothing at first, then what its own stores
 * wrote. A store skips the statements that could only find nothing to change
 * (deleting timers that were never stored, cancelling work items that were
 * never opened). A resumed instance has no StoredRows: every statement runs.
 *
 * Only the run holding the lease writes timers, subscriptions and work items.
 * Incidents and external tasks can also change outside the run (a worker
 * fails its task), so once the run stored either, they count as present.
 */
export class StoredRows {
  private timers = 0;
  private subscriptions = 0;
  private userTasks = 0;
  private incidentsPossible = false;
  /** Execution ids of service tasks stored in an open status (external ones stay: workers own them). */
  private readonly openServiceTasks = new Set<string>();

  /** Whether timers may be stored (their delete is needed). */
  hasTimers(): boolean {
    return this.timers > 0;
  }

  hasSubscriptions(): boolean {
    return this.subscriptions > 0;
  }

  hasUserTasks(): boolean {
    return this.userTasks > 0;
  }

  hasIncidents(): boolean {
    return this.incidentsPossible;
  }

  /** Whether a service task other than `written` may still be open. */
  hasOpenServiceTasksBesides(written: string[]): boolean {
    return [...this.openServiceTasks].some((executionId) => !written.includes(executionId));
  }

  /** Takes in what a store (now committed) wrote. */
  stored(snapshot: RunSnapshot): void {
    this.timers = snapshot.timers.length;
    this.subscriptions = snapshot.subscriptions.length;
    this.userTasks = snapshot.userTasks.length;
    if (snapshot.incidents.length || snapshot.calls.length) this.incidentsPossible = true;
    for (const task of snapshot.serviceTasks) {
      if (task.external) this.incidentsPossible = true;
      if (task.external || OPEN.has(task.status)) this.openServiceTasks.add(task.executionId);
      else this.openServiceTasks.delete(task.executionId);
    }
  }
}
