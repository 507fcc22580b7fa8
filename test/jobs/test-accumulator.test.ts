import { TestAccumulator } from '../../src/jobs/test-accumulator';
import { evaluateModel, generateCreditRisk, loadModel, trainModel, type Row } from '../../src/ml';

/** Feeds rows in uneven batches, as the job's pages arrive. */
function accumulate(accumulator: TestAccumulator, rows: Row[], batch = 137): void {
  for (let i = 0; i < rows.length; i += batch) accumulator.add(rows.slice(i, i + batch));
}

describe('the worker\'s batch-by-batch test result', () => {
  const train = generateCreditRisk({ rows: 1500, seed: 3 });
  const test = generateCreditRisk({ rows: 1200, seed: 4, drift: 0.5, missingRate: 0.05 });
  const evaluatedAt = '2025-06-01T00:00:00.000Z';
  const features = ['age', 'region', 'employment', 'income', 'debt_ratio', 'loan_amount', 'credit_score'];

  it('equals evaluateModel on the same rows: classification with fairness and drift', () => {
    const { artifact } = trainModel(train, { algorithm: 'decision-tree', type: 'classification', features, label: 'default' });
    const options = { protectedAttribute: 'gender', evaluatedAt };
    const accumulator = new TestAccumulator(loadModel(artifact), options);
    const reference = train.slice(0, 700);
    accumulator.addReference(reference.slice(0, 300));
    accumulator.addReference(reference.slice(300));
    accumulate(accumulator, test);
    expect(() => accumulator.addReference(reference)).toThrow('the reference rows must come before the test rows');
    expect(accumulator.finish()).toEqual(evaluateModel(loadModel(artifact), test, { ...options, referenceRows: reference }));
  });

  it('equals evaluateModel on the same rows: regression, no drift', () => {
    const { artifact } = trainModel(train, { algorithm: 'random-forest', type: 'regression', features: ['age', 'region', 'income', 'debt_ratio'], label: 'credit_score', hyperparameters: { nEstimators: 5 } });
    const labeled = test.filter((row) => row.credit_score !== null && row.credit_score !== '');
    const accumulator = new TestAccumulator(loadModel(artifact), { evaluatedAt });
    accumulate(accumulator, labeled, 500);
    const result = accumulator.finish();
    expect(result).toEqual(evaluateModel(loadModel(artifact), labeled, { evaluatedAt }));
    expect(result.drift).toBeUndefined();
  });

  it('takes a command\'s predictions after the rows and gives the same result; without recorded classes it uses those seen', () => {
    const { artifact } = trainModel(train, { algorithm: 'logistic-regression', type: 'classification', features, label: 'default' });
    const predictions = loadModel(artifact).predict(test);
    const { classes: _classes, positiveClass: _positive, ...withoutClasses } = artifact;
    const commandModel = { artifact: withoutClasses as typeof artifact, predict: () => { throw new Error('not here'); } };
    const options = { protectedAttribute: 'gender', evaluatedAt };
    const accumulator = new TestAccumulator(commandModel, options);
    for (let i = 0; i < test.length; i += 400) accumulator.addRows(test.slice(i, i + 400));
    for (let i = 0; i < predictions.length; i += 250) accumulator.addPredictions(predictions.slice(i, i + 250));
    expect(accumulator.finish()).toEqual(evaluateModel(loadModel(artifact), test, options));

    const short = new TestAccumulator(commandModel, options);
    short.addRows(test.slice(0, 10));
    short.addPredictions(predictions.slice(0, 9));
    expect(() => short.finish()).toThrow('9 predictions for 10 rows');
  });

  it('equals evaluateModel for more than two classes, with probabilities that leave out a class in some rows', () => {
    const { artifact } = trainModel(train, { algorithm: 'logistic-regression', type: 'classification', features: ['age', 'income', 'debt_ratio', 'credit_score'], label: 'region' });
    expect(artifact.classes!.length).toBeGreaterThan(2);
    const predictions = loadModel(artifact)
      .predict(test)
      .map((prediction, i) => {
        if (i % 3 !== 0) return prediction;
        const { [artifact.classes![i % artifact.classes!.length]]: _left, ...rest } = prediction.probabilities!;
        return { ...prediction, probabilities: rest };
      });
    // The same predictions for both: a predictor that answers with them.
    const scored = { artifact, predict: (rows: Row[]) => predictions.slice(0, rows.length) };
    const accumulator = new TestAccumulator(scored, { evaluatedAt });
    accumulator.addReference(train.slice(0, 500));
    accumulator.addRows(test);
    for (let i = 0; i < predictions.length; i += 333) accumulator.addPredictions(predictions.slice(i, i + 333));
    const expected = evaluateModel(scored, test, { evaluatedAt, referenceRows: train.slice(0, 500) });
    expect((expected.metrics as { rocAuc: number | null }).rocAuc).not.toBeNull();
    expect(accumulator.finish()).toEqual(expected);
  });

  it('names the row without a label by its place in the whole test, not in its batch', () => {
    const { artifact } = trainModel(train, { algorithm: 'logistic-regression', type: 'classification', features, label: 'default' });
    const rows = test.slice(0, 300).map((row, i) => (i === 250 ? { ...row, default: '' } : row));
    const accumulator = new TestAccumulator(loadModel(artifact));
    expect(() => accumulate(accumulator, rows, 100)).toThrow('label "default" is empty in row 250; every test row needs one');
    expect(() => new TestAccumulator(loadModel(artifact)).finish()).toThrow(/no rows to test/);
  });
});
