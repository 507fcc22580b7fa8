/**
 * Stagegate's machine-learning library: training, prediction, the standardized
 * test result, thresholds, drift and fairness, and the data it ships. Pure: no
 * database, HTTP or processes. See `src/ml/README.md` for the decisions behind it.
 */
export type {
  Algorithm,
  Cell,
  ClassificationMetrics,
  CreditRiskOptions,
  DriftResult,
  EvaluateOptions,
  FairnessResult,
  FeatureSpec,
  InputCheck,
  InputProblem,
  ModelArtifact,
  ModelType,
  Prediction,
  Predictor,
  RegressionMetrics,
  Row,
  TestMetrics,
  TestResult,
  Threshold,
  ThresholdBreach,
  ThresholdCheck,
  TrainingMetrics,
  TrainOptions,
} from './types';
export { InvalidArtifactError, ModelDataError, PredictionInputError, TrainOptionsError } from './errors';

export { trainModel } from './training/train-model';
export { ALGORITHMS } from './training/trainers';
export { DEFAULT_SEED } from './training/train-options';
export { loadModel } from './prediction/load-model';
export { ARTIFACT_FORMAT } from './prediction/artifact-validation';
export { checkInput } from './schema/check-input';
export { inferSchema } from './schema/infer-schema';

export { evaluateModel, TEST_RESULT_SCHEMA } from './metrics/evaluate-model';
export { classificationMetricsFromCounts, computeClassificationMetrics, logLoss, meanLogLoss, type ClassificationOutcomes, type CountedClassification } from './metrics/classification-metrics';
export { computeRegressionMetrics } from './metrics/regression-metrics';
export { rocAuc } from './metrics/roc-auc';
export { computeFairness, fairnessFromCounts, type FairnessOutcomes, type GroupCounts } from './metrics/fairness';
export { populationStabilityIndex, PsiBins, PSI_EPSILON, DEFAULT_PSI_BINS } from './metrics/population-stability';
export { checkThresholds } from './metrics/thresholds';

export { generateCreditRisk, CREDIT_RISK_COLUMNS, CREDIT_RISK_FEATURES } from './data/credit-risk';
export { csvField, toCsv } from './data/csv';
