import type { Algorithm } from '../types';
import type { AlgorithmTrainer } from './algorithm-trainer';
import { decisionTreeTrainer } from './decision-tree-trainer';
import { logisticRegressionTrainer } from './logistic-regression-trainer';
import { randomForestTrainer } from './random-forest-trainer';

/** The built-in trainers by algorithm name. */
export const TRAINERS: Readonly<Record<Algorithm, AlgorithmTrainer>> = {
  'logistic-regression': logisticRegressionTrainer,
  'random-forest': randomForestTrainer,
  'decision-tree': decisionTreeTrainer,
};

/** The algorithm names `trainModel` accepts. */
export const ALGORITHMS = Object.keys(TRAINERS) as Algorithm[];

/** True when `name` is a built-in algorithm. */
export function isAlgorithm(name: unknown): name is Algorithm {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(TRAINERS, name);
}
