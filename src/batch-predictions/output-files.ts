/**
 * Where batch prediction outputs live: `DATA_DIR/batch-predictions/<job id>.csv`
 * on the server that ran the job. A job writes `<job id>.csv.partial` and
 * renames it when every row is written, so a file under the final name is
 * always complete; a failed or cancelled job leaves neither.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export class OutputFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.resolve(dataDir, 'batch-predictions');
  }

  /** The complete output of a job. */
  finalPath(jobId: string): string {
    return path.join(this.dir, `${jobId}.csv`);
  }

  /** Where the job writes while it runs (the directory is created). */
  async partialPath(jobId: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return path.join(this.dir, `${jobId}.csv.partial`);
  }

  /** Makes the written file the job's output; its size in bytes. */
  async complete(jobId: string): Promise<number> {
    const partial = await this.partialPath(jobId);
    await rename(partial, this.finalPath(jobId));
    return (await stat(this.finalPath(jobId))).size;
  }

  /** Removes whatever the job wrote. */
  async discard(jobId: string): Promise<void> {
    await rm(path.join(this.dir, `${jobId}.csv.partial`), { force: true });
    await rm(this.finalPath(jobId), { force: true });
  }

  /** The size of a job's complete output, or null when there is none (here). */
  async size(jobId: string): Promise<number | null> {
    try {
      return (await stat(this.finalPath(jobId))).size;
    } catch {
      return null;
    }
  }
}
