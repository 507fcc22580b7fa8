/**
 * Structural checks of a model artifact, before ml.js sees its model JSON. Lists
 * every problem found, so a bad upload is fixed in one round.
 */
import type { FeatureEncoding } from '../encoding/feature-encoding';
import { ALGORITHMS, isAlgorithm, TRAINERS } from '../training/trainers';
import type { ModelArtifact } from '../types';

/** The artifact format this library writes and reads. */
export const ARTIFACT_FORMAT = 'stagegate-model/1';

/** Problems that make `candidate` unusable as a ModelArtifact; empty when it looks like one. */
export function artifactProblems(candidate: unknown): string[] {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return [`expected an object, got ${candidate === null ? 'null' : Array.isArray(candidate) ? 'an array' : typeof candidate}`];
  const artifact = candidate as Partial<Record<keyof ModelArtifact, unknown>>;
  const problems: string[] = [];
  if (artifact.format !== ARTIFACT_FORMAT) problems.push(`format must be "${ARTIFACT_FORMAT}", got ${JSON.stringify(artifact.format)}`);
  if (!isAlgorithm(artifact.algorithm)) problems.push(`algorithm must be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(artifact.algorithm)}`);
  if (artifact.type !== 'classification' && artifact.type !== 'regression') problems.push(`type must be "classification" or "regression", got ${JSON.stringify(artifact.type)}`);
  else if (isAlgorithm(artifact.algorithm) && !TRAINERS[artifact.algorithm].supports.includes(artifact.type)) problems.push(`${artifact.algorithm} does not do ${artifact.type}`);
  if (typeof artifact.label !== 'string' || artifact.label === '') problems.push('label must be a non-empty string');
  problems.push(...featureProblems(artifact.features, artifact.label));
  if (artifact.type === 'classification') problems.push(...classProblems(artifact.classes, artifact.positiveClass));
  if (Array.isArray(artifact.features) && problems.length === 0) problems.push(...encodingProblems(artifact.encoding, artifact as ModelArtifact));
  if (typeof artifact.model !== 'object' || artifact.model === null) problems.push('model must be the ml.js model JSON object');
  if (typeof artifact.trainedAt !== 'string' || Number.isNaN(Date.parse(artifact.trainedAt))) problems.push('trainedAt must be an ISO timestamp');
  return problems;
}

function featureProblems(features: unknown, label: unknown): string[] {
  if (!Array.isArray(features) || features.length === 0) return ['features must be a non-empty array of feature specs'];
  const problems: string[] = [];
  const names = new Set<string>();
  features.forEach((feature: unknown, index) => {
    const spec = feature as { name?: unknown; kind?: unknown; categories?: unknown } | null;
    if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string' || spec.name === '') {
      problems.push(`features[${index}] must be an object with a name`);
      return;
    }
    if (names.has(spec.name)) problems.push(`feature "${spec.name}" appears twice`);
    if (spec.name === label) problems.push(`feature "${spec.name}" is also the label`);
    names.add(spec.name);
    if (spec.kind !== 'numeric' && spec.kind !== 'categorical') problems.push(`feature "${spec.name}" has kind ${JSON.stringify(spec.kind)}; expected "numeric" or "categorical"`);
    if (spec.categories !== undefined && !isStringArray(spec.categories)) problems.push(`feature "${spec.name}" categories must be an array of strings`);
  });
  return problems;
}

function classProblems(classes: unknown, positiveClass: unknown): string[] {
  if (!isStringArray(classes) || classes.length < 2 || new Set(classes).size !== classes.length) return ['classes must list at least two distinct class names'];
  if (positiveClass !== undefined && (typeof positiveClass !== 'string' || !classes.includes(positiveClass))) return [`positiveClass ${JSON.stringify(positiveClass)} is not one of the classes`];
  return [];
}

function encodingProblems(candidate: unknown, artifact: ModelArtifact): string[] {
  const encoding = candidate as Partial<FeatureEncoding> | null;
  if (typeof encoding !== 'object' || encoding === null) return ['encoding must be an object'];
  const expectedStyle = TRAINERS[artifact.algorithm].encoding.style;
  const problems: string[] = [];
  if (encoding.version !== 1) problems.push(`encoding.version must be 1, got ${JSON.stringify(encoding.version)}`);
  if (encoding.style !== expectedStyle) problems.push(`encoding.style must be "${expectedStyle}" for ${artifact.algorithm}, got ${JSON.stringify(encoding.style)}`);
  if (typeof encoding.scaleNumerics !== 'boolean') problems.push('encoding.scaleNumerics must be a boolean');
  if (!Array.isArray(encoding.features) || encoding.features.length !== artifact.features.length) return [...problems, 'encoding.features must have one entry per feature'];
  let columnCount = 0;
  encoding.features.forEach((feature, index) => {
    const spec = artifact.features[index];
    if (typeof feature !== 'object' || feature === null || feature.name !== spec.name || feature.kind !== spec.kind) {
      problems.push(`encoding.features[${index}] must encode ${spec.kind} feature "${spec.name}"`);
      return;
    }
    if (feature.kind === 'numeric') {
      columnCount += 1;
      if (!Number.isFinite(feature.mean) || !(feature.standardDeviation > 0)) problems.push(`encoding of "${spec.name}" needs a finite mean and a positive standardDeviation`);
    } else {
      if (!isStringArray(feature.codes)) problems.push(`encoding of "${spec.name}" needs codes, an array of category names`);
      columnCount += encoding.style === 'one-hot' && Array.isArray(feature.codes) ? feature.codes.length : 1;
      if (feature.unknownCode !== undefined && !Number.isFinite(feature.unknownCode)) problems.push(`encoding of "${spec.name}" has a non-numeric unknownCode`);
    }
  });
  if (!isStringArray(encoding.columns) || encoding.columns.length !== columnCount) problems.push(`encoding.columns must name the ${columnCount} encoded columns`);
  return problems;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
