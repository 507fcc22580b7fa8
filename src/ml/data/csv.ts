/**
 * CSV output (RFC 4180): a header line, then one line per row, lines ended by
 * CRLF. A field is quoted when it holds a comma, a double quote, CR or LF, or
 * starts or ends with a space; quotes inside are doubled. Empty cells (null,
 * undefined) are empty fields; numbers are written as JavaScript prints them.
 */
import type { Cell, Row } from '../types';

/** Writes rows as CSV; `columns` (default: every key, in first-seen order) fixes which columns and their order. */
export function toCsv(rows: Row[], columns?: string[]): string {
  const header = columns ?? columnsOf(rows);
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(header.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function columnsOf(rows: readonly Row[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
  return [...columns];
}

/** One field, quoted as above (empty for null and undefined). */
export function csvField(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
