/**
 * A synthetic credit-risk data set: loan applications with a default label, for
 * tests, the demo and benchmarks. Plausible rather than real: incomes are
 * log-normal and depend on age, employment, region and (a pay gap) gender; the
 * credit score follows income, debt and age; the default probability is a logistic
 * function of debt ratio, credit score, loan size relative to income and
 * employment, so good models reach a ROC AUC of roughly 0.8.
 *
 * `drift` (0..1) moves the population: lower and more spread incomes, more debt,
 * more unemployment, larger loans, and a slightly harsher default relationship.
 */
import { ModelDataError } from '../errors';
import type { CreditRiskOptions, Row } from '../types';
import { createSeededRandom, type SeededRandom } from './seeded-random';

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_START = new Date('2025-01-01T00:00:00Z');

/** Column names, in the order rows carry them. `default` is the label ("0"/"1"); `gender` is the protected attribute. */
export const CREDIT_RISK_COLUMNS = [
  'applied_at',
  'age',
  'gender',
  'region',
  'employment',
  'income',
  'debt_ratio',
  'loan_amount',
  'credit_score',
  'default',
] as const;

/** The feature columns a default model is meant to use (applied_at and the label excluded; gender kept for fairness checks only). */
export const CREDIT_RISK_FEATURES = ['age', 'region', 'employment', 'income', 'debt_ratio', 'loan_amount', 'credit_score'];

const REGIONS = [['north', 22], ['south', 24], ['east', 18], ['west', 21], ['central', 15]] as const;
const REGION_INCOME: Record<string, number> = { north: 0.05, south: -0.1, east: 0, west: 0.12, central: -0.05 };
const EMPLOYMENT_INCOME: Record<string, number> = { salaried: 0, 'self-employed': 0.1, contract: -0.1, unemployed: -0.9, retired: -0.35 };
const EMPLOYMENT_SCORE: Record<string, number> = { salaried: 0, 'self-employed': -5, contract: -15, unemployed: -40, retired: 10 };
const EMPLOYMENT_RISK: Record<string, number> = { salaried: 0, 'self-employed': 0.25, contract: 0.35, unemployed: 0.8, retired: -0.1 };

/** Generates `rows` loan applications; the same options always give the same rows. */
export function generateCreditRisk(options: CreditRiskOptions): Row[] {
  const { rows, seed } = options;
  if (!Number.isInteger(rows) || rows < 0) throw new ModelDataError(`rows must be a non-negative integer, got ${rows}`);
  if (!Number.isInteger(seed)) throw new ModelDataError(`seed must be an integer, got ${seed}`);
  const drift = clamp(options.drift ?? 0, 0, 1);
  const missingRate = clamp(options.missingRate ?? 0, 0, 1);
  const start = (options.start ?? DEFAULT_START).getTime();
  const end = options.end ? options.end.getTime() : start + 30 * DAY_MS;
  if (!(end >= start)) throw new ModelDataError('end must not be before start');
  const random = createSeededRandom(seed);
  const result: Row[] = [];
  for (let index = 0; index < rows; index += 1) {
    const appliedAt = start + ((index + random.next()) / Math.max(rows, 1)) * (end - start);
    result.push(generateApplication(random, drift, missingRate, new Date(Math.floor(appliedAt / 1000) * 1000)));
  }
  return result;
}

function generateApplication(random: SeededRandom, drift: number, missingRate: number, appliedAt: Date): Row {
  const age = Math.round(clamp(random.normal(42, 12), 21, 75));
  const gender = random.pick([['female', 48], ['male', 52]] as const);
  const region = random.pick(REGIONS);
  const employment =
    age >= 63
      ? random.pick([['retired', 75], ['salaried', 15], ['self-employed', 10]] as const)
      : random.pick([['salaried', 60], ['self-employed', 15], ['contract', 15], ['unemployed', 7 * (1 + 1.5 * drift)], ['retired', age >= 55 ? 8 : 1]] as const);

  const logIncomeMean =
    10.75 + 0.012 * (age - 42) - 0.0005 * (age - 42) ** 2 + EMPLOYMENT_INCOME[employment] + REGION_INCOME[region] - (gender === 'female' ? 0.08 : 0) - 0.35 * drift;
  const logIncome = random.normal(logIncomeMean, 0.4 + 0.15 * drift);
  const income = Math.max(5000, Math.round(Math.exp(logIncome) / 100) * 100);
  const debtRatio = round(clamp(random.normal(0.32 + 0.12 * drift + (employment === 'unemployed' ? 0.1 : 0), 0.12), 0, 1.2), 3);
  const loanAmount = Math.max(1000, Math.round((income * (0.1 + 0.5 * random.next()) * (1 + 0.3 * drift)) / 500) * 500);
  const creditScore = Math.round(
    clamp(665 + 45 * ((logIncome - 10.75) / 0.4) - 180 * (debtRatio - 0.32) + 1.2 * (age - 42) + EMPLOYMENT_SCORE[employment] + random.normal(0, 30), 300, 850),
  );

  const riskLogit =
    -2.2 +
    0.2 * drift +
    (1.1 + 0.2 * drift) * ((debtRatio - 0.32) / 0.12) -
    0.9 * ((creditScore - 640) / 60) +
    0.6 * ((loanAmount / income - 0.35) / 0.15) +
    EMPLOYMENT_RISK[employment] -
    0.1 * ((age - 42) / 12);
  const defaulted = random.next() < 1 / (1 + Math.exp(-riskLogit)) ? '1' : '0';

  const missingIncome = random.next() < missingRate;
  const missingEmployment = random.next() < missingRate;
  const missingScore = random.next() < missingRate;
  return {
    applied_at: appliedAt.toISOString(),
    age,
    gender,
    region,
    employment: missingEmployment ? null : employment,
    income: missingIncome ? null : income,
    debt_ratio: debtRatio,
    loan_amount: loanAmount,
    credit_score: missingScore ? null : creditScore,
    default: defaulted,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
