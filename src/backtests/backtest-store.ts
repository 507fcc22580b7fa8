/**
 * SQL for `backtests`: the backtest history of deployments.
 *
 * Glossary
 * - backtest: the deployed champion version of a deployment tested on a
 *   window of labeled data (by default the previous day), with the model's
 *   thresholds checked against the standardized test result.
 * - status: `ok` (within thresholds), `breached` (some threshold breached),
 *   `no_data` (no labeled rows in the window: nothing was tested).
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import type { TestResult, Threshold, ThresholdBreach } from '../ml';

type Db = Database | Knex.Transaction;

export type BacktestStatus = 'ok' | 'breached' | 'no_data';

export interface Backtest {
  id: string;
  deploymentId: string;
  deploymentName: string;
  modelId: string;
  versionId: string;
  versionNumber: number;
  datasetId: string;
  window: { from: Date | null; to: Date | null };
  status: BacktestStatus;
  rows: number;
  result: TestResult | null;
  thresholds: Threshold[];
  breaches: ThresholdBreach[];
  jobId: string | null;
  processInstanceId: string | null;
  createdAt: Date;
}

export type NewBacktest = Omit<Backtest, 'id' | 'createdAt'> & { idempotencyKey: string | null };

const toBacktest = (row: Record<string, any>): Backtest => ({
  id: row.id,
  deploymentId: row.deployment_id,
  deploymentName: row.deployment_name,
  modelId: row.model_id,
  versionId: row.version_id,
  versionNumber: row.version_number,
  datasetId: row.dataset_id,
  window: { from: row.window_from ? new Date(row.window_from) : null, to: row.window_to ? new Date(row.window_to) : null },
  status: row.status,
  rows: row.rows,
  result: row.result ?? null,
  thresholds: row.thresholds ?? [],
  breaches: row.breaches ?? [],
  jobId: row.job_id,
  processInstanceId: row.process_instance_id,
  createdAt: new Date(row.created_at),
});

/** Stores a backtest; with an idempotency key already stored, returns that row instead. */
export async function insertBacktest(trx: Knex.Transaction, backtest: NewBacktest): Promise<Backtest> {
  if (backtest.idempotencyKey) {
    const existing = await findBacktestByKey(trx, backtest.idempotencyKey);
    if (existing) return existing;
  }
  const [row] = await trx('backtests')
    .insert({
      id: crypto.randomUUID(),
      deployment_id: backtest.deploymentId,
      deployment_name: backtest.deploymentName,
      model_id: backtest.modelId,
      version_id: backtest.versionId,
      version_number: backtest.versionNumber,
      dataset_id: backtest.datasetId,
      window_from: backtest.window.from,
      window_to: backtest.window.to,
      status: backtest.status,
      rows: backtest.rows,
      result: backtest.result ? JSON.stringify(backtest.result) : null,
      thresholds: JSON.stringify(backtest.thresholds),
      breaches: JSON.stringify(backtest.breaches),
      job_id: backtest.jobId,
      process_instance_id: backtest.processInstanceId,
      idempotency_key: backtest.idempotencyKey,
    })
    .returning('*');
  return toBacktest(row);
}

export async function findBacktestByKey(db: Db, idempotencyKey: string): Promise<Backtest | null> {
  const row = await db('backtests').where({ idempotency_key: idempotencyKey }).first();
  return row ? toBacktest(row) : null;
}

export interface BacktestFilter {
  status?: BacktestStatus;
  since?: Date;
  limit: number;
  offset: number;
}

/** A deployment's backtests, newest first. */
export async function listBacktests(db: Db, deploymentId: string, filter: BacktestFilter): Promise<{ items: Backtest[]; total: number }> {
  const base = () => {
    const query = db('backtests').where({ deployment_id: deploymentId });
    if (filter.status) query.andWhere({ status: filter.status });
    if (filter.since) query.andWhere('created_at', '>=', filter.since);
    return query;
  };
  const [rows, [{ count }]] = await Promise.all([
    base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit).offset(filter.offset).select('*'),
    base().count({ count: '*' }),
  ]);
  return { items: rows.map(toBacktest), total: Number(count) };
}
