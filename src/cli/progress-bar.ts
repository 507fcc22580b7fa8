/**
 * Shows a running job's progress: a bar redrawn in place on a terminal, plain
 * lines (only when something changed) when stderr is a file or a pipe.
 */

export interface ProgressState {
  label: string;
  status: string;
  /** 0..100 */
  percent: number;
}

const WIDTH = 30;

/** `[##########--------------------]  33% train running`. */
export function renderBar(state: ProgressState): string {
  const percent = Math.max(0, Math.min(100, Math.round(state.percent)));
  const filled = Math.round((percent / 100) * WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}% ${state.label} ${state.status}`;
}

export class ProgressDisplay {
  private last = '';
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly tty: boolean = Boolean(process.stderr.isTTY),
  ) {}

  update(state: ProgressState): void {
    const line = renderBar(state);
    if (line === this.last) return;
    this.last = line;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** A message above the bar (a job log line). */
  message(line: string): void {
    if (this.tty && this.drawn) {
      this.stream.write(`\r\x1b[2K${line}\n${this.last}`);
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Leaves the last bar on its own line. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
