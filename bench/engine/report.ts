/** Formats the bench results as Markdown tables (readable in a terminal, pasteable into bench/README.md). */

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const perSecond = (value: number) => `${value.toFixed(value < 100 ? 1 : 0)}/s`;
export const seconds = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} s`;
export const ratio = (value: number) => value.toFixed(value < 0.1 ? 3 : 2);

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (cell ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}
