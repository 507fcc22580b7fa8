/**
 * Bundles the web console (console/) with esbuild into dist/console/: app.js,
 * app.css (bpmn-js styles included) and index.html. Runs before `npm start`
 * and `npm test`; `--if-stale` skips the build when the bundle is newer than
 * every source file (so a read-only install, e.g. the container, starts).
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { newestSourceMs, swapIn } from './build-files';

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'console');
export const consoleDist = path.join(root, 'dist', 'console');

/** Whether dist/console/app.js exists and is newer than console/ and this script. */
export function consoleIsFresh(): boolean {
  const bundle = path.join(consoleDist, 'app.js');
  if (!fs.existsSync(bundle)) return false;
  const built = fs.statSync(bundle).mtimeMs;
  return built >= newestSourceMs(source) && built >= fs.statSync(__filename).mtimeMs;
}

/** Builds into a fresh directory, then swaps it in, so a concurrent reader never sees half a bundle. */
export async function buildConsole(): Promise<void> {
  const staging = `${consoleDist}.${process.pid}.${Date.now()}`;
  await build({
    entryPoints: { app: path.join(source, 'src', 'main.tsx') },
    outdir: staging,
    bundle: true,
    minify: true,
    sourcemap: false,
    format: 'iife',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(source, 'index.html'), path.join(staging, 'index.html'));
  swapIn(staging, consoleDist);
}

if (require.main === module) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && consoleIsFresh()) process.exit(0);
  const started = Date.now();
  buildConsole().then(
    () => console.log(`console built in ${Date.now() - started} ms (dist/console)`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
