/** Runs `test/support/server-main.ts` as a separate OS process (for SIGKILL and replica tests). */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { client, Client, TEST_ADMIN_TOKEN } from './http';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  api: Client;
  /** SIGKILL: no shutdown, no flush — a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  terminate(): Promise<void>;
}

const MAIN = path.join(__dirname, 'server-main.ts');

export async function spawnServer(env: Record<string, string>, startTimeoutMs = 60000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', POLL_INTERVAL_MS: '50', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time: ${stderr}`)), startTimeoutMs);
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    url,
    api: client(url),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
