/**
 * The holdout of a dataset: its newest rows (by `at`), kept out of training so
 * candidate and champion are tested on rows neither learned from.
 */
import type { Database } from '../db/connect';
import { countRows, listRows } from '../datasets/dataset-store';

/** The share of rows (the newest) that form the holdout. */
export const HOLDOUT_FRACTION = 0.2;

/**
 * Where the holdout starts: the `at` of the first row of the newest 20%, or
 * null when the rows cannot be split in time (too few, or all labeled at the
 * same moment: then train and test use every row).
 */
export async function holdoutStart(db: Database, datasetId: string, fraction = HOLDOUT_FRACTION): Promise<Date | null> {
  const total = await countRows(db, datasetId, {});
  if (total < 10) return null;
  const [first] = await listRows(db, datasetId, {}, 1, 0);
  const [cut] = await listRows(db, datasetId, {}, 1, Math.floor(total * (1 - fraction)));
  if (!first || !cut || cut.at.getTime() <= first.at.getTime()) return null;
  return cut.at;
}
