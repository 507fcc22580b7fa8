import type { FeatureEncoding } from '../encoding/feature-encoding';
import { InvalidArtifactError } from '../errors';
import { TRAINERS } from '../training/trainers';
import type { ModelArtifact, Predictor, Row } from '../types';
import { artifactProblems } from './artifact-validation';
import { ModelPredictor } from './model-predictor';

/**
 * Turns a stored artifact back into a Predictor. Checks the artifact's structure,
 * rebuilds the ml.js model, and scores one row of missing values as a smoke test;
 * anything wrong throws `InvalidArtifactError` listing the problems.
 */
export function loadModel(artifact: ModelArtifact): Predictor {
  const problems = artifactProblems(artifact);
  if (problems.length > 0) throw new InvalidArtifactError(problems);
  const classCount = artifact.type === 'classification' ? (artifact.classes?.length ?? 0) : 0;
  const normalized: ModelArtifact = artifact.type === 'classification' ? { ...artifact, positiveClass: artifact.positiveClass ?? artifact.classes?.[1] } : artifact;
  let predictor: ModelPredictor;
  try {
    const scorer = TRAINERS[artifact.algorithm].load(artifact.model, artifact.type, classCount);
    predictor = new ModelPredictor(normalized, artifact.encoding as FeatureEncoding, scorer);
    const emptyRow: Row = Object.fromEntries(artifact.features.map((feature) => [feature.name, null]));
    const [smoke] = predictor.predictReadRows([emptyRow]);
    const scores = smoke.probabilities ? Object.values(smoke.probabilities) : [smoke.value];
    if (scores.some((score) => typeof score === 'number' && !Number.isFinite(score)) || smoke.value === undefined) throw new Error('it scores a row as a non-number');
  } catch (error) {
    throw new InvalidArtifactError([`model is not a working ${artifact.algorithm} ${artifact.type} model for these features: ${(error as Error).message}`]);
  }
  return predictor;
}
