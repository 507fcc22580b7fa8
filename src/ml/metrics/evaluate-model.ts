/**
 * The `test` topic's computation: scores labeled rows with a model and builds the
 * one standardized test result (metrics, and optionally fairness and drift).
 */
import { ModelDataError } from '../errors';
import { categoryOfCell, columnOf, isEmptyCell, parseNumericCell } from '../schema/cell-values';
import type { DriftResult, EvaluateOptions, FairnessResult, Prediction, Predictor, Row, TestMetrics, TestResult } from '../types';
import { computeClassificationMetrics } from './classification-metrics';
import { computeFairness, MISSING_GROUP } from './fairness';
import { DEFAULT_PSI_BINS, populationStabilityIndex } from './population-stability';
import { computeRegressionMetrics } from './regression-metrics';

/** The standardized test schema version. */
export const TEST_RESULT_SCHEMA = 'stagegate-test-result/1';

/**
 * Tests `predictor` on labeled `rows` (every row needs the label; extra columns are
 * ignored). Fairness needs a classification model and `protectedAttribute`; drift
 * is measured when `referenceRows` are given, per feature, as PSI of `rows`
 * against `referenceRows`.
 */
export function evaluateModel(predictor: Predictor, rows: Row[], options: EvaluateOptions = {}): TestResult {
  const { artifact } = predictor;
  if (!Array.isArray(rows) || rows.length === 0) throw new ModelDataError('no rows to test the model on');
  const predictions = predictor.predict(rows);
  const result: TestResult = {
    schema: TEST_RESULT_SCHEMA,
    type: artifact.type,
    rows: rows.length,
    metrics: computeTestMetrics(predictor, rows, predictions),
    evaluatedAt: options.evaluatedAt ?? new Date().toISOString(),
  };
  if (options.protectedAttribute !== undefined) result.fairness = measureFairness(predictor, rows, predictions, options);
  if (options.referenceRows !== undefined) result.drift = measureDrift(predictor, rows, options.referenceRows, options.driftBins ?? DEFAULT_PSI_BINS);
  return result;
}

/** Metrics of `predictions` against the label column of `rows`. */
export function computeTestMetrics(predictor: Predictor, rows: readonly Row[], predictions: readonly Prediction[]): TestMetrics {
  const { artifact } = predictor;
  const labels = columnOf(rows, artifact.label);
  const empty = labels.findIndex((cell) => isEmptyCell(cell));
  if (empty >= 0) throw new ModelDataError(`label "${artifact.label}" is empty in row ${empty}; every test row needs one`);
  if (artifact.type === 'regression') {
    const actual = labels.map((cell) => parseNumericCell(cell));
    const bad = actual.findIndex((value) => value === undefined);
    if (bad >= 0) throw new ModelDataError(`label "${artifact.label}" is not a number in row ${bad} (${JSON.stringify(labels[bad])})`);
    return computeRegressionMetrics(actual as number[], predictions.map((prediction) => Number(prediction.value)));
  }
  const classes = artifact.classes ?? [];
  const probabilities = predictions.every((prediction) => prediction.probabilities) ? predictions.map((prediction) => prediction.probabilities as Record<string, number>) : undefined;
  return computeClassificationMetrics({
    actual: labels.map((cell) => categoryOfCell(cell as string | number)),
    predicted: predictions.map((prediction) => String(prediction.value)),
    probabilities,
    classes,
    positiveClass: artifact.positiveClass ?? classes[1],
  });
}

function measureFairness(predictor: Predictor, rows: readonly Row[], predictions: readonly Prediction[], options: EvaluateOptions): FairnessResult {
  const { artifact } = predictor;
  const attribute = options.protectedAttribute as string;
  if (artifact.type !== 'classification') throw new ModelDataError(`fairness over "${attribute}" needs a classification model; this one does ${artifact.type}`);
  if (!rows.some((row) => Object.prototype.hasOwnProperty.call(row, attribute))) throw new ModelDataError(`protected attribute "${attribute}" is not a column of the test rows`);
  const outcome = options.favorableClass ?? artifact.positiveClass ?? (artifact.classes ?? [])[1];
  if (!(artifact.classes ?? []).includes(outcome)) throw new ModelDataError(`favorableClass ${JSON.stringify(outcome)} is not a class of the model (${(artifact.classes ?? []).join(', ')})`);
  return computeFairness({
    protectedAttribute: attribute,
    groups: rows.map((row) => {
      const cell = row[attribute];
      return isEmptyCell(cell) || (typeof cell !== 'string' && typeof cell !== 'number') ? MISSING_GROUP : categoryOfCell(cell);
    }),
    favorable: predictions.map((prediction) => String(prediction.value) === outcome),
    privilegedGroup: options.privilegedGroup,
    outcome,
  });
}

function measureDrift(predictor: Predictor, rows: readonly Row[], referenceRows: readonly Row[], bins: number): DriftResult {
  if (!Array.isArray(referenceRows) || referenceRows.length === 0) throw new ModelDataError('referenceRows is empty; drift needs rows to compare against');
  const features = predictor.artifact.features.map((feature) => ({
    feature: feature.name,
    psi: populationStabilityIndex(columnOf(referenceRows, feature.name), columnOf(rows, feature.name), bins, feature.kind),
  }));
  return { features, maxPsi: Math.max(...features.map((entry) => entry.psi)) };
}
