/**
 * Feature encoding: how rows become the numeric matrix an ml.js model reads.
 * Stored in the artifact (`encoding`) so prediction encodes exactly as training did.
 *
 * - Numeric features: an empty (or unparseable) cell becomes the training mean.
 *   With `scaleNumerics` (logistic regression) the value is then standardized with
 *   the training mean and standard deviation (a constant column keeps scale 1).
 * - Numeric features with `binEdges` (trees, when a column has more distinct values
 *   than `maxBins`): the value becomes its quantile bin's index (a value equal to
 *   an edge falls in the lower bin). ml-cart tries a split between every pair of
 *   neighbouring rows whose labels differ, so binning bounds the candidate splits
 *   per column, much as histogram-based tree learners do.
 * - Categorical features, `one-hot` style (logistic regression): one 0/1 column per
 *   training category. An unseen or empty category sets none of them (all zeros):
 *   the feature then adds nothing to the score, which with centred weights is the
 *   "average category".
 * - Categorical features, `ordinal` style (trees): one column holding the category's
 *   code. Codes follow the categories' mean label in training (positive-class rate or
 *   mean target), so a single threshold split can separate low- from high-risk
 *   categories. An unseen or empty category gets `unknownCode` = (k - 1) / 2, the
 *   middle of that order: neither the riskiest nor the safest known category.
 */
import { binIndex, quantileEdges } from './quantiles';
import { categoryOfCell, isEmptyCell, parseNumericCell } from '../schema/cell-values';
import type { Cell, FeatureSpec, Row } from '../types';

/** How categorical features become columns. */
export type EncodingStyle = 'one-hot' | 'ordinal';

/** Encoding of one numeric feature. */
export interface NumericFeatureEncoding {
  name: string;
  kind: 'numeric';
  /** Training mean, imputed for empty cells. */
  mean: number;
  /** Training standard deviation (1 when constant), used when scaling. */
  standardDeviation: number;
  /** Quantile bin edges, ascending; the encoded value is the bin index. */
  binEdges?: number[];
}

/** Encoding of one categorical feature. */
export interface CategoricalFeatureEncoding {
  name: string;
  kind: 'categorical';
  /** Training categories in code order: one-hot column order, or ordinal code = index. */
  codes: string[];
  /** Ordinal only: the code of an unseen or empty category. */
  unknownCode?: number;
}

/** The stored encoding of a model's features. */
export interface FeatureEncoding {
  version: 1;
  style: EncodingStyle;
  scaleNumerics: boolean;
  features: (NumericFeatureEncoding | CategoricalFeatureEncoding)[];
  /** Names of the encoded matrix's columns ("income", "region=north", ...). */
  columns: string[];
}

/**
 * Fits an encoding to training rows. `labelScores[i]` (1/0 for "is the positive
 * class", or the regression target) orders ordinal categories.
 */
export function fitFeatureEncoding(
  rows: readonly Row[],
  specs: readonly FeatureSpec[],
  options: { style: EncodingStyle; scaleNumerics: boolean; labelScores: readonly number[]; maxBins?: number },
): FeatureEncoding {
  const features = specs.map((spec) =>
    spec.kind === 'numeric' ? fitNumeric(rows, spec.name, options.maxBins) : fitCategorical(rows, spec, options.style, options.labelScores),
  );
  const columns = features.flatMap((feature) =>
    feature.kind === 'categorical' && options.style === 'one-hot' ? feature.codes.map((code) => `${feature.name}=${code}`) : [feature.name],
  );
  return { version: 1, style: options.style, scaleNumerics: options.scaleNumerics, features, columns };
}

/** Encodes rows into a matrix with `encoding.columns.length` columns. */
export function encodeRows(encoding: FeatureEncoding, rows: readonly Row[]): number[][] {
  const encoders = encoding.features.map((feature) => cellEncoder(encoding, feature));
  return rows.map((row) => {
    const encoded: number[] = [];
    for (let index = 0; index < encoders.length; index += 1) encoders[index](row[encoding.features[index].name], encoded);
    return encoded;
  });
}

type CellEncoder = (cell: Cell | undefined, into: number[]) => void;

function cellEncoder(encoding: FeatureEncoding, feature: FeatureEncoding['features'][number]): CellEncoder {
  if (feature.kind === 'numeric') {
    const { mean, standardDeviation, binEdges } = feature;
    return (cell, into) => {
      const value = parseNumericCell(cell) ?? mean;
      into.push(binEdges ? binIndex(binEdges, value) : encoding.scaleNumerics ? (value - mean) / standardDeviation : value);
    };
  }
  const codeOf = new Map(feature.codes.map((category, code) => [category, code]));
  const lookup = (cell: Cell | undefined): number | undefined =>
    isEmptyCell(cell) || (typeof cell !== 'string' && typeof cell !== 'number') ? undefined : codeOf.get(categoryOfCell(cell));
  if (encoding.style === 'ordinal') {
    const unknownCode = feature.unknownCode ?? (feature.codes.length - 1) / 2;
    return (cell, into) => {
      into.push(lookup(cell) ?? unknownCode);
    };
  }
  const width = feature.codes.length;
  return (cell, into) => {
    const code = lookup(cell);
    for (let index = 0; index < width; index += 1) into.push(index === code ? 1 : 0);
  };
}

function fitNumeric(rows: readonly Row[], name: string, maxBins: number | undefined): NumericFeatureEncoding {
  const values: number[] = [];
  for (const row of rows) {
    const value = parseNumericCell(row[name]);
    if (value !== undefined) values.push(value);
  }
  const mean = values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
  const variance = values.length > 0 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length : 0;
  const standardDeviation = Math.sqrt(variance);
  const encoding: NumericFeatureEncoding = { name, kind: 'numeric', mean, standardDeviation: standardDeviation > 1e-12 ? standardDeviation : 1 };
  if (maxBins !== undefined && new Set(values).size > maxBins) encoding.binEdges = quantileEdges(values, maxBins);
  return encoding;
}

function fitCategorical(rows: readonly Row[], spec: FeatureSpec, style: EncodingStyle, labelScores: readonly number[]): CategoricalFeatureEncoding {
  const categories = spec.categories ?? [];
  if (style === 'one-hot') return { name: spec.name, kind: 'categorical', codes: [...categories] };
  const totals = new Map(categories.map((category) => [category, { sum: 0, count: 0 }]));
  rows.forEach((row, index) => {
    const cell = row[spec.name];
    if (isEmptyCell(cell) || (typeof cell !== 'string' && typeof cell !== 'number')) return;
    const total = totals.get(categoryOfCell(cell));
    if (total) {
      total.sum += labelScores[index];
      total.count += 1;
    }
  });
  const meanLabel = (category: string): number => {
    const total = totals.get(category);
    return total && total.count > 0 ? total.sum / total.count : 0;
  };
  // Stable sort over the already-sorted categories: equal means keep name order.
  const codes = [...categories].sort((a, b) => meanLabel(a) - meanLabel(b));
  return { name: spec.name, kind: 'categorical', codes, unknownCode: (codes.length - 1) / 2 };
}
