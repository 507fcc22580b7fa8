import { InvalidArtifactError } from '../errors';
import { artifactProblems } from '../prediction/artifact-validation';
import { readPredictionRows } from '../prediction/prediction-rows';
import type { InputCheck, ModelArtifact } from '../types';

/**
 * Checks rows sent for prediction against a model's features, before scoring
 * (`POST /api/deployments/:id/predict`). Rejected: a row that is not an object, a
 * missing feature key, a value of the wrong type, a column that is not a feature
 * (unless `ignoreExtraColumns`; the label column is always tolerated). Allowed: empty
 * values (imputed) and categories not seen in training, which come back as
 * `warnings` and are scored with the "unknown" encoding. On success `rows` holds
 * only the features, numeric strings parsed to numbers and empty values as null.
 * Throws `InvalidArtifactError` when `artifact` is not a model artifact.
 */
export function checkInput(artifact: ModelArtifact, rows: unknown[], options: { ignoreExtraColumns?: boolean } = {}): InputCheck {
  const problems = artifactProblems(artifact);
  if (problems.length > 0) throw new InvalidArtifactError(problems);
  const input = readPredictionRows(artifact.features, artifact.label, rows, { ignoreExtraColumns: options.ignoreExtraColumns ?? false });
  if (input.problems.length > 0) return { ok: false, problems: input.problems };
  return input.warnings.length > 0 ? { ok: true, rows: input.rows, warnings: input.warnings } : { ok: true, rows: input.rows };
}
