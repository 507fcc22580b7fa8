/**
 * Typed errors of the ML library. All are `ValidationError`s (HTTP 400 through the
 * one error middleware): every one of them is caused by the data, the options or the
 * artifact a caller passed in, and each says what to fix.
 */
import { ValidationError } from '../errors';
import type { InputProblem } from './types';

/** The training options are unusable (unknown algorithm, bad hyperparameter, ...). */
export class TrainOptionsError extends ValidationError {
  constructor(message: string, details?: unknown) {
    super(message, details, 'INVALID_TRAIN_OPTIONS');
  }
}

/** The rows cannot train or test a model (no rows, empty label, single class, ...). */
export class ModelDataError extends ValidationError {
  constructor(message: string, details?: unknown) {
    super(message, details, 'INVALID_MODEL_DATA');
  }
}

/** Something passed as a model artifact is not one `loadModel` can use. */
export class InvalidArtifactError extends ValidationError {
  constructor(public readonly problems: readonly string[]) {
    super(`Not a valid stagegate-model/1 artifact: ${problems.join('; ')}`, { problems }, 'INVALID_MODEL_ARTIFACT');
  }
}

/** Rows sent for prediction do not fit the model's features. */
export class PredictionInputError extends ValidationError {
  constructor(public readonly problems: readonly InputProblem[]) {
    const shown = problems.slice(0, 5).map((problem) => `row ${problem.row}${problem.feature ? ` (${problem.feature})` : ''}: ${problem.message}`);
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    super(`Prediction input does not fit the model: ${shown.join('; ')}${more}`, { problems }, 'INVALID_PREDICTION_INPUT');
  }
}
