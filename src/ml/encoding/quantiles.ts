/**
 * Quantile edges of `values` splitting them into `bins` bins: the quantiles at
 * 1/bins, 2/bins, ... (linear interpolation between order statistics, numpy's
 * default), duplicates dropped, ascending.
 */
export function quantileEdges(values: readonly number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let index = 1; index < bins; index += 1) {
    const position = ((sorted.length - 1) * index) / bins;
    const below = Math.floor(position);
    const above = Math.min(below + 1, sorted.length - 1);
    const edge = sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** The bin of `value` among ascending `edges`: the number of edges below it (a value equal to an edge falls in the lower bin). */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (edges[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
