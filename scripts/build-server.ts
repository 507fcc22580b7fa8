/**
 * Bundles the server with esbuild into dist/server/: main.js (src/main.ts)
 * and job-worker.js (the job worker process it spawns). `npm start` runs the
 * bundle with plain node: no TypeScript loader in the serving process, which
 * saves its memory (about 40 MB of RSS) and start-up time. Packages stay in
 * node_modules. `--if-stale` skips the build when the bundle is newer than
 * every source file (so a read-only install, e.g. the container, starts).
 *
 * The bundle sits two levels below the project root, like src/<dir>/, so the
 * paths the server finds from its own directory (dist/console, processes/)
 * are the same.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { newestSourceMs, swapIn } from './build-files';

const root = path.resolve(__dirname, '..');
export const serverDist = path.join(root, 'dist', 'server');
const WORKER_ENTRY = path.join(root, 'src', 'jobs', 'job-worker.ts');

/** Whether `<outdir>/<name>.js` exists and is newer than src/, migrations/, package.json and this script. */
export function serverIsFresh(outdir = serverDist, name = 'main', extraSources: string[] = []): boolean {
  const bundle = path.join(outdir, `${name}.js`);
  if (!fs.existsSync(bundle)) return false;
  const built = fs.statSync(bundle).mtimeMs;
  const sources = [path.join(root, 'src'), path.join(root, 'migrations'), ...extraSources];
  const files = [path.join(root, 'package.json'), __filename, path.join(__dirname, 'build-files.ts')];
  return sources.every((dir) => built >= newestSourceMs(dir)) && files.every((file) => built >= fs.statSync(file).mtimeMs);
}

/**
 * Builds `entry` (as `<name>.js`) and the job worker into `outdir`, swapped in
 * whole. The bench builds its own server entry the same way.
 */
export async function buildServer(entry = path.join(root, 'src', 'main.ts'), outdir = serverDist, name = 'main'): Promise<void> {
  const staging = `${outdir}.${process.pid}.${Date.now()}`;
  await build({
    entryPoints: { [name]: entry, 'job-worker': WORKER_ENTRY },
    outdir: staging,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: ['node20'],
    packages: 'external',
    sourcemap: false,
    logLevel: 'warning',
  });
  swapIn(staging, outdir);
}

if (require.main === module) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && serverIsFresh()) process.exit(0);
  const started = Date.now();
  buildServer().then(
    () => console.log(`server built in ${Date.now() - started} ms (dist/server)`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
