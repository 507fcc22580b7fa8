/**
 * Random forest (ml-random-forest): classification and regression, seeded.
 *
 * Each tree is a CART tree on a bootstrap sample of the rows and a random subset
 * of the columns (`maxFeatures`). Out-of-bag predictions are skipped (they cost a
 * second pass and are not used). Class probabilities are the mean of the trees'
 * leaf distributions (soft voting) rather than ml.js's `predictProbability`, which
 * counts hard votes and, in 2.1.0, drops the first tree's vote; the predicted class
 * is the most probable one.
 */
import type { CartTreeNode } from 'ml-cart';
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import type { AlgorithmTrainer } from './algorithm-trainer';
import { leafDistribution } from './cart-scoring';
import { useDeduplicatedCartSplits } from './cart-split-candidates';
import { watchArrayAssignments } from './progress-hook';

/** Trains and loads ml-random-forest models. */
export const randomForestTrainer: AlgorithmTrainer = {
  algorithm: 'random-forest',
  supports: ['classification', 'regression'],
  encoding: { style: 'ordinal', scaleNumerics: false, binsHyperparameter: 'maxBins' },
  hyperparameters: {
    maxBins: { default: 32, min: 2, max: 1_000_000, integer: true, description: 'numeric columns with more distinct values are split into this many quantile bins' },
    nEstimators: { default: 30, min: 1, max: 1000, integer: true, description: 'number of trees' },
    maxFeatures: { default: 0.7, min: 0.01, max: 1, integer: false, description: 'share of the columns each tree sees' },
    maxDepth: { default: 10, min: 1, max: 64, integer: true, description: 'maximum depth of each tree' },
    minNumSamples: { default: 20, min: 1, max: 1_000_000, integer: true, description: 'a node with at most this many rows becomes a leaf' },
  },
  fit(matrix, targets, problem) {
    useDeduplicatedCartSplits();
    const { nEstimators, maxFeatures, maxDepth, minNumSamples } = problem.hyperparameters;
    const options = {
      nEstimators,
      maxFeatures,
      // ml.js draws the columns of a classifier's trees with replacement by default; a subset without repeats is the usual forest.
      replacement: false,
      seed: problem.seed,
      useSampleBagging: true,
      noOOB: true,
      treeOptions: { maxDepth, minNumSamples },
    };
    const forest = problem.type === 'classification' ? new RandomForestClassifier(options) : new RandomForestRegression({ ...options, selectionMethod: 'mean' });
    const unwatch = watchArrayAssignments(forest, 'estimators', (index) => problem.onProgress(index / nEstimators));
    try {
      forest.train(matrix, targets);
    } finally {
      unwatch();
    }
    return forest.toJSON();
  },
  load(json, type, classCount) {
    if (type === 'regression') {
      const forest = RandomForestRegression.load(json as Parameters<typeof RandomForestRegression.load>[0]);
      return { type, values: (matrix) => (matrix.length === 0 ? [] : forest.predict(matrix)) };
    }
    const forest = RandomForestClassifier.load(json as Parameters<typeof RandomForestClassifier.load>[0]);
    const trees = (forest.estimators ?? []) as unknown as { root: CartTreeNode }[];
    const columnsOfTree = forest.indexes ?? [];
    if (trees.length === 0 || trees.length !== columnsOfTree.length) throw new Error('the forest has no trees or no column indexes for them');
    return {
      type,
      probabilities(matrix) {
        return matrix.map((row) => {
          const sum = new Array<number>(classCount).fill(0);
          trees.forEach((tree, treeIndex) => {
            const distribution = leafDistribution(tree.root, columnsOfTree[treeIndex].map((column) => row[column]), classCount);
            for (let index = 0; index < classCount; index += 1) sum[index] += distribution[index];
          });
          return sum.map((value) => value / trees.length);
        });
      },
    };
  },
};
