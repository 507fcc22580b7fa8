/**
 * Reading cells. One rule everywhere: a cell is empty when it is null, undefined,
 * '' or only whitespace; a cell is numeric when it is a finite number or a string
 * holding a plain decimal number ("42", "-0.5", "1e3"; not "0x1A", "Infinity", "1,5").
 */
import type { Cell } from '../types';

const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True when the cell holds no value. */
export function isEmptyCell(cell: unknown): cell is null | undefined | '' {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

/** The number a non-empty cell holds, or undefined when it holds none. */
export function parseNumericCell(cell: unknown): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  const text = cell.trim();
  return DECIMAL_NUMBER.test(text) ? Number(text) : undefined;
}

/** The category a non-empty string or number cell stands for (numbers as their decimal text, strings trimmed). */
export function categoryOfCell(cell: string | number): string {
  return typeof cell === 'number' ? String(cell) : String(cell).trim();
}

/** Sorts category or class names: numerically when all are numbers, else by code unit. */
export function sortCategories(values: Iterable<string>): string[] {
  const sorted = [...new Set(values)];
  if (sorted.length > 0 && sorted.every((value) => parseNumericCell(value) !== undefined)) {
    return sorted.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return sorted.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The cells of one column. */
export function columnOf(rows: readonly Record<string, Cell>[], column: string): Cell[] {
  return rows.map((row) => row[column] ?? null);
}
