/**
 * The `check-thresholds` topic's computation: compares a test result with
 * thresholds. Metric paths:
 *
 * - a metric name: "accuracy", "precision", "recall", "f1", "rocAuc", "logLoss",
 *   "rmse", "mae", "r2" (a "metrics." prefix is allowed too);
 * - "fairness.disparateImpact";
 * - "drift.maxPsi", or "drift.psi.<feature>" for one feature;
 * - "rows", the number of test rows.
 *
 * A threshold breaches when the value is below `min` or above `max` (bounds are
 * inclusive), and also when the value is missing (the result has no such metric,
 * e.g. "rmse" on a classification result or drift not measured), null (ROC AUC on
 * a single class) or not a number; the message says which.
 */
import type { TestResult, Threshold, ThresholdBreach, ThresholdCheck } from '../types';

/** Checks every threshold; `passed` is true when there is no breach. */
export function checkThresholds(result: TestResult, thresholds: Threshold[]): ThresholdCheck {
  const breaches: ThresholdBreach[] = [];
  for (const threshold of thresholds) {
    const breach = checkThreshold(result, threshold);
    if (breach) breaches.push(breach);
  }
  return { passed: breaches.length === 0, breaches };
}

function checkThreshold(result: TestResult, threshold: Threshold): ThresholdBreach | undefined {
  const { metric, min, max } = threshold;
  const bounds = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  const breach = (value: number | null, message: string): ThresholdBreach => ({ metric, value, ...bounds, message });
  if ((min !== undefined && !Number.isFinite(min)) || (max !== undefined && !Number.isFinite(max)) || (min === undefined && max === undefined)) {
    return breach(null, `threshold on ${metric} needs a numeric min and/or max`);
  }
  const found = metricValue(result, metric);
  if (found.kind === 'missing') return breach(null, found.message);
  if (found.value === null) return breach(null, `${metric} is null in this test result (it could not be computed on these rows)`);
  const value = found.value;
  if (min !== undefined && value < min) return breach(value, `${metric} ${formatNumber(value)} is below the minimum ${min}`);
  if (max !== undefined && value > max) return breach(value, `${metric} ${formatNumber(value)} is above the maximum ${max}`);
  return undefined;
}

type MetricLookup = { kind: 'found'; value: number | null } | { kind: 'missing'; message: string };

/** Resolves a metric path in a test result. */
export function metricValue(result: TestResult, path: string): MetricLookup {
  const parts = path.split('.');
  if (parts[0] === 'rows' && parts.length === 1) return { kind: 'found', value: result.rows };
  if (parts[0] === 'fairness') {
    if (!result.fairness) return { kind: 'missing', message: `${path} is not in this test result: fairness was not measured (no protected attribute)` };
    return numberAt(result.fairness as unknown as Record<string, unknown>, parts.slice(1).join('.'), path, ['disparateImpact']);
  }
  if (parts[0] === 'drift') {
    if (!result.drift) return { kind: 'missing', message: `${path} is not in this test result: drift was not measured (no reference rows)` };
    if (parts[1] === 'psi' && parts.length > 2) {
      const feature = parts.slice(2).join('.');
      const entry = result.drift.features.find((candidate) => candidate.feature === feature);
      return entry ? { kind: 'found', value: entry.psi } : { kind: 'missing', message: `${path}: "${feature}" is not a feature of this model` };
    }
    return numberAt(result.drift as unknown as Record<string, unknown>, parts.slice(1).join('.'), path, ['maxPsi', 'psi.<feature>']);
  }
  const name = parts[0] === 'metrics' ? parts.slice(1).join('.') : path;
  const available = Object.keys(result.metrics).filter((key) => key !== 'confusionMatrix');
  return numberAt(result.metrics as unknown as Record<string, unknown>, name, path, available, `a ${result.type} result`);
}

function numberAt(source: Record<string, unknown>, key: string, path: string, available: string[], what = 'it'): MetricLookup {
  const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
  if (value === null) return { kind: 'found', value: null };
  if (typeof value === 'number' && !Number.isNaN(value)) return { kind: 'found', value };
  return { kind: 'missing', message: `${path} is not a metric of this test result (${what} has ${available.join(', ')})` };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}
