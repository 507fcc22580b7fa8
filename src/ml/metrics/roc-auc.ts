/**
 * Area under the ROC curve: the probability that a random positive row scores
 * higher than a random negative one, ties counting one half (the Mann-Whitney U
 * statistic divided by positives × negatives). Computed from average ranks in
 * O(n log n). null when there are no positives or no negatives. Takes typed
 * arrays too (`isPositive` may hold 0/1).
 */
export function rocAuc(scores: ArrayLike<number>, isPositive: ArrayLike<boolean | number>): number | null {
  if (scores.length !== isPositive.length) throw new RangeError(`rocAuc: ${scores.length} scores for ${isPositive.length} labels`);
  const order = Array.from({ length: scores.length }, (_score, index) => index).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  let position = 0;
  while (position < order.length) {
    let end = position;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[position]]) end += 1;
    const averageRank = (position + end) / 2 + 1;
    for (let index = position; index <= end; index += 1) {
      if (isPositive[order[index]]) {
        positives += 1;
        positiveRankSum += averageRank;
      }
    }
    position = end + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
