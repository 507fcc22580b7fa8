/**
 * A result-preserving speed-up of ml-cart 2.1.
 *
 * For each column of each node, ml-cart's `TreeNode.featureSplit` proposes a split
 * value between every two neighbouring rows (sorted by the column) whose labels
 * differ, and `bestSplit` then evaluates each proposal over all the node's rows.
 * Rows with equal values propose the same split over and over: on 2,000 rows a
 * random forest spent ~90% of its time re-evaluating duplicates. This replacement
 * proposes the same values in the same order with consecutive duplicates dropped
 * (the values are ascending, so those are all the duplicates). `bestSplit` keeps
 * the first best proposal, so the trees are identical, only built faster; with
 * binned numeric columns (see feature-encoding.ts) a node evaluates at most ~2
 * proposals per bin instead of ~one per row.
 *
 * It replaces the method on ml-cart's TreeNode prototype, which is shared by
 * ml-random-forest (it depends on the same ml-cart), once per process.
 */
import { DecisionTreeClassifier } from 'ml-cart';

type FeatureSplit = (values: number[], labels: number[]) => number[];

const PATCHED = Symbol.for('stagegate.ml.cart-deduplicated-splits');

/** ml-cart's own `featureSplit`, kept for the equivalence test. */
export let originalFeatureSplit: FeatureSplit | undefined;

/** The deduplicated split proposals (see the module comment). */
export function deduplicatedFeatureSplit(values: number[], labels: number[]): number[] {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const proposals: number[] = [];
  for (let index = 1; index < order.length; index += 1) {
    const previous = order[index - 1];
    const current = order[index];
    if (labels[previous] === labels[current]) continue;
    const proposal = (values[previous] + values[current]) / 2;
    if (proposals.length === 0 || proposals[proposals.length - 1] !== proposal) proposals.push(proposal);
  }
  return proposals;
}

/** Installs `deduplicatedFeatureSplit` on ml-cart's TreeNode (idempotent). */
export function useDeduplicatedCartSplits(): void {
  const loaded = DecisionTreeClassifier.load({ name: 'DTClassifier', options: {}, root: { distribution: [[1]] } }) as unknown as { root: object };
  const treeNodePrototype = Object.getPrototypeOf(loaded.root) as Record<string | symbol, unknown>;
  if (treeNodePrototype[PATCHED] || typeof treeNodePrototype.featureSplit !== 'function') return;
  originalFeatureSplit = treeNodePrototype.featureSplit as FeatureSplit;
  treeNodePrototype.featureSplit = deduplicatedFeatureSplit;
  treeNodePrototype[PATCHED] = true;
}
