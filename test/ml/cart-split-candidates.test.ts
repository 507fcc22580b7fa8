/**
 * The ml-cart speed-up must not change a single tree: same split proposals (minus
 * repeats) and byte-identical models with and without it.
 */
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import { createSeededRandom } from '../../src/ml/data/seeded-random';
import { deduplicatedFeatureSplit, originalFeatureSplit, useDeduplicatedCartSplits } from '../../src/ml/training/cart-split-candidates';

useDeduplicatedCartSplits();
const treeNodePrototype = Object.getPrototypeOf(
  (DecisionTreeClassifier.load({ name: 'DTClassifier', options: {}, root: { distribution: [[1]] } }) as unknown as { root: object }).root,
) as { featureSplit: unknown };

function withOriginalSplits<T>(run: () => T): T {
  treeNodePrototype.featureSplit = originalFeatureSplit;
  try {
    return run();
  } finally {
    treeNodePrototype.featureSplit = deduplicatedFeatureSplit;
  }
}

const random = createSeededRandom(99);
const matrix = Array.from({ length: 300 }, () => [Math.floor(random.next() * 12), Math.round(random.normal(0, 1) * 10) / 10, Math.floor(random.next() * 3)]);
const classes = matrix.map((row) => (row[0] + row[2] * 3 + random.normal(0, 3) > 8 ? 1 : 0));
const values = matrix.map((row) => row[0] * 2 + row[1] + random.normal(0, 1));

describe('deduplicated ml-cart split proposals', () => {
  it('is installed on ml-cart', () => {
    expect(treeNodePrototype.featureSplit).toBe(deduplicatedFeatureSplit);
    expect(typeof originalFeatureSplit).toBe('function');
  });

  it('proposes the same values as ml-cart, without repeats', () => {
    const column = matrix.map((row) => row[0]);
    const original = (originalFeatureSplit as (x: number[], y: number[]) => number[]).call({ splitFunction: 'mean' }, column, classes);
    expect(original.length).toBeGreaterThan(50);
    expect(deduplicatedFeatureSplit(column, classes)).toEqual(original.filter((value, i) => i === 0 || value !== original[i - 1]));
  });

  it('builds byte-identical classification and regression trees', () => {
    const options = { maxDepth: 6, minNumSamples: 5 };
    const train = (Tree: typeof DecisionTreeClassifier | typeof DecisionTreeRegression, targets: number[]) => {
      const tree = new Tree(options);
      tree.train(matrix, targets);
      return JSON.stringify(tree.toJSON());
    };
    expect(train(DecisionTreeClassifier, classes)).toBe(withOriginalSplits(() => train(DecisionTreeClassifier, classes)));
    expect(train(DecisionTreeRegression, values)).toBe(withOriginalSplits(() => train(DecisionTreeRegression, values)));
  });
});
