/**
 * The `test` task of a job's worker, batch by batch: each batch of test rows
 * is scored as it arrives and only what the test result needs is kept, in
 * typed arrays — the label and the predicted class as codes (or numbers, for
 * regression), the class probabilities as one Float64Array per class, the
 * protected group as a code — and, for drift, only bin counts per feature
 * against the reference rows, which therefore come first (`addReference`).
 * About 30 bytes a row: a million rows take a few tens of MB. The result is
 * the one `evaluateModel` gives for the same rows (a test compares them).
 *
 * For a model scored by its own command the rows come first and the command's
 * predictions later (`addRows`, then `addPredictions`, in the same order).
 */
import {
  classificationMetricsFromCounts,
  computeRegressionMetrics,
  DEFAULT_PSI_BINS,
  fairnessFromCounts,
  meanLogLoss,
  ModelDataError,
  PsiBins,
  rocAuc,
  TEST_RESULT_SCHEMA,
  type EvaluateOptions,
  type Prediction,
  type Predictor,
  type Row,
  type TestResult,
} from '../ml';
import { categoryOfCell, isEmptyCell, parseNumericCell, sortCategories } from '../ml/schema/cell-values';
import { codeColumn, Codes, float64Column, type NumberColumn } from './typed-column';

const MISSING_GROUP = '(missing)';

export class TestAccumulator {
  private rows = 0;
  private predictions = 0;
  /** Regression: the numbers; classification: codes of `labels`. */
  private readonly actual: NumberColumn<Float64Array> | NumberColumn<Int32Array>;
  private readonly predicted: NumberColumn<Float64Array> | NumberColumn<Int32Array>;
  private readonly labels = new Codes();
  /** Class → its probability per row; null once a prediction has none. */
  private probabilities: Map<string, NumberColumn<Float64Array>> | null = new Map();
  private readonly groups = codeColumn();
  private readonly groupNames = new Codes();
  private sawProtected = false;
  private reference: Row[] = [];
  /** Feature → PSI bins; fixed by the reference rows when the first test rows arrive. */
  private drift: Map<string, PsiBins> | null = null;

  constructor(
    private readonly predictor: Predictor,
    private readonly options: Omit<EvaluateOptions, 'referenceRows'> = {},
  ) {
    const regression = predictor.artifact.type === 'regression';
    this.actual = regression ? float64Column() : codeColumn();
    this.predicted = regression ? float64Column() : codeColumn();
  }

  /** Rows to measure drift against (the training data); all of them before the first test row. */
  addReference(batch: Row[]): void {
    if (this.rows > 0) throw new ModelDataError('the reference rows must come before the test rows');
    for (const row of batch) this.reference.push(row);
  }

  /** Scores a batch and keeps its outcomes; throws for a row without a label or with mistyped values. */
  add(batch: Row[]): void {
    const predictions = this.predictor.predict(batch);
    this.addRows(batch);
    this.addPredictions(predictions);
  }

  /** Keeps the labels, groups and drift counts of rows whose predictions come later. */
  addRows(batch: Row[]): void {
    const { artifact } = this.predictor;
    const attribute = this.options.protectedAttribute;
    if (this.rows === 0) this.fixDriftBins();
    batch.forEach((row, index) => {
      const label = row[artifact.label];
      const at = this.rows + index;
      if (isEmptyCell(label)) throw new ModelDataError(`label "${artifact.label}" is empty in row ${at}; every test row needs one`);
      if (artifact.type === 'regression') {
        const value = parseNumericCell(label);
        if (value === undefined) throw new ModelDataError(`label "${artifact.label}" is not a number in row ${at} (${JSON.stringify(label)})`);
        this.actual.push(value);
      } else {
        this.actual.push(this.labels.code(categoryOfCell(label as string | number)));
      }
      if (attribute !== undefined) {
        if (Object.prototype.hasOwnProperty.call(row, attribute)) this.sawProtected = true;
        const cell = row[attribute];
        this.groups.push(this.groupNames.code(isEmptyCell(cell) || (typeof cell !== 'string' && typeof cell !== 'number') ? MISSING_GROUP : categoryOfCell(cell)));
      }
      if (this.drift) for (const [name, bins] of this.drift) bins.add(row[name] ?? null);
    });
    this.rows += batch.length;
  }

  /** The predictions of the next rows, in row order. */
  addPredictions(predictions: readonly Prediction[]): void {
    const regression = this.predictor.artifact.type === 'regression';
    for (const prediction of predictions) {
      if (regression) this.predicted.push(Number(prediction.value));
      else {
        this.predicted.push(this.labels.code(String(prediction.value)));
        this.keepProbabilities(prediction.probabilities);
      }
      this.predictions += 1;
    }
  }

  /** The standardized test result; drift when reference rows were given. */
  finish(): TestResult {
    const { artifact } = this.predictor;
    if (this.rows === 0) throw new ModelDataError('no rows to test the model on');
    if (this.predictions !== this.rows) throw new ModelDataError(`${this.predictions} predictions for ${this.rows} rows`);
    const result: TestResult = { schema: TEST_RESULT_SCHEMA, type: artifact.type, rows: this.rows, metrics: this.metrics(), evaluatedAt: this.options.evaluatedAt ?? new Date().toISOString() };
    if (this.options.protectedAttribute !== undefined) result.fairness = this.fairness(this.options.protectedAttribute);
    if (this.drift) {
      const features = artifact.features.map((feature) => ({ feature: feature.name, psi: this.drift!.get(feature.name)!.psi() }));
      result.drift = { features, maxPsi: Math.max(...features.map((entry) => entry.psi)) };
    }
    return result;
  }

  private fixDriftBins(): void {
    if (this.reference.length === 0) return;
    const bins = this.options.driftBins ?? DEFAULT_PSI_BINS;
    this.drift = new Map(this.predictor.artifact.features.map((feature) => [feature.name, new PsiBins(this.reference.map((row) => row[feature.name] ?? null), bins, feature.kind)]));
    this.reference = [];
  }

  private keepProbabilities(probabilities: Record<string, number> | undefined): void {
    if (!this.probabilities) return;
    if (!probabilities) {
      this.probabilities = null;
      return;
    }
    for (const [label, p] of Object.entries(probabilities)) {
      let column = this.probabilities.get(label);
      if (!column) this.probabilities.set(label, (column = float64Column()));
      column.padTo(this.predictions);
      column.push(p);
    }
  }

  private metrics(): TestResult['metrics'] {
    const { artifact } = this.predictor;
    if (artifact.type === 'regression') return computeRegressionMetrics(this.actual.view(), this.predicted.view());
    const classes = this.classes();
    for (const column of this.probabilities?.values() ?? []) column.padTo(this.rows);
    return classificationMetricsFromCounts({
      rows: this.rows,
      counts: this.confusionCounts(),
      classes,
      positiveClass: artifact.positiveClass ?? classes[1] ?? classes[0],
      ...(this.probabilities ? { aucOf: (label: string) => rocAuc(this.scoresOf(label), this.isActual(label)) } : {}),
      logLoss: this.probabilities ? this.logLoss() : null,
    });
  }

  /** Actual label → predicted label → rows. */
  private confusionCounts(): Map<string, Map<string, number>> {
    const counts = new Map<string, Map<string, number>>();
    const names = this.labels.names;
    for (let row = 0; row < this.rows; row += 1) {
      const actual = names[this.actual.get(row)];
      const predicted = names[this.predicted.get(row)];
      const byPredicted = counts.get(actual) ?? counts.set(actual, new Map()).get(actual)!;
      byPredicted.set(predicted, (byPredicted.get(predicted) ?? 0) + 1);
    }
    return counts;
  }

  /** Each row's probability of `label` (0 where the model gave none). */
  private scoresOf(label: string): Float64Array {
    return this.probabilities?.get(label)?.view() ?? new Float64Array(this.rows);
  }

  /** 1 where the row's actual class is `label`. */
  private isActual(label: string): Uint8Array {
    const code = this.labels.find(label);
    const flags = new Uint8Array(this.rows);
    for (let row = 0; row < this.rows; row += 1) flags[row] = this.actual.get(row) === code ? 1 : 0;
    return flags;
  }

  /** Mean −ln p(actual class), as `logLoss` computes it from the rows. */
  private logLoss(): number {
    const columns = this.labels.names.map((label) => this.probabilities!.get(label));
    return meanLogLoss(this.rows, (row) => columns[this.actual.get(row)]?.get(row) ?? 0);
  }

  /** The model's classes; for a command model that recorded none, those of the labels and predictions. */
  private classes(): string[] {
    const { artifact } = this.predictor;
    return artifact.classes?.length ? artifact.classes : sortCategories(this.labels.names);
  }

  private fairness(attribute: string): NonNullable<TestResult['fairness']> {
    const { artifact } = this.predictor;
    if (artifact.type !== 'classification') throw new ModelDataError(`fairness over "${attribute}" needs a classification model; this one does ${artifact.type}`);
    if (!this.sawProtected) throw new ModelDataError(`protected attribute "${attribute}" is not a column of the test rows`);
    const classes = this.classes();
    const outcome = this.options.favorableClass ?? artifact.positiveClass ?? classes[1];
    if (!classes.includes(outcome)) throw new ModelDataError(`favorableClass ${JSON.stringify(outcome)} is not a class of the model (${classes.join(', ')})`);
    const favorableCode = this.labels.find(outcome);
    const counts = this.groupNames.names.map(() => ({ count: 0, favorable: 0 }));
    for (let row = 0; row < this.rows; row += 1) {
      const entry = counts[this.groups.get(row)];
      entry.count += 1;
      if (this.predicted.get(row) === favorableCode) entry.favorable += 1;
    }
    return fairnessFromCounts({ protectedAttribute: attribute, privilegedGroup: this.options.privilegedGroup, outcome }, new Map(this.groupNames.names.map((name, code) => [name, counts[code]])));
  }
}
