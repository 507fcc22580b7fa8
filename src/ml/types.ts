/**
 * Types of Stagegate's machine-learning library (`src/ml`).
 *
 * Glossary
 * - row: one record as a plain object, column name → cell (a CSV line after parsing).
 * - cell: a string, a number or null. `null`, `undefined`, `''` and whitespace-only
 *   strings are all "empty" (a missing value).
 * - feature: an input column the model reads; numeric or categorical (FeatureSpec).
 * - label: the column the model predicts. Classification labels are compared as
 *   strings ("1" and 1 are the same class); regression labels must be numeric.
 * - class: one distinct label value of a classification model; `classes` are sorted
 *   (numerically when every class is a number, else by code unit).
 * - positive class: the class precision/recall/F1/ROC AUC are computed for, and the
 *   outcome fairness counts by default.
 * - artifact: the plain-JSON record of a trained model (ModelArtifact); the caller
 *   stores it with its sha256, `loadModel` turns it back into a Predictor.
 * - encoding: how rows become the numeric matrix the ml.js model reads (one-hot or
 *   ordinal categories, imputation means, scaling); stored in the artifact.
 * - test result: the one standardized evaluation record (TestResult) every test
 *   produces, classification or regression, with optional fairness and drift.
 * - PSI: population stability index, the drift measure between a reference
 *   distribution (training data) and a current one.
 */

/** What a model predicts: a class or a number. */
export type ModelType = 'classification' | 'regression';

/** Built-in trainers (ml.js). */
export type Algorithm = 'logistic-regression' | 'random-forest' | 'decision-tree';

/** One value of a row. */
export type Cell = string | number | null;

/** One record: column name → cell. */
export type Row = Record<string, Cell>;

/** A feature column as the model knows it. */
export interface FeatureSpec {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Categorical only: the categories seen in training, sorted. */
  categories?: string[];
}

/** Options of `trainModel`. */
export interface TrainOptions {
  algorithm: Algorithm;
  type: ModelType;
  features: string[];
  label: string;
  /** Deterministic: same data + options + seed ⇒ identical artifact (but for `trainedAt`, see below). Default 42. */
  seed?: number;
  /** Per-algorithm knobs; unknown names are rejected. See `src/ml/README.md`. */
  hyperparameters?: Record<string, number>;
  /** Classification: which class is "positive" (default: the second sorted class, e.g. "1" or "yes"). */
  positiveClass?: string;
  /** Overrides the inferred kind of a feature (e.g. a numeric-looking zip code that is categorical). */
  featureKinds?: Record<string, FeatureSpec['kind']>;
  /** Timestamp written to the artifact (default: now). Pin it for byte-identical artifacts. */
  trainedAt?: string;
}

/** A trained model as plain JSON. */
export interface ModelArtifact {
  format: 'stagegate-model/1';
  algorithm: Algorithm;
  type: ModelType;
  label: string;
  features: FeatureSpec[];
  classes?: string[];
  positiveClass?: string;
  /** FeatureEncoding (see `encoding/feature-encoding.ts`): categorical codes, imputation means, scaling. */
  encoding: unknown;
  /** The ml.js model's JSON (`toJSON()` of the ml.js class). */
  model: unknown;
  trainedAt: string;
  /** The seed the model was trained with. */
  seed?: number;
  /** The effective hyperparameters (defaults filled in). */
  hyperparameters?: Record<string, number>;
}

/** What `trainModel` measured. */
export interface TrainingMetrics {
  rows: number;
  durationMs: number;
  /** The model scored on its own training rows (optimistic; use a holdout for a real test). */
  training: TestMetrics;
}

/** One prediction. */
export interface Prediction {
  /** Classification: the class; regression: the number. */
  value: string | number;
  /** Classification: class → probability, summing to 1. */
  probabilities?: Record<string, number>;
}

/** A loaded model. */
export interface Predictor {
  readonly artifact: ModelArtifact;
  /** Scores rows; extra columns are ignored, mistyped values throw `PredictionInputError`. */
  predict(rows: Row[]): Prediction[];
}

/** One thing wrong with prediction input. `row` is the 0-based index in the input. */
export interface InputProblem {
  row: number;
  feature?: string;
  message: string;
}

/** Result of `checkInput`. */
export type InputCheck =
  | {
      ok: true;
      /** The rows reduced to the model's features, numeric strings parsed, empty values as null. */
      rows: Row[];
      /** Allowed but noteworthy: categories the model never saw in training (scored with the "unknown" encoding). */
      warnings?: InputProblem[];
    }
  | { ok: false; problems: InputProblem[] };

/** Classification metrics. Binary: for the positive class; more classes: macro averages (see README). */
export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** null when not computable (a single class among the actual labels, or no probabilities). */
  rocAuc: number | null;
  /** null when the predictor gives no probabilities. */
  logLoss: number | null;
  /** Rows are actual labels, columns predicted labels, both in `labels` order. */
  confusionMatrix: { labels: string[]; matrix: number[][] };
}

/** Regression metrics. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** Metrics of one test. */
export type TestMetrics = ClassificationMetrics | RegressionMetrics;

/** Disparate impact of the model's decisions over a protected attribute. */
export interface FairnessResult {
  protectedAttribute: string;
  privilegedGroup: string;
  /** positiveRate: the share of the group's rows predicted as `outcome`. */
  groups: { group: string; count: number; positiveRate: number }[];
  /** min over the other groups of positiveRate(group) / positiveRate(privileged); null when undefined. */
  disparateImpact: number | null;
  /** The predicted class counted as the (favorable) outcome. */
  outcome?: string;
}

/** Input drift of every feature against reference rows. */
export interface DriftResult {
  features: { feature: string; psi: number }[];
  maxPsi: number;
}

/** The one standardized test result (SPEC §5 `test` topic). */
export interface TestResult {
  schema: 'stagegate-test-result/1';
  type: ModelType;
  rows: number;
  metrics: TestMetrics;
  fairness?: FairnessResult;
  drift?: DriftResult;
  evaluatedAt: string;
}

/** Options of `evaluateModel`. */
export interface EvaluateOptions {
  /** Column whose groups fairness compares (classification only). */
  protectedAttribute?: string;
  /** The reference group; default: the group with the highest outcome rate (four-fifths rule). */
  privilegedGroup?: string;
  /** Rows to measure input drift against, usually the training data. */
  referenceRows?: Row[];
  /** The predicted class fairness counts as the favorable outcome (default: the positive class). */
  favorableClass?: string;
  /** Number of PSI bins for numeric features (default 10). */
  driftBins?: number;
  /** Timestamp written to the result (default: now). */
  evaluatedAt?: string;
}

/** A bound on one metric (SPEC §5 `check-thresholds`). */
export interface Threshold {
  /** "accuracy", "rocAuc", "rmse", "fairness.disparateImpact", "drift.maxPsi", "drift.psi.<feature>", ... */
  metric: string;
  min?: number;
  max?: number;
}

/** One threshold the test result does not meet. */
export interface ThresholdBreach {
  metric: string;
  value: number | null;
  min?: number;
  max?: number;
  message: string;
}

/** Result of `checkThresholds`. */
export interface ThresholdCheck {
  passed: boolean;
  breaches: ThresholdBreach[];
}

/** Options of `generateCreditRisk`. */
export interface CreditRiskOptions {
  rows: number;
  seed: number;
  /** 0 = training distribution, 1 = strongly shifted (lower incomes, more debt, a harsher default relationship). */
  drift?: number;
  /** First `applied_at` (default 2025-01-01T00:00:00Z). */
  start?: Date;
  /** Last `applied_at` (default start + 30 days). */
  end?: Date;
  /** Share of cells of income, employment and credit_score left empty (default 0). */
  missingRate?: number;
}
