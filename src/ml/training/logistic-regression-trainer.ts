/**
 * Logistic regression (ml-logistic-regression, classification only).
 *
 * ml.js fits one-vs-all classifiers by plain gradient ascent on the summed
 * log-likelihood, with no intercept. So this trainer appends a constant column
 * (the intercept) to the encoded matrix, and passes ml.js `learningRate / rows` so
 * the `learningRate` hyperparameter is the step on the mean gradient, independent
 * of the data size (numerics are standardized by the encoding, which keeps 1 stable).
 *
 * ml.js labels a classifier's own class 0, so `testScores` is the probability of
 * NOT being that class; class probabilities are 1 − score, normalized to sum to 1.
 */
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import type { AlgorithmTrainer } from './algorithm-trainer';
import { watchArrayAssignments } from './progress-hook';

/** Trains and loads ml-logistic-regression models (with an intercept). */
export const logisticRegressionTrainer: AlgorithmTrainer = {
  algorithm: 'logistic-regression',
  supports: ['classification'],
  encoding: { style: 'one-hot', scaleNumerics: true },
  hyperparameters: {
    numSteps: { default: 300, min: 1, max: 1_000_000, integer: true, description: 'gradient steps per one-vs-all classifier' },
    learningRate: { default: 1, min: 1e-6, max: 10, integer: false, description: 'step size on the mean log-likelihood gradient' },
  },
  fit(matrix, targets, problem) {
    const { numSteps, learningRate } = problem.hyperparameters;
    const model = new LogisticRegression({ numSteps, learningRate: learningRate / matrix.length });
    const unwatch = watchArrayAssignments(model, 'classifiers', (index) => problem.onProgress(index / problem.classCount));
    try {
      model.train(new Matrix(withIntercept(matrix)), Matrix.columnVector(targets));
    } finally {
      unwatch();
    }
    return model.toJSON();
  },
  load(json, _type, classCount) {
    const model = LogisticRegression.load(json);
    if (model.classifiers.length !== classCount) {
      throw new Error(`the model has ${model.classifiers.length} one-vs-all classifiers for ${classCount} classes`);
    }
    return {
      type: 'classification',
      probabilities(matrix) {
        if (matrix.length === 0) return [];
        const features = new Matrix(withIntercept(matrix));
        const notClassScores = model.classifiers.map((classifier) => classifier.testScores(features));
        return matrix.map((_row, rowIndex) => {
          const raw = notClassScores.map((scores) => 1 - scores[rowIndex]);
          const total = raw.reduce((sum, value) => sum + value, 0);
          return total > 0 ? raw.map((value) => value / total) : raw.map(() => 1 / raw.length);
        });
      },
    };
  },
};

function withIntercept(matrix: number[][]): number[][] {
  return matrix.map((row) => [...row, 1]);
}
