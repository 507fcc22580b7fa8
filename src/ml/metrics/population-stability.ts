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
  if (actual.length === 0) throw new ModelDataError('PSI needs at least one expected and one actual value');
  const numeric = kind ? kind === 'numeric' : isNumericColumn(expected) && isNumericColumn(actual);
  const counter = new PsiBins(expected, bins, numeric ? 'numeric' : 'categorical');
  for (const cell of actual) counter.add(cell);
  return counter.psi();
}

/**
 * PSI one actual value at a time: the expected (reference) bins are fixed
 * first, the actual values are only counted, so a million of them take no
 * memory. Gives exactly what `populationStabilityIndex` gives for the same
 * values.
 */
export class PsiBins {
  private readonly binOf: (cell: Cell) => string;
  private readonly expected: Map<string, number>;
  private readonly expectedTotal: number;
  /** Bin → count, in the order the bins first occur. */
  private readonly actual = new Map<string, number>();
  private actualTotal = 0;

  constructor(expected: readonly Cell[], bins: number, kind: FeatureSpec['kind']) {
    if (expected.length === 0) throw new ModelDataError('PSI needs at least one expected and one actual value');
    if (!Number.isInteger(bins) || bins < 2) throw new ModelDataError(`PSI needs an integer number of bins of at least 2, got ${bins}`);
    this.binOf = kind === 'numeric' ? numericBinner(expected, bins) : categoricalBin;
    this.expected = new Map();
    for (const cell of expected) countInto(this.expected, this.binOf(cell));
    this.expectedTotal = expected.length;
  }

  add(cell: Cell): void {
    countInto(this.actual, this.binOf(cell));
    this.actualTotal += 1;
  }

  psi(): number {
    if (this.actualTotal === 0) throw new ModelDataError('PSI needs at least one expected and one actual value');
    let psi = 0;
    for (const bin of new Set([...this.expected.keys(), ...this.actual.keys()])) {
      const e = Math.max(PSI_EPSILON, (this.expected.get(bin) ?? 0) / this.expectedTotal);
      const a = Math.max(PSI_EPSILON, (this.actual.get(bin) ?? 0) / this.actualTotal);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
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

function countInto(counts: Map<string, number>, bin: string): void {
  counts.set(bin, (counts.get(bin) ?? 0) + 1);
}
