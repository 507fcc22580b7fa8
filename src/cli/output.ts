/**
 * How commands print: a human table (or key/value block) by default, the
 * server's JSON with --json so scripts never parse tables.
 */

export type Cell = string | number | boolean | null | undefined | Date;

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
}

function text(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-';
  if (cell instanceof Date) return cell.toISOString();
  return String(cell).replace(/\s+/g, ' ');
}

/** Renders rows as an aligned table with a header line; "(none)" for no rows. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (!rows.length) return '(none)\n';
  const cells = rows.map((row) => columns.map((column) => text(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i].length)));
  const render = (line: string[]) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [render(columns.map((column) => column.header.toUpperCase())), ...cells.map(render)].join('\n') + '\n';
}

/** Renders `label: value` lines, labels aligned. */
export function formatFields(fields: readonly [string, Cell][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${text(value)}`).join('\n') + '\n';
}

/** A short ISO timestamp (to the second) for tables. */
export function when(value: unknown): string | null {
  if (!value) return null;
  const date = new Date(value as string);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(0, 19).replace('T', ' ');
}

export interface Printer {
  readonly json: boolean;
  /** Prints `data` as JSON with --json, else the human rendering. */
  result(data: unknown, human: () => string): void;
  /** A line on stderr: progress and notes that must not pollute stdout. */
  note(line: string): void;
}

export function printer(json: boolean): Printer {
  return {
    json,
    result(data, human) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : human());
    },
    note(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}
