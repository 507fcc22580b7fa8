import { encodeRows, type FeatureEncoding } from '../encoding/feature-encoding';
import { PredictionInputError } from '../errors';
import type { ModelScorer } from '../training/algorithm-trainer';
import type { ModelArtifact, Prediction, Row } from '../types';
import { readPredictionRows } from './prediction-rows';

/**
 * A loaded model: encodes rows as the artifact's encoding says and scores them
 * with the ml.js model. Classification predicts the most probable class (ties go
 * to the class sorted first) with every class's probability.
 */
export class ModelPredictor {
  constructor(
    public readonly artifact: ModelArtifact,
    private readonly encoding: FeatureEncoding,
    private readonly scorer: ModelScorer,
  ) {}

  /** Scores rows; extra columns are ignored, mistyped or missing features throw `PredictionInputError`. */
  predict(rows: Row[]): Prediction[] {
    const input = readPredictionRows(this.artifact.features, this.artifact.label, rows, { ignoreExtraColumns: true });
    if (input.problems.length > 0) throw new PredictionInputError(input.problems);
    return this.predictReadRows(input.rows);
  }

  /** Scores rows already read by `readPredictionRows` (no checks). */
  predictReadRows(rows: Row[]): Prediction[] {
    const matrix = encodeRows(this.encoding, rows);
    if (this.scorer.type === 'regression') return this.scorer.values(matrix).map((value) => ({ value }));
    const classes = this.artifact.classes ?? [];
    return this.scorer.probabilities(matrix).map((scores) => {
      let best = 0;
      const probabilities: Record<string, number> = {};
      scores.forEach((score, index) => {
        probabilities[classes[index]] = score;
        if (score > scores[best]) best = index;
      });
      return { value: classes[best], probabilities };
    });
  }
}
