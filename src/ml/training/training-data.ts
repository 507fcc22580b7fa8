/**
 * Reads the label and feature columns of training rows, rejecting data a model
 * cannot be trained on with a message that says which rows and what is wrong.
 */
import { ModelDataError } from '../errors';
import { categoriesOf, inferFeature } from '../schema/infer-schema';
import { categoryOfCell, isEmptyCell, parseNumericCell, sortCategories } from '../schema/cell-values';
import type { FeatureSpec, ModelType, Row } from '../types';

/** More distinct labels than this is almost certainly a regression target given as classification. */
export const MAX_CLASSES = 100;
/** More categories than this makes one-hot encoding impractical (and is usually an id or timestamp column). */
export const MAX_CATEGORIES = 1000;

/** The label column read as training targets. */
export type TrainingTargets =
  | { type: 'classification'; classes: string[]; positiveClass: string; classIndexes: number[] }
  | { type: 'regression'; values: number[] };

/** Reads the label of every row; classification targets become indexes into the sorted classes. */
export function readTargets(rows: readonly Row[], label: string, type: ModelType, positiveClass?: string): TrainingTargets {
  const empty = rowsWhere(rows, (row) => isEmptyCell(row[label]));
  if (empty.length > 0) throw new ModelDataError(`label "${label}" is empty in ${empty.length} row(s) (first: ${describeRows(empty)})`, { label, rows: empty.slice(0, 20) });
  if (type === 'regression') {
    const notNumeric = rowsWhere(rows, (row) => parseNumericCell(row[label]) === undefined);
    if (notNumeric.length > 0) {
      const example = JSON.stringify(rows[notNumeric[0]][label]);
      throw new ModelDataError(`regression label "${label}" is not a number in ${notNumeric.length} row(s) (first: row ${notNumeric[0]}, ${example})`, {
        label,
        rows: notNumeric.slice(0, 20),
      });
    }
    return { type, values: rows.map((row) => parseNumericCell(row[label]) as number) };
  }
  const labels = rows.map((row) => categoryOfCell(row[label] as string | number));
  const classes = sortCategories(labels);
  if (classes.length < 2) throw new ModelDataError(`label "${label}" has a single class (${JSON.stringify(classes[0])}); classification needs at least two`);
  if (classes.length > MAX_CLASSES) {
    throw new ModelDataError(`label "${label}" has ${classes.length} distinct values; classification supports at most ${MAX_CLASSES} (is it a regression target?)`);
  }
  const chosen = positiveClass ?? classes[1];
  if (!classes.includes(chosen)) throw new ModelDataError(`positiveClass ${JSON.stringify(chosen)} is not a class of "${label}" (classes: ${classes.join(', ')})`);
  const indexOf = new Map(classes.map((name, index) => [name, index]));
  return { type, classes, positiveClass: chosen, classIndexes: labels.map((name) => indexOf.get(name) as number) };
}

/** The spec of every feature: inferred from the rows unless `kinds` says otherwise. */
export function readFeatureSpecs(rows: readonly Row[], features: readonly string[], kinds: Readonly<Record<string, FeatureSpec['kind']>>): FeatureSpec[] {
  return features.map((name) => {
    if (!rows.some((row) => !isEmptyCell(row[name]))) throw new ModelDataError(`feature "${name}" has no values in the training rows (is the column name right?)`);
    const kind = kinds[name];
    const spec: FeatureSpec = kind === 'categorical' ? { name, kind, categories: categoriesOf(rows, name) } : inferFeature(rows, name);
    if (kind === 'numeric' && spec.kind !== 'numeric') {
      const bad = rowsWhere(rows, (row) => !isEmptyCell(row[name]) && parseNumericCell(row[name]) === undefined);
      throw new ModelDataError(`numeric feature "${name}" is not a number in ${bad.length} row(s) (first: row ${bad[0]}, ${JSON.stringify(rows[bad[0]][name])})`);
    }
    if (spec.kind === 'categorical' && (spec.categories?.length ?? 0) > MAX_CATEGORIES) {
      throw new ModelDataError(`categorical feature "${name}" has ${spec.categories?.length} categories (at most ${MAX_CATEGORIES}); is it an id or a timestamp?`);
    }
    return spec;
  });
}

function rowsWhere(rows: readonly Row[], predicate: (row: Row) => boolean): number[] {
  const indexes: number[] = [];
  rows.forEach((row, index) => {
    if (predicate(row)) indexes.push(index);
  });
  return indexes;
}

function describeRows(indexes: readonly number[]): string {
  return indexes.slice(0, 5).join(', ') + (indexes.length > 5 ? ', ...' : '');
}
