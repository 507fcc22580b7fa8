/**
 * Each built-in algorithm trained on the generated credit-risk data: sensible
 * quality on a holdout, determinism, artifacts that survive a JSON round trip,
 * progress, and clear errors for unusable options and data.
 */
import {
  CREDIT_RISK_FEATURES,
  evaluateModel,
  generateCreditRisk,
  loadModel,
  ModelDataError,
  rocAuc,
  trainModel,
  TrainOptionsError,
  type Algorithm,
  type ClassificationMetrics,
  type RegressionMetrics,
  type TrainOptions,
} from '../../src/ml';

const data = generateCreditRisk({ rows: 3000, seed: 7 });
const training = data.slice(0, 2000);
const holdout = data.slice(2000);
const classification = (algorithm: Algorithm, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  algorithm,
  type: 'classification',
  features: CREDIT_RISK_FEATURES,
  label: 'default',
  seed: 7,
  ...extra,
});
const SCORE_FEATURES = ['age', 'region', 'employment', 'income', 'debt_ratio'];

describe.each(['logistic-regression', 'random-forest', 'decision-tree'] as Algorithm[])('%s classification', (algorithm) => {
  const { artifact, metrics } = trainModel(training, classification(algorithm));

  it('reaches a sensible ROC AUC on a holdout, matching an independent computation', () => {
    const predictor = loadModel(JSON.parse(JSON.stringify(artifact)));
    const result = evaluateModel(predictor, holdout);
    const auc = (result.metrics as ClassificationMetrics).rocAuc as number;
    // Independent: rank the holdout by the predicted probability of default.
    const scores = predictor.predict(holdout).map((prediction) => prediction.probabilities?.['1'] as number);
    expect(auc).toBeCloseTo(rocAuc(scores, holdout.map((row) => row.default === '1')) as number, 12);
    expect(auc).toBeGreaterThan(0.75);
    expect((result.metrics as ClassificationMetrics).accuracy).toBeGreaterThan(0.77); // the majority class alone gives ~0.77
    console.log(`${algorithm}: holdout ROC AUC ${auc.toFixed(3)}, training ${(metrics.training as ClassificationMetrics).rocAuc?.toFixed(3)}`);
  });

  it('describes the model in the artifact', () => {
    expect(artifact).toMatchObject({ format: 'stagegate-model/1', algorithm, type: 'classification', label: 'default', classes: ['0', '1'], positiveClass: '1', seed: 7 });
    expect(artifact.features.find((feature) => feature.name === 'region')).toEqual({ name: 'region', kind: 'categorical', categories: ['central', 'east', 'north', 'south', 'west'] });
    expect(artifact.features.find((feature) => feature.name === 'income')).toEqual({ name: 'income', kind: 'numeric' });
    expect(metrics.rows).toBe(2000);
    expect(metrics.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('predicts classes with probabilities that sum to 1', () => {
    const [prediction] = loadModel(artifact).predict([holdout[0]]);
    expect(['0', '1']).toContain(prediction.value);
    const probabilities = prediction.probabilities as Record<string, number>;
    expect(probabilities['0'] + probabilities['1']).toBeCloseTo(1, 9);
    expect(prediction.value).toBe(probabilities['1'] > probabilities['0'] ? '1' : '0');
  });
});

describe.each(['random-forest', 'decision-tree'] as Algorithm[])('%s regression', (algorithm) => {
  it('predicts credit_score with R² > 0.5 on a holdout', () => {
    const hyperparameters: Record<string, number> = algorithm === 'random-forest' ? { nEstimators: 15 } : {};
    const { artifact } = trainModel(training, { algorithm, type: 'regression', features: SCORE_FEATURES, label: 'credit_score', seed: 7, hyperparameters });
    expect(artifact.classes).toBeUndefined();
    const metrics = evaluateModel(loadModel(artifact), holdout).metrics as RegressionMetrics;
    // Independent R².
    const predictions = loadModel(artifact).predict(holdout).map((prediction) => prediction.value as number);
    const actual = holdout.map((row) => row.credit_score as number);
    const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
    const r2 = 1 - actual.reduce((sum, y, i) => sum + (y - predictions[i]) ** 2, 0) / actual.reduce((sum, y) => sum + (y - mean) ** 2, 0);
    expect(metrics.r2).toBeCloseTo(r2, 12);
    expect(metrics.r2).toBeGreaterThan(0.5);
    console.log(`${algorithm}: credit_score holdout R² ${metrics.r2.toFixed(3)}, RMSE ${metrics.rmse.toFixed(1)}`);
  });
});

describe('determinism', () => {
  const small = training.slice(0, 800);
  it.each([
    ['random-forest', { nEstimators: 5 }],
    ['logistic-regression', { numSteps: 50 }],
    ['decision-tree', {}],
  ] as [Algorithm, Record<string, number>][])('%s: the same seed gives an identical artifact and predictions', (algorithm, hyperparameters) => {
    const options = classification(algorithm, { hyperparameters, trainedAt: '2025-03-01T00:00:00.000Z' });
    const first = trainModel(small, options).artifact;
    const second = trainModel(small, options).artifact;
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(loadModel(second).predict(holdout.slice(0, 200))).toEqual(loadModel(first).predict(holdout.slice(0, 200)));
  });

  it('a different seed gives a different forest', () => {
    const first = trainModel(small, classification('random-forest', { hyperparameters: { nEstimators: 5 } })).artifact;
    const other = trainModel(small, classification('random-forest', { seed: 8, hyperparameters: { nEstimators: 5 } })).artifact;
    expect(JSON.stringify(other.model)).not.toBe(JSON.stringify(first.model));
  });
});

describe('training details', () => {
  const small = training.slice(0, 500);

  it('reports rising whole percentages ending at 100, with steps inside the forest', () => {
    const reported: number[] = [];
    trainModel(small, classification('random-forest', { hyperparameters: { nEstimators: 10 } }), (percent) => reported.push(percent));
    expect(reported[0]).toBe(0);
    expect(reported[reported.length - 1]).toBe(100);
    expect(reported.every((percent, i) => i === 0 || percent > reported[i - 1])).toBe(true);
    expect(reported.filter((percent) => percent > 5 && percent < 90).length).toBeGreaterThanOrEqual(8);
  });

  it('imputes missing values and scores unseen categories', () => {
    const withGaps = generateCreditRisk({ rows: 600, seed: 3, missingRate: 0.1 });
    const { artifact } = trainModel(withGaps, classification('logistic-regression', { hyperparameters: { numSteps: 100 } }));
    const predictions = loadModel(artifact).predict([{ ...withGaps[0], income: null, employment: 'astronaut', region: '' }]);
    expect(Number.isFinite(predictions[0].probabilities?.['1'])).toBe(true);
  });

  it('honours positiveClass and featureKinds', () => {
    const { artifact } = trainModel(small, classification('decision-tree', { positiveClass: '0', featureKinds: { age: 'categorical' } }));
    expect(artifact.positiveClass).toBe('0');
    expect(artifact.features.find((feature) => feature.name === 'age')?.kind).toBe('categorical');
  });

  it('rejects unusable options with the reason', () => {
    const attempt = (options: Partial<TrainOptions>) => () => trainModel(small, { ...classification('random-forest'), ...options } as TrainOptions);
    expect(attempt({ algorithm: 'svm' as Algorithm })).toThrow(new TrainOptionsError('unknown algorithm "svm"; use one of logistic-regression, random-forest, decision-tree'));
    expect(attempt({ algorithm: 'logistic-regression', type: 'regression' })).toThrow('logistic-regression does not do regression; use random-forest or decision-tree');
    expect(attempt({ hyperparameters: { depth: 3 } })).toThrow('random-forest has no hyperparameter "depth"; it has maxBins, nEstimators, maxFeatures, maxDepth, minNumSamples');
    expect(attempt({ hyperparameters: { nEstimators: 2.5 } })).toThrow('hyperparameter nEstimators must be an integer, got 2.5');
    expect(attempt({ features: ['age', 'default'] })).toThrow('the label "default" cannot also be a feature');
    expect(attempt({ seed: 1.5 })).toThrow('seed must be an integer, got 1.5');
  });

  it('rejects data a model cannot be trained on with the reason', () => {
    const attempt = (rows: typeof small, options: Partial<TrainOptions> = {}) => () => trainModel(rows, { ...classification('decision-tree'), ...options });
    expect(attempt([])).toThrow(new ModelDataError('no rows to train on'));
    expect(attempt([...small.slice(0, 5), { ...small[5], default: null }])).toThrow('label "default" is empty in 1 row(s) (first: 5)');
    expect(attempt(small.map((row) => ({ ...row, default: '0' })))).toThrow('label "default" has a single class ("0"); classification needs at least two');
    expect(attempt(small, { features: ['age', 'incme'] })).toThrow('feature "incme" has no values in the training rows (is the column name right?)');
    expect(attempt(small, { type: 'regression', label: 'gender', features: ['age'] })).toThrow(`regression label "gender" is not a number in 500 row(s) (first: row 0, "${small[0].gender}")`);
    expect(attempt(small, { positiveClass: 'yes' })).toThrow('positiveClass "yes" is not a class of "default" (classes: 0, 1)');
    expect(attempt(small, { featureKinds: { region: 'numeric' } })).toThrow('numeric feature "region" is not a number in 500 row(s)');
  });
});
