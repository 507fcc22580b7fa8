/** Spawns bench/engine/server-main.ts as a separate Node process and talks to it (HTTP, IPC, /proc). */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildServer } from '../../scripts/build-server';
import { now } from './util';

/**
 * The bench server is bundled like `npm start`'s (scripts/build-server.ts), so
 * the spawned process runs plain node on a bundle, as `npm start` does.
 */
const BUNDLE_DIR = path.resolve(__dirname, '..', '..', 'dist', 'bench-server');
let bundled: Promise<string> | null = null;
function bundle(): Promise<string> {
  bundled ??= buildServer(path.join(__dirname, 'server-main.ts'), BUNDLE_DIR, 'server-main').then(() => path.join(BUNDLE_DIR, 'server-main.js'));
  return bundled;
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** ms from spawn to `listening` (migrations, deploy, runner started). */
  startMs: number;
  /** The server's own numbers (process.memoryUsage), optionally after a full GC. */
  memory(gc?: boolean): Promise<MemoryUsage>;
  /** VmRSS and VmHWM (peak RSS) from /proc, in bytes. */
  procRss(): { rss: number; peak: number } | null;
  /** SIGTERM and wait for the exit (a clean shutdown). */
  stop(): Promise<void>;
}

export async function spawnServer(env: Record<string, string>, timeoutMs = 120000): Promise<ServerProcess> {
  const main = await bundle();
  const started = now();
  const child = spawn(process.execPath, ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), main], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    let stdout = '';
    const onData = (chunk: Buffer) => {
      stdout += chunk;
      const match = /listening (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  const startMs = now() - started;
  return {
    child,
    url,
    startMs,
    memory: (gc = false) =>
      new Promise<MemoryUsage>((resolve) => {
        const onMessage = (message: { type?: string; usage?: MemoryUsage }) => {
          if (message?.type !== 'memory' || !message.usage) return;
          child.off('message', onMessage);
          resolve(message.usage);
        };
        child.on('message', onMessage);
        child.send({ type: 'memory', gc });
      }),
    procRss() {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
        return { rss: kb('VmRSS'), peak: kb('VmHWM') };
      } catch {
        return null;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM: ${stderr}`);
    },
  };
}
