/**
 * Classification metrics from actual and predicted classes (and, when the model
 * gives them, class probabilities).
 *
 * - Two classes: precision, recall and F1 are those of the positive class, ROC AUC
 *   ranks rows by the positive class's probability.
 * - More classes: precision, recall, F1 and ROC AUC (one-vs-rest) are macro
 *   averages over the model's classes (ROC AUC over the classes it is defined for).
 * - A ratio whose denominator is zero (no predicted positives, say) is 0.
 * - Log loss is the mean of −ln p(actual class), p clipped to [1e-15, 1 − 1e-15];
 *   an actual label the model does not know has p = 0.
 * - The confusion matrix has a row per actual and a column per predicted label:
 *   the model's classes, then any other label seen, sorted.
 */
import { sortCategories } from '../schema/cell-values';
import type { ClassificationMetrics } from '../types';
import { rocAuc } from './roc-auc';

const PROBABILITY_CLIP = 1e-15;

/** Inputs of `computeClassificationMetrics`; arrays are aligned by row. */
export interface ClassificationOutcomes {
  actual: readonly string[];
  predicted: readonly string[];
  /** Per row, class → probability; omit when the model gives none. */
  probabilities?: readonly Record<string, number>[];
  classes: readonly string[];
  positiveClass: string;
}

/**
 * Classification outcomes already counted: what a test over many rows keeps
 * instead of its rows (`TestAccumulator`).
 */
export interface CountedClassification {
  rows: number;
  /** Actual label → predicted label → rows. */
  counts: ReadonlyMap<string, ReadonlyMap<string, number>>;
  classes: readonly string[];
  positiveClass: string;
  /** ROC AUC of one class against the rest (null where undefined); absent when the model gives no probabilities. */
  aucOf?: (label: string) => number | null;
  logLoss: number | null;
}

/** Computes every classification metric of the standardized test result. */
export function computeClassificationMetrics(outcomes: ClassificationOutcomes): ClassificationMetrics {
  const { actual, predicted, probabilities, classes, positiveClass } = outcomes;
  if (actual.length !== predicted.length || (probabilities && probabilities.length !== actual.length)) throw new RangeError('classification metrics: arrays differ in length');
  const counts = new Map<string, Map<string, number>>();
  actual.forEach((label, row) => {
    const byPredicted = counts.get(label) ?? counts.set(label, new Map()).get(label)!;
    byPredicted.set(predicted[row], (byPredicted.get(predicted[row]) ?? 0) + 1);
  });
  return classificationMetricsFromCounts({
    rows: actual.length,
    counts,
    classes,
    positiveClass,
    ...(probabilities ? { aucOf: (label: string) => rocAuc(probabilities.map((p) => p[label] ?? 0), actual.map((a) => a === label)) } : {}),
    logLoss: probabilities && actual.length > 0 ? logLoss(actual, probabilities) : null,
  });
}

/** The same metrics from counted outcomes. */
export function classificationMetricsFromCounts(outcomes: CountedClassification): ClassificationMetrics {
  const { rows, counts, classes, positiveClass, aucOf } = outcomes;
  if (rows === 0) throw new RangeError('classification metrics need at least one row');
  if (!classes.includes(positiveClass)) throw new RangeError(`positive class ${JSON.stringify(positiveClass)} is not one of the classes`);
  const seen = [...counts].flatMap(([label, byPredicted]) => [label, ...byPredicted.keys()]);
  const labels = [...classes, ...sortCategories(seen.filter((label) => !classes.includes(label)))];
  const indexOf = new Map(labels.map((label, index) => [label, index]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (const [label, byPredicted] of counts) {
    for (const [predicted, count] of byPredicted) matrix[indexOf.get(label) as number][indexOf.get(predicted) as number] += count;
  }
  const correct = labels.reduce((sum, _label, index) => sum + matrix[index][index], 0);
  const scored = classes.length === 2 ? [positiveClass] : classes;
  const perClass = scored.map((label) => classScores(matrix, indexOf.get(label) as number));
  const aucs = aucOf ? scored.map(aucOf) : [];
  const definedAucs = aucs.filter((auc): auc is number => auc !== null);
  return {
    accuracy: correct / rows,
    precision: mean(perClass.map((scores) => scores.precision)),
    recall: mean(perClass.map((scores) => scores.recall)),
    f1: mean(perClass.map((scores) => scores.f1)),
    rocAuc: definedAucs.length > 0 ? mean(definedAucs) : null,
    logLoss: outcomes.logLoss,
    confusionMatrix: { labels, matrix },
  };
}

/** Mean negative log-likelihood of the actual classes. */
export function logLoss(actual: readonly string[], probabilities: readonly Record<string, number>[]): number {
  return meanLogLoss(actual.length, (row) => probabilities[row][actual[row]] ?? 0);
}

/** Mean −ln p over rows 0..rows−1, p (the probability of the row's actual class) clipped. */
export function meanLogLoss(rows: number, probabilityOfActual: (row: number) => number): number {
  let total = 0;
  for (let row = 0; row < rows; row += 1) {
    const p = Math.min(1 - PROBABILITY_CLIP, Math.max(PROBABILITY_CLIP, probabilityOfActual(row)));
    total -= Math.log(p);
  }
  return total / rows;
}

function classScores(matrix: number[][], index: number): { precision: number; recall: number; f1: number } {
  const truePositives = matrix[index][index];
  const predictedPositives = matrix.reduce((sum, row) => sum + row[index], 0);
  const actualPositives = matrix[index].reduce((sum, count) => sum + count, 0);
  const precision = ratio(truePositives, predictedPositives);
  const recall = ratio(truePositives, actualPositives);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
