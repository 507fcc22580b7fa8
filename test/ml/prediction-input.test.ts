/**
 * What a deployment's predict endpoint relies on: checkInput's verdicts on bad
 * rows, predict refusing what checkInput refuses, and loadModel refusing junk.
 */
import {
  checkInput,
  generateCreditRisk,
  InvalidArtifactError,
  loadModel,
  PredictionInputError,
  trainModel,
  type ModelArtifact,
} from '../../src/ml';

const rows = generateCreditRisk({ rows: 400, seed: 5 });
const { artifact } = trainModel(rows, {
  algorithm: 'decision-tree',
  type: 'classification',
  features: ['age', 'income', 'region'],
  label: 'default',
});
const good = { age: 40, income: 52000, region: 'north' };

describe('checkInput', () => {
  it('accepts well-formed rows and returns them reduced to the features, numeric strings parsed', () => {
    const result = checkInput(artifact, [good, { age: '61', income: null, region: 'west', default: '1' }]);
    expect(result).toEqual({ ok: true, rows: [good, { age: 61, income: null, region: 'west' }] });
  });

  it('rejects a missing feature', () => {
    expect(checkInput(artifact, [good, { age: 40, region: 'north' }])).toEqual({
      ok: false,
      problems: [{ row: 1, feature: 'income', message: 'missing feature "income" (send null for an unknown value)' }],
    });
  });

  it('rejects an extra column unless told to ignore extras', () => {
    const extra = { ...good, favourite_colour: 'blue' };
    expect(checkInput(artifact, [extra])).toEqual({
      ok: false,
      problems: [{ row: 0, feature: 'favourite_colour', message: 'unexpected column "favourite_colour"; the model\'s features are age, income, region' }],
    });
    expect(checkInput(artifact, [extra], { ignoreExtraColumns: true })).toEqual({ ok: true, rows: [good] });
  });

  it('rejects mistyped values and rows that are not objects', () => {
    const result = checkInput(artifact, [{ ...good, age: 'forty' }, { ...good, region: true }, 'age=40', { ...good, income: { amount: 1 } }]);
    expect(result).toEqual({
      ok: false,
      problems: [
        { row: 0, feature: 'age', message: 'expected a number for "age", got "forty"' },
        { row: 1, feature: 'region', message: 'expected a category (string) for "region", got boolean' },
        { row: 2, message: 'expected an object of feature values, got string' },
        { row: 3, feature: 'income', message: 'expected a number for "income", got object' },
      ],
    });
  });

  it('allows categories unseen in training and reports them as warnings', () => {
    expect(checkInput(artifact, [{ ...good, region: 'atlantis' }])).toEqual({
      ok: true,
      rows: [{ ...good, region: 'atlantis' }],
      warnings: [{ row: 0, feature: 'region', message: 'category "atlantis" was not seen in training; scored as unknown' }],
    });
  });

  it('throws on an artifact that is not one', () => {
    expect(() => checkInput({} as ModelArtifact, [good])).toThrow(InvalidArtifactError);
  });
});

describe('Predictor.predict', () => {
  const predictor = loadModel(artifact);

  it('ignores extra columns (such as the label) and scores unknown categories', () => {
    const [withExtras, unknown] = predictor.predict([{ ...good, default: '0', applied_at: '2025-01-01' }, { ...good, region: 'atlantis' }]);
    expect(withExtras.value).toMatch(/^[01]$/);
    expect(unknown.value).toMatch(/^[01]$/);
  });

  it('scores no rows as no predictions', () => {
    expect(predictor.predict([])).toEqual([]);
  });

  it('throws PredictionInputError listing the problems', () => {
    expect(() => predictor.predict([{ age: 'old', region: 'north' } as never])).toThrow(
      new PredictionInputError([
        { row: 0, feature: 'age', message: 'expected a number for "age", got "old"' },
        { row: 0, feature: 'income', message: 'missing feature "income" (send null for an unknown value)' },
      ]),
    );
  });
});

describe('loadModel', () => {
  const junk = (candidate: unknown) => () => loadModel(candidate as ModelArtifact);

  it('rejects things that are not artifacts, naming every problem', () => {
    expect(junk(null)).toThrow(new InvalidArtifactError(['expected an object, got null']));
    expect(junk('model.json')).toThrow('Not a valid stagegate-model/1 artifact: expected an object, got string');
    expect(junk({ format: 'onnx', algorithm: 'xgboost', type: 'ranking' })).toThrow(
      'Not a valid stagegate-model/1 artifact: format must be "stagegate-model/1", got "onnx"; algorithm must be one of logistic-regression, random-forest, decision-tree, got "xgboost"; type must be "classification" or "regression", got "ranking"; label must be a non-empty string; features must be a non-empty array of feature specs; model must be the ml.js model JSON object; trainedAt must be an ISO timestamp',
    );
  });

  it('rejects an artifact whose parts do not fit together', () => {
    expect(junk({ ...artifact, classes: ['0'] })).toThrow('classes must list at least two distinct class names');
    expect(junk({ ...artifact, algorithm: 'logistic-regression' })).toThrow('encoding.style must be "one-hot" for logistic-regression, got "ordinal"');
    expect(junk({ ...artifact, encoding: { ...(artifact.encoding as object), features: [] } })).toThrow('encoding.features must have one entry per feature');
  });

  it('rejects model JSON that ml.js cannot load or score', () => {
    expect(junk({ ...artifact, model: { name: 'DTClassifier' } })).toThrow(/model is not a working decision-tree classification model for these features/);
    expect(junk({ ...artifact, model: { name: 'RFClassifier' } })).toThrow(InvalidArtifactError);
  });

  it('accepts the artifact after a JSON round trip', () => {
    const copy = loadModel(JSON.parse(JSON.stringify(artifact)));
    expect(copy.predict([good])).toEqual(loadModel(artifact).predict([good]));
  });
});
