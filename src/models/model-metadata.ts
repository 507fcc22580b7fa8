/**
 * What a model's `metadata` holds (SPEC §7): the thresholds its tests must
 * meet, whether the lifecycle process trains it, fairness settings and the
 * defaults of its training jobs. Validated at the edge; the rules that need
 * the model's type live here too.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import type { ModelType } from '../ml';

export const MODEL_TYPES = ['classification', 'regression'] as const;
export const IMPORTANCE = ['critical', 'high', 'moderate', 'low'] as const;
export const ALGORITHM_NAMES = ['logistic-regression', 'random-forest', 'decision-tree'] as const;

export const ThresholdSchema = z
  .object({
    metric: z.string().trim().min(1).max(200),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict()
  .refine((t) => t.min !== undefined || t.max !== undefined, { message: 'a threshold needs min and/or max' })
  .refine((t) => t.min === undefined || t.max === undefined || t.min <= t.max, { message: 'min must not exceed max' })
  .openapi('Threshold');

const ColumnName = z.string().trim().min(1).max(200);

/** One argv element: spawned as is, never through a shell. */
const CommandArg = z
  .string()
  .min(1)
  .max(4096)
  .refine((arg) => !arg.includes('\0'), { message: 'an argument must not contain a NUL character' });
const Argv = z.array(CommandArg).min(1).max(100);

/**
 * The `command` runtime (see `processes/README.md`, "The command runtime"):
 * the model is trained and scored by its own program. Setting it needs
 * `settings:edit` or `definitions:deploy`: it runs arbitrary programs on the server.
 */
export const ModelCommandSchema = z
  .object({
    train: Argv.optional().describe('argv of the training command, e.g. ["python3", "/opt/models/churn.py", "train"]'),
    score: Argv.optional().describe('argv of the scoring command (test jobs)'),
    timeoutMs: z.number().int().min(100).max(86_400_000).optional().describe('per run; default 1 hour'),
  })
  .strict()
  .refine((command) => command.train || command.score, { message: 'a command needs train and/or score' })
  .openapi('ModelCommand');

export type ModelCommand = z.infer<typeof ModelCommandSchema>;

/** How long a command may run when the model does not say. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 3_600_000;

/** Optional metadata keys; in an update, `null` removes one. */
const optionalFields = {
  protectedAttribute: ColumnName,
  privilegedGroup: z.string().max(200),
  /** Training defaults: feature columns, label column, algorithm, dataset, knobs, positive class. */
  features: z.array(ColumnName).min(1).max(1000),
  label: ColumnName,
  algorithm: z.enum(ALGORITHM_NAMES),
  datasetId: z.uuid(),
  hyperparameters: z.record(z.string(), z.number().finite()),
  positiveClass: z.string().max(200),
  command: ModelCommandSchema,
};

export const ModelMetadataSchema = z
  .object({
    thresholds: z.array(ThresholdSchema).max(100).default([]),
    /** The lifecycle process retrains the model when a version is submitted. */
    train: z.boolean().default(false),
    protectedAttribute: optionalFields.protectedAttribute.optional(),
    privilegedGroup: optionalFields.privilegedGroup.optional(),
    features: optionalFields.features.optional(),
    label: optionalFields.label.optional(),
    algorithm: optionalFields.algorithm.optional(),
    datasetId: optionalFields.datasetId.optional(),
    hyperparameters: optionalFields.hyperparameters.optional(),
    positiveClass: optionalFields.positiveClass.optional(),
    command: optionalFields.command.optional(),
  })
  .strict()
  .openapi('ModelMetadata');

/** Metadata in an update: the keys given replace the stored ones; `null` removes an optional key. */
export const ModelMetadataPatchSchema = z
  .object({
    thresholds: z.array(ThresholdSchema).max(100).optional(),
    train: z.boolean().optional(),
    ...Object.fromEntries(Object.entries(optionalFields).map(([key, schema]) => [key, schema.nullable().optional()])),
  })
  .strict()
  .openapi('ModelMetadataChanges');

export type ModelMetadataPatch = { thresholds?: ModelMetadata['thresholds']; train?: boolean } & {
  [K in keyof typeof optionalFields]?: z.infer<(typeof optionalFields)[K]> | null;
};

/** Applies a metadata update to the stored metadata. */
export function mergeMetadata(before: ModelMetadata, patch: ModelMetadataPatch): ModelMetadata {
  const merged: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as ModelMetadata;
}

export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;

const CLASSIFICATION_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss', 'fairness.disparateImpact'];
const REGRESSION_METRICS = ['rmse', 'mae', 'r2'];
const COMMON_METRICS = ['rows', 'drift.maxPsi'];

/** The metrics a threshold may name for a model type (plus `drift.psi.<feature>`). */
export function metricsFor(type: ModelType): string[] {
  return [...(type === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS), ...COMMON_METRICS];
}

/** 400 when a threshold names a metric the model type does not have (e.g. rmse on a classifier). */
export function checkThresholdMetrics(type: ModelType, thresholds: readonly { metric: string }[]): void {
  const known = metricsFor(type);
  for (const { metric } of thresholds) {
    const name = metric.startsWith('metrics.') ? metric.slice('metrics.'.length) : metric;
    if (known.includes(name) || /^drift\.psi\..+/.test(name)) continue;
    throw new ValidationError(`threshold metric "${metric}" does not apply to a ${type} model; use one of ${known.join(', ')} or drift.psi.<feature>`, {
      metric,
      type,
    });
  }
}

/** 400 when the model's default algorithm cannot do its type (logistic regression is classification only). */
export function checkAlgorithm(type: ModelType, algorithm: string | undefined): void {
  if (algorithm === 'logistic-regression' && type === 'regression') {
    throw new ValidationError('logistic-regression does not do regression; use random-forest or decision-tree', { algorithm, type });
  }
}

/** The algorithm a training job uses when none is named. */
export function defaultAlgorithm(type: ModelType): (typeof ALGORITHM_NAMES)[number] {
  return type === 'classification' ? 'logistic-regression' : 'random-forest';
}
