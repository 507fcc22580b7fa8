/**
 * The parent side of a job's worker process: the heavy computation (training,
 * scoring) runs in its own Node process so it never blocks the server's event
 * loop, and cancelling a job kills it for real. Messages are JSON over the
 * IPC channel (see `job-worker.ts` for the protocol).
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Row } from '../ml';

/** What the worker reports while it works. */
export interface WorkerEvents {
  progress?(percent: number): void;
  log?(message: string): void;
}

/** The worker ended without a result: killed, crashed or out of memory. */
export class WorkerExitError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number | null,
    public readonly signal: NodeJS.Signals | null,
  ) {
    super(message);
    this.name = 'WorkerExitError';
  }
}

/** The task inside the worker threw: the message names the data or option problem. */
export class WorkerTaskError extends Error {
  constructor(
    message: string,
    public readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

// Runs under tsx (npm start), ts-jest (tests) and a compiled build alike: the entry is
// the sibling file with this file's extension, and TypeScript sources load through tsx.
const ENTRY = path.join(__dirname, `job-worker${path.extname(__filename)}`);
const EXEC_ARGV = __filename.endsWith('.ts') ? ['--import', 'tsx'] : [];
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const STDERR_KEPT = 4000;

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private settle: { resolve(value: unknown): void; reject(err: Error): void } | null = null;

  /** Set or replace the callbacks at any time (e.g. a progress range per phase). */
  constructor(readonly events: WorkerEvents = {}) {
    this.child = spawn(process.execPath, [...EXEC_ARGV, ENTRY], {
      cwd: PROJECT_ROOT,
      // NODE_OPTIONS of a test runner (--experimental-vm-modules) must not leak into the worker.
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
    });
    this.child.on('message', (message: any) => this.onMessage(message));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        const detail = this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
        this.settle?.reject(new WorkerExitError(`the worker process ${reason} before it finished${detail}`, code, signal));
        this.settle = null;
        resolve({ code, signal });
      });
    });
    this.child.on('error', () => undefined); // reported through 'exit'
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Announces the task before its rows, so the worker can consume them as they arrive (`test`). */
  prepare(task: string, options: unknown): Promise<void> {
    return this.send({ type: 'prepare', task, options });
  }

  /** Sends one batch of rows of a named set (`train`, `test`, `reference`); resolves once written. */
  sendRows(set: string, rows: Row[]): Promise<void> {
    return this.send({ type: 'rows', set, rows });
  }

  /** Runs the task on the rows sent so far; resolves with its result. */
  run<T>(task: string, options: unknown): Promise<T> {
    const done = new Promise<T>((resolve, reject) => {
      this.settle = { resolve: resolve as (value: unknown) => void, reject };
    });
    this.send({ type: 'run', task, options }).catch((err) => this.settle?.reject(err));
    return done;
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private send(message: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) return reject(new WorkerExitError('the worker process is gone', this.child.exitCode, this.child.signalCode));
      this.child.send(message as object, (err) => (err ? reject(err) : resolve()));
    });
  }

  private onMessage(message: { type: string; [key: string]: any }): void {
    if (message.type === 'progress') this.events.progress?.(message.percent);
    else if (message.type === 'log') this.events.log?.(message.message);
    else if (message.type === 'result') {
      this.settle?.resolve(message.result);
      this.settle = null;
    } else if (message.type === 'error') {
      this.settle?.reject(new WorkerTaskError(message.message, message.code));
      this.settle = null;
    }
  }
}
