import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const now = (): number => performance.now();

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `stagegate-bench-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight (a closed loop of clients). */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * Runs `section.ts <name>` in a child Node process and returns what it sends
 * back; kills it after `timeoutMs` (a blocked event loop cannot time itself out).
 */
export function runSection<T>(name: string, args: unknown, timeoutMs: number): Promise<T> {
  const nodeArgs = (process.env.BENCH_SECTION_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(__dirname, 'section.ts'), name, JSON.stringify(args)], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    let result: { result: T } | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`section ${name} did not finish within ${timeoutMs / 1000} s (killed; a blocked event loop?)`));
    }, timeoutMs);
    child.on('message', (message: { result: T }) => (result = message));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result.result);
      else reject(new Error(`section ${name} exited with ${code ?? signal} and no result`));
    });
  });
}
