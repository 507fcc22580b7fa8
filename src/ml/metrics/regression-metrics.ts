import type { RegressionMetrics } from '../types';

/**
 * RMSE, MAE and R² = 1 − SS_res / SS_tot. When the actual values are constant
 * (SS_tot = 0) R² is 1 for perfect predictions and 0 otherwise, as scikit-learn does.
 */
export function computeRegressionMetrics(actual: readonly number[], predicted: readonly number[]): RegressionMetrics {
  if (actual.length !== predicted.length) throw new RangeError(`regression metrics: ${actual.length} actual values for ${predicted.length} predictions`);
  if (actual.length === 0) throw new RangeError('regression metrics need at least one row');
  const count = actual.length;
  const actualMean = actual.reduce((sum, value) => sum + value, 0) / count;
  let squaredErrors = 0;
  let absoluteErrors = 0;
  let totalSquares = 0;
  actual.forEach((value, index) => {
    const error = value - predicted[index];
    squaredErrors += error * error;
    absoluteErrors += Math.abs(error);
    totalSquares += (value - actualMean) ** 2;
  });
  const r2 = totalSquares === 0 ? (squaredErrors === 0 ? 1 : 0) : 1 - squaredErrors / totalSquares;
  return { rmse: Math.sqrt(squaredErrors / count), mae: absoluteErrors / count, r2 };
}
