/**
 * Every metric of the standardized test result against an independent computation
 * written here, on small hand-made examples.
 */
import {
  computeClassificationMetrics,
  computeFairness,
  computeRegressionMetrics,
  evaluateModel,
  populationStabilityIndex,
  PSI_EPSILON,
  rocAuc,
  type ClassificationMetrics,
  type ModelArtifact,
  type Predictor,
  type RegressionMetrics,
  type Row,
} from '../../src/ml';

// Ten scored rows of a binary classifier (positive class "1").
const actual = ['1', '1', '1', '1', '0', '0', '0', '0', '0', '0'];
const predicted = ['1', '1', '1', '0', '1', '1', '0', '0', '0', '0'];
const positiveScore = [0.9, 0.8, 0.7, 0.4, 0.6, 0.55, 0.3, 0.2, 0.1, 0.4];

/** ROC AUC by its definition: over all (positive, negative) pairs, the share ranked correctly, ties half. */
function pairwiseAuc(scores: number[], positive: boolean[]): number {
  let favourable = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (!positive[i]) return;
    scores.forEach((n, j) => {
      if (positive[j]) return;
      pairs += 1;
      favourable += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return favourable / pairs;
}

function stubPredictor(artifact: Partial<ModelArtifact>, predict: (row: Row) => { value: string | number; probabilities?: Record<string, number> }): Predictor {
  const full = { format: 'stagegate-model/1', algorithm: 'decision-tree', label: 'y', features: [], encoding: {}, model: {}, trainedAt: '2025-01-01T00:00:00Z', ...artifact } as ModelArtifact;
  return { artifact: full, predict: (rows) => rows.map(predict) };
}

describe('classification metrics', () => {
  // Counted by hand from the rows above: TP = rows 0-2, FN = row 3, FP = rows 4-5, TN = rows 6-9.
  const [tp, fn, fp, tn] = [3, 1, 2, 4];
  const handAccuracy = (tp + tn) / 10;
  const handPrecision = tp / (tp + fp);
  const handRecall = tp / (tp + fn);
  const handF1 = (2 * handPrecision * handRecall) / (handPrecision + handRecall);
  const handLogLoss = -actual.reduce((sum, label, i) => sum + Math.log(label === '1' ? positiveScore[i] : 1 - positiveScore[i]), 0) / actual.length;

  function check(metrics: ClassificationMetrics): void {
    expect(metrics.accuracy).toBeCloseTo(handAccuracy, 12);
    expect(metrics.precision).toBeCloseTo(handPrecision, 12);
    expect(metrics.recall).toBeCloseTo(handRecall, 12);
    expect(metrics.f1).toBeCloseTo(handF1, 12);
    expect(metrics.rocAuc).toBeCloseTo(pairwiseAuc(positiveScore, actual.map((label) => label === '1')), 12);
    expect(metrics.rocAuc).toBeCloseTo(21.5 / 24, 12); // 3 positives beat all 6 negatives, 0.4 beats 3 and ties 1
    expect(metrics.logLoss).toBeCloseTo(handLogLoss, 12);
    expect(metrics.confusionMatrix).toEqual({ labels: ['0', '1'], matrix: [[tn, fp], [fn, tp]] });
  }

  it('computes accuracy, precision, recall, F1, ROC AUC, log loss and the confusion matrix', () => {
    expect([handAccuracy, handPrecision, handRecall]).toEqual([0.7, 0.6, 0.75]);
    check(
      computeClassificationMetrics({
        actual,
        predicted,
        probabilities: positiveScore.map((p) => ({ '0': 1 - p, '1': p })),
        classes: ['0', '1'],
        positiveClass: '1',
      }),
    );
  });

  it('gives the same numbers through evaluateModel', () => {
    const rows = actual.map((y, i) => ({ y, predicted: predicted[i], score: positiveScore[i] }));
    const predictor = stubPredictor({ type: 'classification', classes: ['0', '1'], positiveClass: '1' }, (row) => ({
      value: row.predicted as string,
      probabilities: { '0': 1 - (row.score as number), '1': row.score as number },
    }));
    const result = evaluateModel(predictor, rows, { evaluatedAt: '2025-02-01T00:00:00.000Z' });
    expect(result).toMatchObject({ schema: 'stagegate-test-result/1', type: 'classification', rows: 10, evaluatedAt: '2025-02-01T00:00:00.000Z' });
    check(result.metrics as ClassificationMetrics);
  });

  it('reports null ROC AUC and log loss when they cannot be computed', () => {
    const metrics = computeClassificationMetrics({ actual: ['1', '1'], predicted: ['1', '0'], classes: ['0', '1'], positiveClass: '1' });
    expect(metrics.rocAuc).toBeNull();
    expect(metrics.logLoss).toBeNull();
    expect(metrics.precision).toBe(1);
    expect(metrics.recall).toBe(0.5);
  });

  it('macro-averages precision, recall and F1 over three classes', () => {
    const threeActual = ['a', 'a', 'b', 'b', 'c', 'c'];
    const threePredicted = ['a', 'b', 'b', 'b', 'c', 'a'];
    // Per class, by hand: a: P 1/2 R 1/2; b: P 2/3 R 1; c: P 1 R 1/2.
    const precisions = [1 / 2, 2 / 3, 1];
    const recalls = [1 / 2, 1, 1 / 2];
    const f1s = precisions.map((p, i) => (2 * p * recalls[i]) / (p + recalls[i]));
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const metrics = computeClassificationMetrics({ actual: threeActual, predicted: threePredicted, classes: ['a', 'b', 'c'], positiveClass: 'b' });
    expect(metrics.accuracy).toBeCloseTo(4 / 6, 12);
    expect(metrics.precision).toBeCloseTo(mean(precisions), 12);
    expect(metrics.recall).toBeCloseTo(mean(recalls), 12);
    expect(metrics.f1).toBeCloseTo(mean(f1s), 12);
    expect(metrics.confusionMatrix.matrix).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
  });

  it('computes ROC AUC with ties by the pairwise definition on random scores', () => {
    const scores = Array.from({ length: 300 }, (_, i) => Math.round(((i * 7919) % 101) / 10) / 10);
    const positive = scores.map((_, i) => (i * 31) % 7 < 3);
    expect(rocAuc(scores, positive)).toBeCloseTo(pairwiseAuc(scores, positive), 12);
  });
});

describe('regression metrics', () => {
  const truth = [3, -0.5, 2, 7];
  const guess = [2.5, 0, 2, 8];

  function check(metrics: RegressionMetrics): void {
    const errors = truth.map((value, i) => value - guess[i]); // 0.5, -0.5, 0, -1
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length; // 2.875
    const ssRes = errors.reduce((sum, e) => sum + e * e, 0); // 1.5
    const ssTot = truth.reduce((sum, v) => sum + (v - mean) ** 2, 0); // 29.1875
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(ssRes / 4), 12);
    expect(metrics.mae).toBeCloseTo(errors.reduce((sum, e) => sum + Math.abs(e), 0) / 4, 12);
    expect(metrics.r2).toBeCloseTo(1 - ssRes / ssTot, 12);
    expect(metrics.r2).toBeCloseTo(0.9486, 4);
  }

  it('computes RMSE, MAE and R²', () => {
    check(computeRegressionMetrics(truth, guess));
  });

  it('gives the same numbers through evaluateModel', () => {
    const predictor = stubPredictor({ type: 'regression' }, (row) => ({ value: row.guess as number }));
    const result = evaluateModel(predictor, truth.map((y, i) => ({ y: String(y), guess: guess[i] })));
    expect(result.type).toBe('regression');
    check(result.metrics as RegressionMetrics);
  });

  it('handles a constant target like scikit-learn', () => {
    expect(computeRegressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(computeRegressionMetrics([2, 2], [1, 3]).r2).toBe(0);
  });
});

describe('population stability index', () => {
  const psiTerm = (a: number, e: number): number => (a - e) * Math.log(a / e);

  it('matches a hand computation with 2 numeric bins', () => {
    // Median edge of [1, 2, 3, 4] is 2.5: expected shares 1/2, 1/2; actual [1, 1, 1, 4]: 3/4, 1/4.
    const hand = psiTerm(0.75, 0.5) + psiTerm(0.25, 0.5);
    expect(populationStabilityIndex([1, 2, 3, 4], [1, 1, 1, 4], 2)).toBeCloseTo(hand, 12);
    expect(hand).toBeCloseTo(0.25 * Math.log(1.5) + 0.25 * Math.log(2), 12);
  });

  it('matches a hand computation for categories, and floors empty bins at epsilon', () => {
    expect(populationStabilityIndex(['a', 'a', 'b', 'b'], ['a', 'a', 'a', 'b'])).toBeCloseTo(psiTerm(0.75, 0.5) + psiTerm(0.25, 0.5), 12);
    expect(populationStabilityIndex([1, 2, 3, 4], [1, 1, 1, 1], 2)).toBeCloseTo(psiTerm(1, 0.5) + psiTerm(PSI_EPSILON, 0.5), 12);
  });

  it('is zero for identical distributions and counts empty cells as their own bin', () => {
    expect(populationStabilityIndex([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])).toBe(0);
    // Expected has no missing values, actual has 1 in 4: missing bin 1/4 vs epsilon, numeric bins 3/4 vs 1.
    const hand = psiTerm(0.25, PSI_EPSILON) + psiTerm(0.75, 1);
    expect(populationStabilityIndex([1, 1, 1, 1], [1, 1, 1, null], 2)).toBeCloseTo(hand, 12);
  });
});

describe('fairness', () => {
  // Group A: 10 rows, 6 favorable (rate 0.6); group B: 10 rows, 3 favorable (rate 0.3).
  const groups = [...Array(10).fill('A'), ...Array(10).fill('B')] as string[];
  const favorable = groups.map((group, i) => (group === 'A' ? i < 6 : i < 13));

  it('computes disparate impact by hand against the highest-rate group by default', () => {
    const result = computeFairness({ protectedAttribute: 'group', groups, favorable });
    expect(result.privilegedGroup).toBe('A');
    expect(result.groups).toEqual([
      { group: 'A', count: 10, positiveRate: 0.6 },
      { group: 'B', count: 10, positiveRate: 0.3 },
    ]);
    expect(result.disparateImpact).toBeCloseTo(0.3 / 0.6, 12);
  });

  it('uses the privileged group it is given', () => {
    expect(computeFairness({ protectedAttribute: 'group', groups, favorable, privilegedGroup: 'B' }).disparateImpact).toBeCloseTo(0.6 / 0.3, 12);
  });

  it('measures fairness of predictions through evaluateModel', () => {
    const rows = groups.map((group, i) => ({ y: favorable[i] ? '0' : '1', group, decision: favorable[i] ? '0' : '1' }));
    const predictor = stubPredictor({ type: 'classification', classes: ['0', '1'], positiveClass: '1' }, (row) => ({ value: row.decision as string }));
    const result = evaluateModel(predictor, rows, { protectedAttribute: 'group', favorableClass: '0' });
    expect(result.fairness).toMatchObject({ protectedAttribute: 'group', privilegedGroup: 'A', outcome: '0' });
    expect(result.fairness?.disparateImpact).toBeCloseTo(0.5, 12);
    expect((result.metrics as ClassificationMetrics).accuracy).toBe(1);
  });
});
