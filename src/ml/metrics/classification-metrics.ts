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

/** Computes every classification metric of the standardized test result. */
export function computeClassificationMetrics(outcomes: ClassificationOutcomes): ClassificationMetrics {
  const { actual, predicted, probabilities, classes, positiveClass } = outcomes;
  if (actual.length !== predicted.length || (probabilities && probabilities.length !== actual.length)) throw new RangeError('classification metrics: arrays differ in length');
  if (actual.length === 0) throw new RangeError('classification metrics need at least one row');
  if (!classes.includes(positiveClass)) throw new RangeError(`positive class ${JSON.stringify(positiveClass)} is not one of the classes`);
  const others = sortCategories([...actual, ...predicted].filter((label) => !classes.includes(label)));
  const labels = [...classes, ...others];
  const indexOf = new Map(labels.map((label, index) => [label, index]));
  const matrix = labels.map(() => labels.map(() => 0));
  actual.forEach((label, row) => {
    matrix[indexOf.get(label) as number][indexOf.get(predicted[row]) as number] += 1;
  });
  const correct = labels.reduce((sum, _label, index) => sum + matrix[index][index], 0);
  const scored = classes.length === 2 ? [positiveClass] : classes;
  const perClass = scored.map((label) => classScores(matrix, indexOf.get(label) as number));
  const aucs = probabilities ? scored.map((label) => rocAuc(probabilities.map((p) => p[label] ?? 0), actual.map((a) => a === label))) : [];
  const definedAucs = aucs.filter((auc): auc is number => auc !== null);
  return {
    accuracy: correct / actual.length,
    precision: mean(perClass.map((scores) => scores.precision)),
    recall: mean(perClass.map((scores) => scores.recall)),
    f1: mean(perClass.map((scores) => scores.f1)),
    rocAuc: definedAucs.length > 0 ? mean(definedAucs) : null,
    logLoss: probabilities ? logLoss(actual, probabilities) : null,
    confusionMatrix: { labels, matrix },
  };
}

/** Mean negative log-likelihood of the actual classes. */
export function logLoss(actual: readonly string[], probabilities: readonly Record<string, number>[]): number {
  let total = 0;
  actual.forEach((label, row) => {
    const p = Math.min(1 - PROBABILITY_CLIP, Math.max(PROBABILITY_CLIP, probabilities[row][label] ?? 0));
    total -= Math.log(p);
  });
  return total / actual.length;
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
