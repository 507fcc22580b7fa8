/**
 * Disparate impact of a model's decisions over a protected attribute: each
 * group's rate of the favorable predicted outcome, and the smallest ratio of
 * another group's rate to the privileged group's rate (the "four-fifths rule"
 * flags values below 0.8). The privileged group defaults to the group with the
 * highest rate (ties: the larger group, then the name sorted first). null when
 * there is a single group or the privileged rate is 0. Empty attribute values form
 * the group "(missing)".
 */
import { ModelDataError } from '../errors';
import { sortCategories } from '../schema/cell-values';
import type { FairnessResult } from '../types';

/** Group name used for rows whose protected attribute is empty. */
export const MISSING_GROUP = '(missing)';

/** Inputs of `computeFairness`; arrays are aligned by row. */
export interface FairnessOutcomes {
  protectedAttribute: string;
  groups: readonly string[];
  /** True where the model predicted the favorable outcome. */
  favorable: readonly boolean[];
  privilegedGroup?: string;
  outcome?: string;
}

/** Rows per protected group, and how many of them got the favorable outcome. */
export type GroupCounts = ReadonlyMap<string, { count: number; favorable: number }>;

/** Computes the fairness part of the standardized test result. */
export function computeFairness(outcomes: FairnessOutcomes): FairnessResult {
  const counts = new Map<string, { count: number; favorable: number }>();
  outcomes.groups.forEach((group, row) => {
    const entry = counts.get(group) ?? { count: 0, favorable: 0 };
    entry.count += 1;
    if (outcomes.favorable[row]) entry.favorable += 1;
    counts.set(group, entry);
  });
  return fairnessFromCounts(outcomes, counts);
}

/** The same from counted groups. */
export function fairnessFromCounts(outcomes: Omit<FairnessOutcomes, 'groups' | 'favorable'>, counts: GroupCounts): FairnessResult {
  const groups = sortCategories(counts.keys()).map((group) => {
    const { count, favorable } = counts.get(group) as { count: number; favorable: number };
    return { group, count, positiveRate: favorable / count };
  });
  if (groups.length === 0) throw new ModelDataError(`no rows to measure fairness over "${outcomes.protectedAttribute}"`);
  const privileged = outcomes.privilegedGroup ?? [...groups].sort((a, b) => b.positiveRate - a.positiveRate || b.count - a.count)[0].group;
  const reference = groups.find((group) => group.group === privileged);
  if (!reference) {
    throw new ModelDataError(`privileged group ${JSON.stringify(privileged)} does not occur in "${outcomes.protectedAttribute}" (groups: ${groups.map((g) => g.group).join(', ')})`);
  }
  const others = groups.filter((group) => group.group !== privileged);
  const disparateImpact = others.length === 0 || reference.positiveRate === 0 ? null : Math.min(...others.map((group) => group.positiveRate / reference.positiveRate));
  const result: FairnessResult = { protectedAttribute: outcomes.protectedAttribute, privilegedGroup: privileged, groups, disparateImpact };
  if (outcomes.outcome !== undefined) result.outcome = outcomes.outcome;
  return result;
}
