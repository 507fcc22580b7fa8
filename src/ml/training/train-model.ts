/**
 * The `train` topic's computation: trains a built-in model on rows and returns
 * its artifact (plain JSON) and training metrics. Pure and synchronous; the caller
 * runs it off the event loop (a worker thread) for large data.
 *
 * Determinism: the same rows, options and seed give the same artifact (`trainedAt`
 * aside, which `options.trainedAt` pins): the encoding is computed from the rows
 * in order, logistic regression and CART are deterministic, and the random forest
 * draws its bootstrap samples and columns from the seed.
 */
import { encodeRows, fitFeatureEncoding } from '../encoding/feature-encoding';
import { ModelDataError } from '../errors';
import { computeTestMetrics } from '../metrics/evaluate-model';
import { ARTIFACT_FORMAT } from '../prediction/artifact-validation';
import { loadModel } from '../prediction/load-model';
import type { ModelArtifact, Row, TrainingMetrics, TrainOptions } from '../types';
import { createProgressReporter } from './progress-reporter';
import { readFeatureSpecs, readTargets } from './training-data';
import { resolveTrainOptions } from './train-options';

/**
 * Trains a model. `onProgress` receives whole percentages, rising, ending at 100.
 * Throws `TrainOptionsError` for unusable options and `ModelDataError` for rows a
 * model cannot be trained on.
 */
export function trainModel(rows: Row[], options: TrainOptions, onProgress?: (percent: number) => void): { artifact: ModelArtifact; metrics: TrainingMetrics } {
  const startedAt = performance.now();
  const settings = resolveTrainOptions(options);
  const progress = createProgressReporter(onProgress);
  progress.report(0);
  if (!Array.isArray(rows) || rows.length === 0) throw new ModelDataError('no rows to train on');
  const badRow = rows.findIndex((row) => typeof row !== 'object' || row === null || Array.isArray(row));
  if (badRow >= 0) throw new ModelDataError(`row ${badRow} is not an object of column values`);

  const targets = readTargets(rows, options.label, options.type, options.positiveClass);
  const features = readFeatureSpecs(rows, options.features, settings.featureKinds);
  const positiveIndex = targets.type === 'classification' ? targets.classes.indexOf(targets.positiveClass) : -1;
  const targetValues = targets.type === 'classification' ? targets.classIndexes : targets.values;
  const { style, scaleNumerics, binsHyperparameter } = settings.trainer.encoding;
  const encoding = fitFeatureEncoding(rows, features, {
    style,
    scaleNumerics,
    maxBins: binsHyperparameter ? settings.hyperparameters[binsHyperparameter] : undefined,
    labelScores: targets.type === 'classification' ? targets.classIndexes.map((index) => (index === positiveIndex ? 1 : 0)) : targets.values,
  });
  const matrix = encodeRows(encoding, rows);
  progress.report(5);

  const model = settings.trainer.fit(matrix, targetValues, {
    type: options.type,
    classCount: targets.type === 'classification' ? targets.classes.length : 0,
    // ml-random-forest wants a 32-bit integer seed.
    seed: settings.seed | 0,
    hyperparameters: settings.hyperparameters,
    onProgress: (fraction) => progress.report(5 + 85 * Math.min(1, Math.max(0, fraction))),
  });
  progress.report(90);

  const artifact: ModelArtifact = toPlainJson({
    format: ARTIFACT_FORMAT,
    algorithm: options.algorithm,
    type: options.type,
    label: options.label,
    features,
    ...(targets.type === 'classification' ? { classes: targets.classes, positiveClass: targets.positiveClass } : {}),
    encoding,
    model,
    trainedAt: settings.trainedAt ?? new Date().toISOString(),
    seed: settings.seed,
    hyperparameters: settings.hyperparameters,
  });
  const predictor = loadModel(artifact);
  const training = computeTestMetrics(predictor, rows, predictor.predict(rows));
  progress.report(100);
  return { artifact, metrics: { rows: rows.length, durationMs: Math.round(performance.now() - startedAt), training } };
}

/** What the caller will store: ml.js classes and matrices become plain arrays and objects (Infinity becomes null, as JSON has it). */
function toPlainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
