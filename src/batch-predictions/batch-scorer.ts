/**
 * The `batch-predict` task of a job's worker (embedded runtime): each batch of
 * rows is scored as it arrives and its lines appended to the output file at
 * once, synchronously — so the worker keeps no rows, and a slow disk slows the
 * IPC channel (and with it the job's reading) instead of filling memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { loadModel, type ModelArtifact, type Prediction, type Predictor, type Row } from '../ml';
import { headerLine, predictionLines, type BatchCsvLayout } from './batch-csv';
import { readFeatures } from './batch-input';

export interface BatchScorerOptions {
  artifact: ModelArtifact;
  /** The file written (created or truncated). */
  outputPath: string;
  layout: BatchCsvLayout;
}

type FastPredictor = Predictor & { predictReadRows?: (rows: Row[]) => Prediction[] };

export class BatchScorer {
  private readonly predictor: FastPredictor;
  private readonly fd: number;
  private rows = 0;

  constructor(private readonly options: BatchScorerOptions) {
    this.predictor = loadModel(options.artifact) as FastPredictor;
    this.fd = openSync(options.outputPath, 'w');
    writeSync(this.fd, headerLine(options.layout));
  }

  /** Scores one batch of rows (the dataset cells of the window, in order) and appends their lines. */
  add(rows: Row[]): void {
    const features = readFeatures(this.options.artifact, rows, this.rows + 1);
    const predictions = this.predictor.predictReadRows ? this.predictor.predictReadRows(features) : this.predictor.predict(features);
    writeSync(this.fd, predictionLines(this.options.layout, rows, predictions));
    this.rows += rows.length;
  }

  /** Closes the file; the number of rows written. */
  finish(): { rows: number } {
    closeSync(this.fd);
    return { rows: this.rows };
  }
}
