import { checkThresholds, type TestResult } from '../../src/ml';

const classification: TestResult = {
  schema: 'stagegate-test-result/1',
  type: 'classification',
  rows: 500,
  metrics: {
    accuracy: 0.84,
    precision: 0.7,
    recall: 0.55,
    f1: 0.616,
    rocAuc: 0.87,
    logLoss: 0.35,
    confusionMatrix: { labels: ['0', '1'], matrix: [[350, 30], [50, 70]] },
  },
  fairness: { protectedAttribute: 'gender', privilegedGroup: 'male', groups: [], disparateImpact: 0.72 },
  drift: { features: [{ feature: 'income', psi: 0.31 }, { feature: 'age', psi: 0.02 }], maxPsi: 0.31 },
  evaluatedAt: '2025-01-01T00:00:00.000Z',
};

describe('checkThresholds', () => {
  it('passes when every threshold is met (bounds inclusive)', () => {
    expect(
      checkThresholds(classification, [
        { metric: 'accuracy', min: 0.84 },
        { metric: 'rocAuc', min: 0.8, max: 1 },
        { metric: 'metrics.logLoss', max: 0.5 },
        { metric: 'drift.psi.age', max: 0.1 },
        { metric: 'rows', min: 100 },
      ]),
    ).toEqual({ passed: true, breaches: [] });
  });

  it('reports each breach with its value, bounds and a message', () => {
    expect(
      checkThresholds(classification, [
        { metric: 'accuracy', min: 0.9 },
        { metric: 'fairness.disparateImpact', min: 0.8 },
        { metric: 'drift.maxPsi', max: 0.25 },
        { metric: 'recall', min: 0.5, max: 0.54 },
      ]),
    ).toEqual({
      passed: false,
      breaches: [
        { metric: 'accuracy', value: 0.84, min: 0.9, message: 'accuracy 0.84 is below the minimum 0.9' },
        { metric: 'fairness.disparateImpact', value: 0.72, min: 0.8, message: 'fairness.disparateImpact 0.72 is below the minimum 0.8' },
        { metric: 'drift.maxPsi', value: 0.31, max: 0.25, message: 'drift.maxPsi 0.31 is above the maximum 0.25' },
        { metric: 'recall', value: 0.55, min: 0.5, max: 0.54, message: 'recall 0.55 is above the maximum 0.54' },
      ],
    });
  });

  it('treats a missing, null or malformed metric as a breach with a clear message', () => {
    const regression: TestResult = { ...classification, type: 'regression', metrics: { rmse: 3, mae: 2, r2: 0.9 }, fairness: undefined, drift: undefined };
    const withNullAuc: TestResult = { ...classification, metrics: { ...classification.metrics, rocAuc: null } as TestResult['metrics'] };
    expect(checkThresholds(classification, [{ metric: 'rmse', max: 5 }]).breaches[0].message).toBe(
      'rmse is not a metric of this test result (a classification result has accuracy, precision, recall, f1, rocAuc, logLoss)',
    );
    expect(checkThresholds(regression, [{ metric: 'fairness.disparateImpact', min: 0.8 }]).breaches[0].message).toBe(
      'fairness.disparateImpact is not in this test result: fairness was not measured (no protected attribute)',
    );
    expect(checkThresholds(regression, [{ metric: 'drift.maxPsi', max: 0.2 }]).breaches[0].message).toBe('drift.maxPsi is not in this test result: drift was not measured (no reference rows)');
    expect(checkThresholds(classification, [{ metric: 'drift.psi.zip', max: 0.2 }]).breaches[0].message).toBe('drift.psi.zip: "zip" is not a feature of this model');
    expect(checkThresholds(withNullAuc, [{ metric: 'rocAuc', min: 0.7 }]).breaches[0]).toEqual({
      metric: 'rocAuc',
      value: null,
      min: 0.7,
      message: 'rocAuc is null in this test result (it could not be computed on these rows)',
    });
    expect(checkThresholds(classification, [{ metric: 'accuracy' }]).breaches[0].message).toBe('threshold on accuracy needs a numeric min and/or max');
    expect(checkThresholds(classification, [{ metric: 'confusionMatrix', min: 0 }]).passed).toBe(false);
    expect(checkThresholds(regression, [{ metric: 'r2', min: 0.5 }, { metric: 'rmse', max: 3 }])).toEqual({ passed: true, breaches: [] });
  });
});
