/**
 * The contract every built-in trainer (one per `Algorithm`) fulfils. The training
 * pipeline (`train-model.ts`) does everything algorithm-independent: validating
 * options, inferring feature kinds, encoding rows, indexing classes. A trainer only
 * turns an encoded matrix into ml.js model JSON, and that JSON back into scores.
 */
import type { EncodingStyle } from '../encoding/feature-encoding';
import type { Algorithm, ModelType } from '../types';

/** What a trainer is asked to fit. */
export interface TrainingProblem {
  type: ModelType;
  /** Classification: number of classes; targets are class indexes 0..classCount-1. */
  classCount: number;
  seed: number;
  /** Effective hyperparameters, defaults filled in and ranges checked. */
  hyperparameters: Record<string, number>;
  /** Reports the share of the fit done, 0..1. */
  onProgress: (fraction: number) => void;
}

/** A loaded model's scoring function over encoded rows. */
export type ModelScorer =
  | { type: 'classification'; probabilities(matrix: number[][]): number[][] }
  | { type: 'regression'; values(matrix: number[][]): number[] };

/** A tunable knob of a trainer. */
export interface HyperparameterSpec {
  default: number;
  min: number;
  max: number;
  integer: boolean;
  description: string;
}

/** One built-in algorithm. */
export interface AlgorithmTrainer {
  algorithm: Algorithm;
  supports: readonly ModelType[];
  /** How rows are encoded; with `binsHyperparameter`, numeric columns with more distinct values are binned to that many quantile bins. */
  encoding: { style: EncodingStyle; scaleNumerics: boolean; binsHyperparameter?: string };
  hyperparameters: Readonly<Record<string, HyperparameterSpec>>;
  /** Fits the model; returns its ml.js JSON (`toJSON()`). */
  fit(matrix: number[][], targets: number[], problem: TrainingProblem): unknown;
  /** Rebuilds a scorer from the JSON `fit` returned (after a JSON round trip). Throws when it is not such JSON. */
  load(model: unknown, type: ModelType, classCount: number): ModelScorer;
}
