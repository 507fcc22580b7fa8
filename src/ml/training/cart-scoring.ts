import type { CartTreeNode } from 'ml-cart';

/**
 * The class distribution of the leaf a row falls in. ml-cart's `predict` only
 * gives the majority class; the leaf distribution is what makes probabilities
 * (and so ROC AUC and log loss) meaningful for trees. ml-cart sizes a leaf's
 * vector by the highest class index present in it, so it is padded to `classCount`.
 */
export function leafDistribution(root: CartTreeNode, row: ArrayLike<number>, classCount: number): number[] {
  const leaf = root.classify(row);
  const distribution = new Array<number>(classCount).fill(0);
  if (typeof leaf === 'number') return distribution;
  const values = leaf.to1DArray();
  for (let index = 0; index < Math.min(values.length, classCount); index += 1) distribution[index] = values[index];
  return distribution;
}
