import type { RegressionMetrics } from '../types';

/**
 * RMSE, MAE and R² = 1 − SS_res / SS_tot. When the actual values are constant
 * (SS_tot = 0) R² is 1 for perfect predictions and 0 otherwise, as scikit-learn does.
 */
export function computeRegressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  if (actual.length !== predicted.length) throw new RangeError(`regression metrics: ${actual.length} actual values for ${predicted.length} predictions`);
  if (actual.length === 0) throw new RangeError('regression metrics need at least one row');
  const count = actual.length;
  let sum = 0;
  for (let index = 0; index < count; index += 1) sum += actual[index];
  const actualMean = sum / count;
  let squaredErrors = 0;
  let absoluteErrors = 0;
  let totalSquares = 0;
  for (let index = 0; index < count; index += 1) {
    const error = actual[index] - predicted[index];
    squaredErrors += error * error;
    absoluteErrors += Math.abs(error);
    totalSquares += (actual[index] - actualMean) ** 2;
  }
  const r2 = totalSquares === 0 ? (squaredErrors === 0 ? 1 : 0) : 1 - squaredErrors / totalSquares;
  return { rmse: Math.sqrt(squaredErrors / count), mae: absoluteErrors / count, r2 };
}
