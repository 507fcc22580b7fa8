/** Reading a page of dataset rows as model input, for the worker and the `http` path alike. */
import type { ModelArtifact, Row } from '../ml';
import { readPredictionRows } from '../ml/prediction/prediction-rows';

/** A row of the window the model cannot read (a mistyped cell): the job fails naming it. */
export class BatchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchInputError';
  }
}

/**
 * The model's features of each row, read as `POST /predict` reads them (other
 * columns ignored). `firstRow` is the 1-based number of the page's first row in the window.
 */
export function readFeatures(artifact: ModelArtifact, rows: readonly Row[], firstRow: number): Row[] {
  const read = readPredictionRows(artifact.features, artifact.label, rows, { ignoreExtraColumns: true });
  if (read.problems.length > 0) {
    const [problem] = read.problems;
    const more = read.problems.length > 1 ? ` (and ${read.problems.length - 1} more problems in rows ${firstRow}-${firstRow + rows.length - 1})` : '';
    throw new BatchInputError(`row ${firstRow + problem.row} of the window: ${problem.message}${more}`);
  }
  return read.rows;
}
