/** File helpers of the build scripts (the console and server bundles). */
import fs from 'node:fs';
import path from 'node:path';

/** The newest modification time of any file under `dir`. */
export function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Replaces `target` with the freshly built `staging` directory, so a concurrent reader never sees half a bundle. */
export function swapIn(staging: string, target: string): void {
  const old = `${staging}.old`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    // Another build swapped its bundle in first; theirs is as good as ours.
    if (!fs.existsSync(target)) throw err;
    fs.rmSync(staging, { recursive: true, force: true });
  }
  fs.rmSync(old, { recursive: true, force: true });
}
