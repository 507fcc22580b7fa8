/**
 * Population stability index: PSI = Σ over bins of (a − e) · ln(a / e), where e
 * and a are the shares of the expected (reference) and actual rows in the bin.
 * Rules of thumb: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
 *
 * - Numeric (every non-empty value of both sides is a number): `bins` quantile
 *   bins of the expected values. Edges are the expected quantiles at 1/bins,
 *   2/bins, ... (linear interpolation between order statistics, like numpy's
 *   default), duplicates dropped; a value equal to an edge falls in the lower bin.
 * - Categorical: one bin per category seen on either side.
 * - Empty (and, numeric, unparseable) cells share one extra "missing" bin.
 * - A bin empty on one side would make the logarithm infinite: shares below
 *   PSI_EPSILON are raised to PSI_EPSILON.
 */
import { ModelDataError } from '../errors';
import { binIndex, quantileEdges } from '../encoding/quantiles';
import { categoryOfCell, isEmptyCell, parseNumericCell } from '../schema/cell-values';
import type { Cell, FeatureSpec } from '../types';

/** The floor applied to a bin's share before taking the logarithm. */
export const PSI_EPSILON = 1e-4;
/** Default number of quantile bins for numeric values. */
export const DEFAULT_PSI_BINS = 10;

const MISSING_BIN = '\u0000missing';

/** PSI of `actual` against `expected`; `kind` overrides the numeric/categorical detection. */
export function populationStabilityIndex(expected: Cell[], actual: Cell[], bins: number = DEFAULT_PSI_BINS, kind?: FeatureSpec['kind']): number {
  if (expected.length === 0 || actual.length === 0) throw new ModelDataError('PSI needs at least one expected and one actual value');
  if (!Number.isInteger(bins) || bins < 2) throw new ModelDataError(`PSI needs an integer number of bins of at least 2, got ${bins}`);
  const numeric = kind ? kind === 'numeric' : isNumericColumn(expected) && isNumericColumn(actual);
  const binOf = numeric ? numericBinner(expected, bins) : categoricalBin;
  const expectedShares = shares(expected.map(binOf));
  const actualShares = shares(actual.map(binOf));
  let psi = 0;
  for (const bin of new Set([...expectedShares.keys(), ...actualShares.keys()])) {
    const e = Math.max(PSI_EPSILON, expectedShares.get(bin) ?? 0);
    const a = Math.max(PSI_EPSILON, actualShares.get(bin) ?? 0);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

function numericBinner(expected: readonly Cell[], bins: number): (cell: Cell) => string {
  const edges = quantileEdges(
    expected.map((cell) => parseNumericCell(cell)).filter((value): value is number => value !== undefined),
    bins,
  );
  return (cell) => {
    const value = parseNumericCell(cell);
    return value === undefined ? MISSING_BIN : String(binIndex(edges, value));
  };
}

function categoricalBin(cell: Cell): string {
  return isEmptyCell(cell) || (typeof cell !== 'string' && typeof cell !== 'number') ? MISSING_BIN : categoryOfCell(cell);
}

function isNumericColumn(cells: readonly Cell[]): boolean {
  return cells.every((cell) => isEmptyCell(cell) || parseNumericCell(cell) !== undefined);
}

function shares(binsOfRows: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const bin of binsOfRows) counts.set(bin, (counts.get(bin) ?? 0) + 1);
  for (const [bin, count] of counts) counts.set(bin, count / binsOfRows.length);
  return counts;
}
