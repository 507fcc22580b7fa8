/**
 * Monitoring of a deployment over a recent window of its prediction log:
 * request and error counts, latency percentiles, champion/challenger
 * agreement, and input drift (PSI per feature) of the live rows against the
 * champion's training rows.
 */
import type { Database } from '../db/connect';
import { iterateRows } from '../datasets/dataset-store';
import { ValidationError } from '../errors';
import type { Actor } from '../identity/actor';
import { populationStabilityIndex, type Cell, type FeatureSpec, type Row } from '../ml';
import { loadVersion } from './deployed-models';
import type { DeploymentService } from './deployment-service';
import { findVersionById } from './deployment-store';
import type { PredictionLog } from './prediction-log';

/** Log entries read per report at most (the newest). */
const MAX_ENTRIES = 50_000;
/** Training rows read as the drift reference at most. */
const MAX_REFERENCE_ROWS = 20_000;
const WINDOW = /^(\d{1,6})(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export interface MonitoringReport {
  deploymentId: string;
  window: { from: Date; to: Date };
  requests: number;
  rows: number;
  errors: number;
  errorCodes: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  challenger: { rows: number; agreement: number | null } | null;
  drift: { features: { feature: string; psi: number }[]; maxPsi: number; referenceRows: number; liveRows: number } | { unavailable: string };
  /** Prediction log entries dropped (buffer full) since this server started. */
  droppedLogEntries: number;
}

export function parseMonitoringWindow(text: string | undefined): number {
  const match = WINDOW.exec(text ?? '24h');
  if (!match) throw new ValidationError(`window: ${JSON.stringify(text)} is not a window such as 15m, 24h or 7d`, { window: text });
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export class MonitoringService {
  constructor(
    private readonly db: Database,
    private readonly deployments: DeploymentService,
    private readonly log: PredictionLog,
  ) {}

  async report(actor: Actor | null, deploymentId: string, windowMs: number): Promise<MonitoringReport> {
    const deployment = await this.deployments.get(actor, deploymentId);
    await this.log.flush();
    const to = new Date();
    const from = new Date(to.getTime() - windowMs);
    const entries = await this.db('prediction_logs')
      .where('deployment_id', deployment.id)
      .where('at', '>=', from)
      .orderBy('id', 'desc')
      .limit(MAX_ENTRIES)
      .select('row_count', 'rows', 'predictions', 'challenger_predictions', 'latency_ms', 'error_code');
    const errorCodes: Record<string, number> = {};
    let rows = 0;
    let compared = 0;
    let agreed = 0;
    const live: Row[] = [];
    for (const entry of entries) {
      if (entry.error_code) errorCodes[entry.error_code] = (errorCodes[entry.error_code] ?? 0) + 1;
      else rows += entry.row_count;
      if (entry.rows) live.push(...(entry.rows as Row[]));
      const [champion, challenger] = [entry.predictions as unknown[] | null, entry.challenger_predictions as unknown[] | null];
      if (champion && challenger) {
        for (let i = 0; i < champion.length; i += 1) {
          compared += 1;
          if (String(champion[i]) === String(challenger[i])) agreed += 1;
        }
      }
    }
    const latencies = entries.map((entry) => Number(entry.latency_ms)).sort((a, b) => a - b);
    return {
      deploymentId: deployment.id,
      window: { from, to },
      requests: entries.length,
      rows,
      errors: Object.values(errorCodes).reduce((sum, n) => sum + n, 0),
      errorCodes,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
      challenger: deployment.challengerVersionId || compared > 0 ? { rows: compared, agreement: compared > 0 ? agreed / compared : null } : null,
      drift: await this.drift(deployment.championVersionId, live),
      droppedLogEntries: this.log.dropped,
    };
  }

  /** PSI per feature of the live rows against the champion's training rows. */
  private async drift(versionId: string, live: Row[]): Promise<MonitoringReport['drift']> {
    if (live.length === 0) return { unavailable: 'no predictions in the window' };
    const version = await findVersionById(this.db, versionId);
    const training = version?.trainingData;
    if (!training) return { unavailable: 'the champion version records no training data (uploaded or external)' };
    const reference: Row[] = [];
    const window = { from: training.from ? new Date(training.from) : undefined, to: training.to ? new Date(training.to) : undefined };
    for await (const page of iterateRows(this.db, training.datasetId, window)) {
      reference.push(...page.map((row) => row.data));
      if (reference.length >= MAX_REFERENCE_ROWS) break;
    }
    if (reference.length === 0) return { unavailable: 'the training rows are gone' };
    const { artifact } = await loadVersion(this.db, versionId);
    const column = (rows: Row[], name: string): Cell[] => rows.map((row) => row[name] ?? null);
    const features = artifact.features.map((feature: FeatureSpec) => ({
      feature: feature.name,
      psi: populationStabilityIndex(column(reference, feature.name), column(live, feature.name), 10, feature.kind),
    }));
    return { features, maxPsi: Math.max(...features.map((f) => f.psi)), referenceRows: reference.length, liveRows: live.length };
  }
}
