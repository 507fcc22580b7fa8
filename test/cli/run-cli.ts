/** Spawns the real `stagegate` binary (asynchronously: the test server runs in this process). */
import { spawn } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'stagegate.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  url?: string;
  token?: string | null;
  cwd?: string;
  /** Sees stderr as it arrives (the run's result has all of it at the end). */
  onStderr?: (soFar: string) => void;
}

export function runCli(args: string[], env: CliEnv = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ALLOW_SCRIPT_TASKS: 'false' };
  // jest's --experimental-vm-modules is not the CLI's business.
  delete childEnv.NODE_OPTIONS;
  delete childEnv.STAGEGATE_TOKEN;
  delete childEnv.STAGEGATE_URL;
  if (env.url) childEnv.STAGEGATE_URL = env.url;
  if (env.token) childEnv.STAGEGATE_TOKEN = env.token;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: env.cwd ?? ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      env.onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
