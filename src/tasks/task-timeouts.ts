import type { Database } from '../db/connect';
import type { Logger } from '../logger';
import type { TaskService } from './task-service';

/**
 * Fires the automatic action of overdue work items (approval policy
 * timeouts). Due dates live in the database, so an item that came due while
 * every server was down is handled at the next start; several replicas may
 * poll, the item's row lock makes each action happen once.
 */
export class TaskTimeouts {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly tasks: TaskService,
    private readonly pollIntervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweep().finally(() => (this.running = null));
    }, this.pollIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async sweep(): Promise<void> {
    try {
      const due: string[] = await this.db('user_tasks')
        .where('status', 'open')
        .whereNotNull('timeout_action')
        .where('due_date', '<=', this.db.fn.now())
        .orderBy('due_date')
        .limit(50)
        .pluck('id');
      for (const id of due) await this.tasks.applyTimeout(id);
    } catch (err) {
      this.logger.error({ err }, 'work item timeouts failed');
    }
  }
}
