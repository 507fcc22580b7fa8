/**
 * A job's external command (the `command` runtime of models): argv spawned
 * directly (no shell), in its own process group so a timeout or a
 * cancellation kills it together with everything it started. Its stdout and
 * stderr lines go to the job log; the last stderr lines explain a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface CommandOptions {
  argv: readonly string[];
  cwd: string;
  /** The whole environment of the command (nothing of the server's is passed unless listed). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Names the command in messages: "the train command". */
  label: string;
  /** One line of output; `stream` says where it came from. */
  onLine?(stream: 'stdout' | 'stderr', line: string): void;
}

/** The command failed: non-zero exit, a signal, a timeout, or it could not start. */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number | null,
    public readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/** How many stderr lines a failure message quotes. */
const STDERR_QUOTED = 5;
/** Lines longer than this are cut (a binary blob on stdout must not fill the log). */
const MAX_LINE = 2000;

/**
 * One running command. `done` resolves when it exited with code 0 and rejects
 * with a CommandFailedError otherwise; `kill` stops the whole process group.
 */
export class CommandProcess {
  readonly done: Promise<void>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly stderrTail: string[] = [];
  private timedOut = false;
  private killed = false;

  constructor(private readonly options: CommandOptions) {
    const [file, ...args] = options.argv;
    this.child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      // Its own process group: kill(-pid) reaches the command's children too.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    this.watch('stdout');
    this.watch('stderr');
    let spawnError: Error | null = null;
    this.child.once('error', (err) => (spawnError = err));
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.killGroup();
    }, options.timeoutMs);
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.done = new Promise((resolve, reject) => {
      this.child.once('close', (code, signal) => {
        clearTimeout(timer);
        // The command may have left children behind in its group: they go with it.
        this.killGroup();
        if (spawnError) return reject(new CommandFailedError(`${options.label} could not start: ${spawnError.message}`, null, false));
        if (this.timedOut) return reject(new CommandFailedError(`${options.label} timed out after ${options.timeoutMs} ms and was killed${this.tail()}`, code, true));
        if (this.killed) return reject(new CommandFailedError(`${options.label} was stopped`, code, false));
        if (code !== 0) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          return reject(new CommandFailedError(`${options.label} ${how}${this.tail()}`, code, false));
        }
        resolve();
      });
    });
    this.done.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL to the whole process group; resolves once the command is gone. */
  async kill(): Promise<void> {
    this.killed = true;
    this.killGroup();
    await this.exited;
  }

  private killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }

  private watch(stream: 'stdout' | 'stderr'): void {
    const lines = readline.createInterface({ input: this.child[stream]!, crlfDelay: Infinity });
    lines.on('line', (raw) => {
      const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
      if (stream === 'stderr' && line.trim()) {
        this.stderrTail.push(line.trim());
        if (this.stderrTail.length > STDERR_QUOTED) this.stderrTail.shift();
      }
      this.options.onLine?.(stream, line);
    });
  }

  private tail(): string {
    return this.stderrTail.length ? `: ${this.stderrTail.join(' | ')}` : '';
  }
}
