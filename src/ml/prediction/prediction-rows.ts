/**
 * Reads rows sent for prediction against a model's features. One set of rules for
 * `checkInput` and `Predictor.predict`:
 *
 * - a row must be an object; every feature must be present as a key;
 * - an empty value (null, '') is allowed: numeric features get the training mean,
 *   categorical ones the "unknown" encoding;
 * - numeric features take numbers or numeric strings ("42"); anything else is a problem;
 * - categorical features take strings or numbers (3 is the category "3"); other
 *   types are a problem. A category not seen in training is allowed, scored with
 *   the "unknown" encoding, and reported as a warning;
 * - columns that are not features are a problem unless `ignoreExtraColumns`; the
 *   model's label column is always tolerated (and ignored), so labeled rows can be scored.
 */
import { categoryOfCell, isEmptyCell, parseNumericCell } from '../schema/cell-values';
import type { FeatureSpec, InputProblem, Row } from '../types';

/** Problems beyond this many are not listed one by one. */
export const MAX_LISTED_PROBLEMS = 1000;

/** The readable part of the input, and what is wrong with the rest. */
export interface PredictionRows {
  rows: Row[];
  problems: InputProblem[];
  warnings: InputProblem[];
}

/** Reads `input` as rows of `features`; see the module comment for the rules. */
export function readPredictionRows(
  features: readonly FeatureSpec[],
  label: string,
  input: unknown,
  options: { ignoreExtraColumns: boolean },
): PredictionRows {
  if (!Array.isArray(input)) return { rows: [], problems: [{ row: 0, message: `expected an array of rows, got ${describeType(input)}` }], warnings: [] };
  const featureNames = new Set(features.map((feature) => feature.name));
  const knownCategories = new Map(features.map((feature) => [feature.name, new Set(feature.categories ?? [])]));
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const rows: Row[] = [];
  for (let rowIndex = 0; rowIndex < input.length; rowIndex += 1) {
    if (problems.length >= MAX_LISTED_PROBLEMS) {
      problems.push({ row: rowIndex, message: `stopped listing after ${MAX_LISTED_PROBLEMS} problems` });
      break;
    }
    const candidate: unknown = input[rowIndex];
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      problems.push({ row: rowIndex, message: `expected an object of feature values, got ${describeType(candidate)}` });
      continue;
    }
    const source = candidate as Record<string, unknown>;
    const row: Row = {};
    for (const feature of features) {
      const problem = (message: string): void => void problems.push({ row: rowIndex, feature: feature.name, message });
      if (!Object.prototype.hasOwnProperty.call(source, feature.name)) {
        problem(`missing feature "${feature.name}" (send null for an unknown value)`);
        continue;
      }
      const cell = source[feature.name];
      if (isEmptyCell(cell)) {
        row[feature.name] = null;
      } else if (feature.kind === 'numeric') {
        const value = parseNumericCell(cell);
        if (value === undefined) problem(`expected a number for "${feature.name}", got ${describeValue(cell)}`);
        else row[feature.name] = value;
      } else if (typeof cell === 'string' || typeof cell === 'number') {
        const category = categoryOfCell(cell);
        row[feature.name] = category;
        if (!knownCategories.get(feature.name)?.has(category) && warnings.length < MAX_LISTED_PROBLEMS) {
          warnings.push({ row: rowIndex, feature: feature.name, message: `category ${JSON.stringify(category)} was not seen in training; scored as unknown` });
        }
      } else {
        problem(`expected a category (string) for "${feature.name}", got ${describeValue(cell)}`);
      }
    }
    if (!options.ignoreExtraColumns) {
      for (const column of Object.keys(source)) {
        if (!featureNames.has(column) && column !== label) {
          problems.push({ row: rowIndex, feature: column, message: `unexpected column "${column}"; the model's features are ${[...featureNames].join(', ')}` });
        }
      }
    }
    rows.push(row);
  }
  return { rows, problems, warnings };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value) : describeType(value);
}
