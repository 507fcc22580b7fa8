/**
 * Stagegate's Prometheus metrics (SPEC §12), in a registry of their own (not
 * prom-client's global one, so several servers in one process stay apart).
 *
 * - counters for what this process saw: instances started/completed/failed/
 *   cancelled by process key, HTTP requests; a histogram of job durations
 * - gauges read from the database at scrape time: open work items by
 *   candidate group, open incidents, mail outbox backlog
 * - the prediction latency histogram (`observePrediction`, prediction-metrics.ts)
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/connect';
import type { InstanceRunner, RunReport } from '../engine/runtime/instance-runner';
import type { Job } from '../jobs/job-store';
import { mailBacklog, openIncidents, openWorkItemsByGroup } from './database-gauges';
import { predictionDuration } from './prediction-metrics';

/** Jobs run from a second (a small test) to hours (training on a large dataset). */
const JOB_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ENDINGS = { completed: 'completed', failed: 'failed', cancelled: 'cancelled' } as const;

/** A job source: the JobRunner (only `onEnded` is needed). */
export interface JobEvents {
  onEnded(listener: (job: Job) => void): void;
}

export class StagegateMetrics {
  readonly registry = new Registry();
  private readonly instancesStarted: Counter<'process'>;
  private readonly instancesEnded: Record<keyof typeof ENDINGS, Counter<'process'>>;
  private readonly jobDuration: Histogram<'type' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(private readonly db: Database) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.instancesStarted = new Counter({ name: 'stagegate_instances_started_total', help: 'Process instances started (first run) by this server', labelNames: ['process'], registers });
    const ended = (status: keyof typeof ENDINGS) =>
      new Counter({ name: `stagegate_instances_${status}_total`, help: `Process instances ${status} by this server`, labelNames: ['process'] as const, registers });
    this.instancesEnded = { completed: ended('completed'), failed: ended('failed'), cancelled: ended('cancelled') };
    this.jobDuration = new Histogram({
      name: 'stagegate_job_duration_seconds',
      help: 'Duration of jobs run by this server, from start to end, by type and final status',
      labelNames: ['type', 'status'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'stagegate_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.registry.registerMetric(predictionDuration);
    this.databaseGauges(registers);
  }

  /** Counts instance starts and endings from the runner's stored runs. */
  observeInstances(runner: Pick<InstanceRunner, 'events'>): void {
    runner.events.on('run', (report: RunReport) => {
      const labels = { process: report.processKey };
      if (report.started) this.instancesStarted.inc(labels);
      if (report.before !== report.after && report.after in ENDINGS) this.instancesEnded[report.after as keyof typeof ENDINGS].inc(labels);
    });
  }

  /** Times each job that ends on this server (started to finished, as stored). */
  observeJobs(jobs: JobEvents): void {
    jobs.onEnded((job) => {
      if (!job.startedAt || !job.finishedAt) return;
      const seconds = (new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime()) / 1000;
      this.jobDuration.observe({ type: job.type, status: job.status }, Math.max(0, seconds));
    });
  }

  /** Middleware timing every request, labelled by its route pattern (`/api/tasks/:id`), never the raw path. */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        end({ method: req.method, route, status_code: String(res.statusCode) });
      });
      next();
    };
  }

  /** The exposition text for a scrape. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Gauges whose `collect` reads the database when scraped. */
  private databaseGauges(registers: Registry[]): void {
    const db = this.db;
    // Groups seen before stay at 0 instead of vanishing when their last item closes.
    const seenGroups = new Set<string>();
    new Gauge({
      name: 'stagegate_work_items_open',
      help: 'Open work items by candidate group (an item offered to two groups counts in both), from the database',
      labelNames: ['group'],
      registers,
      async collect() {
        const counts = await openWorkItemsByGroup(db);
        this.reset();
        for (const group of seenGroups) this.set({ group }, 0);
        for (const [group, open] of counts) {
          seenGroups.add(group);
          this.set({ group }, open);
        }
      },
    });
    new Gauge({
      name: 'stagegate_incidents_open',
      help: 'Open incidents, from the database',
      registers,
      async collect() {
        this.set(await openIncidents(db));
      },
    });
    let backlog: Promise<{ pending: number; oldestAgeSeconds: number }> | null = null;
    // Both outbox gauges come from one query per scrape.
    const readBacklog = () => (backlog ??= mailBacklog(db).finally(() => setImmediate(() => (backlog = null))));
    new Gauge({
      name: 'stagegate_mail_outbox_pending',
      help: 'Mails waiting in the outbox (new or retrying), from the database',
      registers,
      async collect() {
        this.set((await readBacklog()).pending);
      },
    });
    new Gauge({
      name: 'stagegate_mail_outbox_oldest_pending_seconds',
      help: 'Age of the oldest mail waiting in the outbox (0 when empty), from the database',
      registers,
      async collect() {
        this.set((await readBacklog()).oldestAgeSeconds);
      },
    });
  }
}
