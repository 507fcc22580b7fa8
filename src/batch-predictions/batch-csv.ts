/**
 * The CSV a batch prediction writes (the embedded runtime's worker and the
 * job itself for an `http` runtime write the same lines): the input columns
 * when included, then `prediction`, then — for classifiers — `probability`,
 * the model's probability of the predicted class. Lines end with LF, as the
 * dataset export's do.
 *
 * Glossary
 * - batch prediction: a `batch-predict` job scoring every row of a dataset
 *   window with a deployment's champion; its output is this CSV file.
 */
import { csvField, type Prediction, type Row } from '../ml';

export const PREDICTION_COLUMN = 'prediction';
export const PROBABILITY_COLUMN = 'probability';

/** What a batch's CSV holds besides the predictions. */
export interface BatchCsvLayout {
  /** The dataset columns written before the prediction (empty when the input is left out). */
  inputColumns: string[];
  /** A classifier's output has a `probability` column. */
  classifier: boolean;
}

export function headerLine(layout: BatchCsvLayout): string {
  const columns = [...layout.inputColumns, PREDICTION_COLUMN, ...(layout.classifier ? [PROBABILITY_COLUMN] : [])];
  return `${columns.map((column) => csvField(column)).join(',')}\n`;
}

/** One line per input row, in order; `predictions[i]` belongs to `inputRows[i]`. */
export function predictionLines(layout: BatchCsvLayout, inputRows: readonly Row[], predictions: readonly Prediction[]): string {
  let text = '';
  for (let index = 0; index < inputRows.length; index += 1) {
    const prediction = predictions[index];
    const fields = layout.inputColumns.map((column) => csvField(inputRows[index][column]));
    fields.push(csvField(prediction.value));
    if (layout.classifier) fields.push(csvField(prediction.probabilities?.[String(prediction.value)]));
    text += `${fields.join(',')}\n`;
  }
  return text;
}
