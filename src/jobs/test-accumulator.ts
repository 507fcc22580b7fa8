/**
 * The `test` task of a job's worker, batch by batch: each batch of test rows
 * is scored as it arrives and only what the test result needs is kept — the
 * label, the prediction, the protected group and the feature cells (for
 * drift), strings deduplicated — instead of every row object and every
 * prediction at once. A million rows then fit in a few hundred MB. The result
 * is the one `evaluateModel` gives for the same rows (a test compares them).
 *
 * For a model scored by its own command the rows come first and the command's
 * predictions later (`addRows`, then `addPredictions`, in the same order).
 */
import {
  computeClassificationMetrics,
  computeFairness,
  computeRegressionMetrics,
  DEFAULT_PSI_BINS,
  ModelDataError,
  populationStabilityIndex,
  TEST_RESULT_SCHEMA,
  type Cell,
  type EvaluateOptions,
  type Prediction,
  type Predictor,
  type Row,
  type TestResult,
} from '../ml';
import { categoryOfCell, isEmptyCell, parseNumericCell, sortCategories } from '../ml/schema/cell-values';

const MISSING_GROUP = '(missing)';

export class TestAccumulator {
  private rows = 0;
  private predictions = 0;
  private readonly actual: (string | number)[] = [];
  private readonly predicted: (string | number)[] = [];
  private probabilities: Record<string, number>[] | null = [];
  private readonly groups: string[] = [];
  private sawProtected = false;
  private readonly features: Map<string, Cell[]>;
  private readonly strings = new Map<string, string>();

  constructor(
    private readonly predictor: Predictor,
    private readonly options: Omit<EvaluateOptions, 'referenceRows'> = {},
  ) {
    this.features = new Map(predictor.artifact.features.map((feature) => [feature.name, []]));
  }

  /** Scores a batch and keeps its outcomes; throws for a row without a label or with mistyped values. */
  add(batch: Row[]): void {
    const predictions = this.predictor.predict(batch);
    this.addRows(batch);
    this.addPredictions(predictions);
  }

  /** Keeps the labels, groups and feature cells of rows whose predictions come later. */
  addRows(batch: Row[]): void {
    const { artifact } = this.predictor;
    const attribute = this.options.protectedAttribute;
    batch.forEach((row, index) => {
      const label = row[artifact.label];
      const at = this.rows + index;
      if (isEmptyCell(label)) throw new ModelDataError(`label "${artifact.label}" is empty in row ${at}; every test row needs one`);
      if (artifact.type === 'regression') {
        const value = parseNumericCell(label);
        if (value === undefined) throw new ModelDataError(`label "${artifact.label}" is not a number in row ${at} (${JSON.stringify(label)})`);
        this.actual.push(value);
      } else {
        this.actual.push(this.intern(categoryOfCell(label as string | number)));
      }
      if (attribute !== undefined) {
        if (Object.prototype.hasOwnProperty.call(row, attribute)) this.sawProtected = true;
        const cell = row[attribute];
        this.groups.push(isEmptyCell(cell) || (typeof cell !== 'string' && typeof cell !== 'number') ? MISSING_GROUP : this.intern(categoryOfCell(cell)));
      }
      for (const [name, cells] of this.features) {
        const cell = row[name] ?? null;
        cells.push(typeof cell === 'string' ? this.intern(cell) : cell);
      }
    });
    this.rows += batch.length;
  }

  /** The predictions of the next rows, in row order. */
  addPredictions(predictions: readonly Prediction[]): void {
    const regression = this.predictor.artifact.type === 'regression';
    for (const prediction of predictions) {
      if (regression) {
        this.predicted.push(Number(prediction.value));
        continue;
      }
      this.predicted.push(this.intern(String(prediction.value)));
      if (!prediction.probabilities) this.probabilities = null;
      else this.probabilities?.push(prediction.probabilities);
    }
    this.predictions += predictions.length;
  }

  /** The standardized test result; drift when reference rows are given. */
  finish(referenceRows?: Row[]): TestResult {
    const { artifact } = this.predictor;
    if (this.rows === 0) throw new ModelDataError('no rows to test the model on');
    if (this.predictions !== this.rows) throw new ModelDataError(`${this.predictions} predictions for ${this.rows} rows`);
    const result: TestResult = { schema: TEST_RESULT_SCHEMA, type: artifact.type, rows: this.rows, metrics: this.metrics(), evaluatedAt: this.options.evaluatedAt ?? new Date().toISOString() };
    if (this.options.protectedAttribute !== undefined) result.fairness = this.fairness(this.options.protectedAttribute);
    if (referenceRows?.length) {
      const features = artifact.features.map((feature) => ({
        feature: feature.name,
        psi: populationStabilityIndex(referenceRows.map((row) => row[feature.name] ?? null), this.features.get(feature.name)!, this.options.driftBins ?? DEFAULT_PSI_BINS, feature.kind),
      }));
      result.drift = { features, maxPsi: Math.max(...features.map((entry) => entry.psi)) };
    }
    return result;
  }

  private metrics(): TestResult['metrics'] {
    const { artifact } = this.predictor;
    if (artifact.type === 'regression') return computeRegressionMetrics(this.actual as number[], this.predicted as number[]);
    const classes = this.classes();
    return computeClassificationMetrics({
      actual: this.actual as string[],
      predicted: this.predicted as string[],
      ...(this.probabilities ? { probabilities: this.probabilities } : {}),
      classes,
      positiveClass: artifact.positiveClass ?? classes[1] ?? classes[0],
    });
  }

  /** The model's classes; for a command model that recorded none, those of the labels and predictions. */
  private classes(): string[] {
    const { artifact } = this.predictor;
    return artifact.classes?.length ? artifact.classes : sortCategories([...new Set([...this.actual, ...this.predicted] as string[])]);
  }

  private fairness(attribute: string): NonNullable<TestResult['fairness']> {
    const { artifact } = this.predictor;
    if (artifact.type !== 'classification') throw new ModelDataError(`fairness over "${attribute}" needs a classification model; this one does ${artifact.type}`);
    if (!this.sawProtected) throw new ModelDataError(`protected attribute "${attribute}" is not a column of the test rows`);
    const classes = this.classes();
    const outcome = this.options.favorableClass ?? artifact.positiveClass ?? classes[1];
    if (!classes.includes(outcome)) throw new ModelDataError(`favorableClass ${JSON.stringify(outcome)} is not a class of the model (${classes.join(', ')})`);
    return computeFairness({
      protectedAttribute: attribute,
      groups: this.groups,
      favorable: this.predicted.map((value) => value === outcome),
      privilegedGroup: this.options.privilegedGroup,
      outcome,
    });
  }

  /** One string object per distinct value: a million "north" cells share one. */
  private intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    if (this.strings.size < 100_000) this.strings.set(text, text);
    return text;
  }
}
