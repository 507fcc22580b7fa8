import type { FeatureSpec, Row } from '../types';
import { categoryOfCell, isEmptyCell, parseNumericCell, sortCategories } from './cell-values';

/**
 * Infers the feature specs of tabular rows: one spec per column (in first-seen
 * order, the label column left out). A column is numeric when it has at least one
 * non-empty value and every non-empty value parses as a number; otherwise it is
 * categorical and lists its sorted distinct values.
 */
export function inferSchema(rows: Row[], label?: string): FeatureSpec[] {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const column of Object.keys(row)) {
      if (!seen.has(column)) {
        seen.add(column);
        if (column !== label) columns.push(column);
      }
    }
  }
  return columns.map((column) => inferFeature(rows, column));
}

/** The spec of one column of `rows`. */
export function inferFeature(rows: readonly Row[], column: string): FeatureSpec {
  let nonEmpty = 0;
  let numeric = true;
  for (const row of rows) {
    const cell = row[column];
    if (isEmptyCell(cell)) continue;
    nonEmpty += 1;
    if (parseNumericCell(cell) === undefined) {
      numeric = false;
      break;
    }
  }
  if (nonEmpty > 0 && numeric) return { name: column, kind: 'numeric' };
  return { name: column, kind: 'categorical', categories: categoriesOf(rows, column) };
}

/** Sorted distinct non-empty values of a column. */
export function categoriesOf(rows: readonly Row[], column: string): string[] {
  const values = new Set<string>();
  for (const row of rows) {
    const cell = row[column];
    if (!isEmptyCell(cell) && (typeof cell === 'string' || typeof cell === 'number')) values.add(categoryOfCell(cell));
  }
  return sortCategories(values);
}
