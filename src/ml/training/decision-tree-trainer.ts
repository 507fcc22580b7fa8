/**
 * Decision tree (ml-cart CART): classification (gini) and regression (squared
 * error). Deterministic: ml-cart has no randomness, so the seed is not used.
 * Class probabilities are the training class shares of the row's leaf.
 */
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import type { AlgorithmTrainer } from './algorithm-trainer';
import { leafDistribution } from './cart-scoring';
import { useDeduplicatedCartSplits } from './cart-split-candidates';

/** Trains and loads ml-cart decision trees. */
export const decisionTreeTrainer: AlgorithmTrainer = {
  algorithm: 'decision-tree',
  supports: ['classification', 'regression'],
  encoding: { style: 'ordinal', scaleNumerics: false, binsHyperparameter: 'maxBins' },
  hyperparameters: {
    maxBins: { default: 32, min: 2, max: 1_000_000, integer: true, description: 'numeric columns with more distinct values are split into this many quantile bins' },
    maxDepth: { default: 6, min: 1, max: 64, integer: true, description: 'maximum depth of the tree' },
    minNumSamples: { default: 20, min: 1, max: 1_000_000, integer: true, description: 'a node with at most this many rows becomes a leaf' },
    gainThreshold: { default: 0.001, min: 0, max: 1, integer: false, description: 'classification: minimum gini gain to split a node' },
  },
  fit(matrix, targets, problem) {
    useDeduplicatedCartSplits();
    const { maxDepth, minNumSamples, gainThreshold } = problem.hyperparameters;
    const tree =
      problem.type === 'classification'
        ? new DecisionTreeClassifier({ maxDepth, minNumSamples, gainThreshold })
        : new DecisionTreeRegression({ maxDepth, minNumSamples });
    tree.train(matrix, targets);
    return tree.toJSON();
  },
  load(json, type, classCount) {
    if (type === 'classification') {
      const tree = DecisionTreeClassifier.load(json);
      return { type, probabilities: (matrix) => matrix.map((row) => leafDistribution(tree.root, row, classCount)) };
    }
    const tree = DecisionTreeRegression.load(json);
    return { type, values: (matrix) => (matrix.length === 0 ? [] : tree.predict(matrix)) };
  },
};
