/**
 * Checks `TrainOptions` before any data is touched, and fills in defaults. Every
 * message names the option and what is allowed.
 */
import { TrainOptionsError } from '../errors';
import type { FeatureSpec, TrainOptions } from '../types';
import type { AlgorithmTrainer } from './algorithm-trainer';
import { ALGORITHMS, isAlgorithm, TRAINERS } from './trainers';

/** The seed used when `TrainOptions.seed` is not given. */
export const DEFAULT_SEED = 42;

/** Options after validation. */
export interface ResolvedTrainOptions {
  trainer: AlgorithmTrainer;
  seed: number;
  hyperparameters: Record<string, number>;
  featureKinds: Record<string, FeatureSpec['kind']>;
  trainedAt: string | undefined;
}

/** Validates `options`; throws `TrainOptionsError` naming the first problem. */
export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  if (typeof options !== 'object' || options === null) throw new TrainOptionsError('train options must be an object');
  const { algorithm, type, features, label } = options;
  if (!isAlgorithm(algorithm)) throw new TrainOptionsError(`unknown algorithm ${JSON.stringify(algorithm)}; use one of ${ALGORITHMS.join(', ')}`);
  const trainer = TRAINERS[algorithm];
  if (type !== 'classification' && type !== 'regression') throw new TrainOptionsError(`type must be "classification" or "regression", got ${JSON.stringify(type)}`);
  if (!trainer.supports.includes(type)) {
    const alternatives = ALGORITHMS.filter((name) => TRAINERS[name].supports.includes(type));
    throw new TrainOptionsError(`${algorithm} does not do ${type}; use ${alternatives.join(' or ')}`);
  }
  if (typeof label !== 'string' || label === '') throw new TrainOptionsError('label must name the label column');
  if (!Array.isArray(features) || features.length === 0) throw new TrainOptionsError('features must list at least one feature column');
  const seen = new Set<string>();
  for (const feature of features) {
    if (typeof feature !== 'string' || feature === '') throw new TrainOptionsError('every feature must be a non-empty column name');
    if (seen.has(feature)) throw new TrainOptionsError(`feature "${feature}" is listed twice`);
    if (feature === label) throw new TrainOptionsError(`the label "${label}" cannot also be a feature`);
    seen.add(feature);
  }
  if (options.positiveClass !== undefined && type !== 'classification') throw new TrainOptionsError('positiveClass applies to classification only');
  return {
    trainer,
    seed: resolveSeed(options.seed),
    hyperparameters: resolveHyperparameters(trainer, options.hyperparameters),
    featureKinds: resolveFeatureKinds(options.featureKinds, seen),
    trainedAt: resolveTrainedAt(options.trainedAt),
  };
}

function resolveSeed(seed: unknown): number {
  if (seed === undefined) return DEFAULT_SEED;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new TrainOptionsError(`seed must be an integer, got ${JSON.stringify(seed)}`);
  return seed;
}

/** The trainer's hyperparameters with `given` applied over the defaults. */
export function resolveHyperparameters(trainer: AlgorithmTrainer, given: Record<string, number> | undefined): Record<string, number> {
  const resolved: Record<string, number> = {};
  for (const [name, spec] of Object.entries(trainer.hyperparameters)) resolved[name] = spec.default;
  if (given === undefined) return resolved;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new TrainOptionsError('hyperparameters must be an object of numbers');
  for (const [name, value] of Object.entries(given)) {
    const spec = trainer.hyperparameters[name];
    if (!spec) {
      const known = Object.keys(trainer.hyperparameters).join(', ');
      throw new TrainOptionsError(`${trainer.algorithm} has no hyperparameter "${name}"; it has ${known}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TrainOptionsError(`hyperparameter ${name} must be a number, got ${JSON.stringify(value)}`);
    if (spec.integer && !Number.isInteger(value)) throw new TrainOptionsError(`hyperparameter ${name} must be an integer, got ${value}`);
    if (value < spec.min || value > spec.max) throw new TrainOptionsError(`hyperparameter ${name} must be between ${spec.min} and ${spec.max}, got ${value}`);
    resolved[name] = value;
  }
  return resolved;
}

function resolveFeatureKinds(given: TrainOptions['featureKinds'], features: Set<string>): Record<string, FeatureSpec['kind']> {
  if (given === undefined) return {};
  if (typeof given !== 'object' || given === null) throw new TrainOptionsError('featureKinds must map feature names to "numeric" or "categorical"');
  for (const [name, kind] of Object.entries(given)) {
    if (!features.has(name)) throw new TrainOptionsError(`featureKinds names "${name}", which is not a feature`);
    if (kind !== 'numeric' && kind !== 'categorical') throw new TrainOptionsError(`featureKinds.${name} must be "numeric" or "categorical", got ${JSON.stringify(kind)}`);
  }
  return { ...given };
}

function resolveTrainedAt(trainedAt: unknown): string | undefined {
  if (trainedAt === undefined) return undefined;
  if (typeof trainedAt !== 'string' || Number.isNaN(Date.parse(trainedAt))) throw new TrainOptionsError(`trainedAt must be an ISO timestamp, got ${JSON.stringify(trainedAt)}`);
  return trainedAt;
}
