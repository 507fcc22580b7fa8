/**
 * Entry of a job's worker process (started by `worker-process.ts`). Protocol,
 * JSON over the IPC channel:
 *
 *   parent → worker  { type: 'prepare', task, options } optional, before the rows: the task
 *                                                       consumes its `test` rows as they arrive
 *                    { type: 'rows', set, rows }       rows of a named set, in batches
 *                    { type: 'run', task, options }    run a task on the rows received
 *   worker → parent  { type: 'progress', percent }     0..100 of the task
 *                    { type: 'log', message }
 *                    { type: 'result', result }        then the worker exits
 *                    { type: 'error', message, code }  then the worker exits
 *
 * Tasks: `train` (options: TrainOptions; set `train`) → trainModel's result;
 * `test` (options: { artifact, evaluate }; sets `test`, `reference`) → TestResult —
 * prepared, the `test` rows are scored batch by batch and not kept (`test-accumulator.ts`);
 * `evaluate-predictions` (options: { model: ScoredModel, evaluate }; sets `test`,
 * `predictions` — one Prediction per test row, from a model's score command,
 * `reference`) → TestResult.
 */
import { evaluateModel, loadModel, trainModel, type EvaluateOptions, type ModelArtifact, type Prediction, type Predictor, type Row, type TrainOptions } from '../ml';
import { categoryOfCell, sortCategories } from '../ml/schema/cell-values';
import { TestAccumulator } from './test-accumulator';

/** What `evaluate-predictions` knows of a model scored by its own command. */
export interface ScoredModel {
  type: ModelArtifact['type'];
  label: string;
  features: ModelArtifact['features'];
  /** The classes seen in training (classification); otherwise those of the labels and predictions. */
  classes?: string[];
  positiveClass?: string;
}

const sets = new Map<string, Row[]>();
/** The prepared `test` task: scores `test` rows as they arrive. */
let accumulator: TestAccumulator | null = null;
/** The first problem of a batch; reported when the task runs. */
let batchError: unknown = null;
const parent = process.ppid;

/**
 * Training runs synchronously, so 'disconnect' cannot arrive while it does:
 * a worker whose server died (it was re-parented) stops at its next progress step.
 */
function exitIfOrphaned(): void {
  if (process.ppid !== parent) process.exit(1);
}

function send(message: object): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

function runTask(task: string, options: any): unknown {
  if (task === 'train') {
    let last = -1;
    return trainModel(sets.get('train') ?? [], options as TrainOptions, (percent) => {
      exitIfOrphaned();
      if (percent === last) return;
      last = percent;
      void send({ type: 'progress', percent });
    });
  }
  if (task === 'test' && accumulator) {
    if (batchError) throw batchError;
    void send({ type: 'progress', percent: 10 });
    const reference = sets.get('reference');
    return accumulator.finish(reference?.length ? reference : undefined);
  }
  if (task === 'test') {
    const predictor = loadModel(options.artifact as ModelArtifact);
    const reference = sets.get('reference');
    const evaluate: EvaluateOptions = { ...(options.evaluate ?? {}), ...(reference?.length ? { referenceRows: reference } : {}) };
    void send({ type: 'progress', percent: 10 });
    return evaluateModel(predictor, sets.get('test') ?? [], evaluate);
  }
  if (task === 'evaluate-predictions') {
    const reference = sets.get('reference');
    const evaluate: EvaluateOptions = { ...(options.evaluate ?? {}), ...(reference?.length ? { referenceRows: reference } : {}) };
    void send({ type: 'progress', percent: 10 });
    const rows = sets.get('test') ?? [];
    return evaluateModel(scoredPredictor(options.model as ScoredModel, rows, (sets.get('predictions') ?? []) as unknown as Prediction[]), rows, evaluate);
  }
  throw new Error(`unknown worker task ${task}`);
}

/** A predictor that answers with the predictions a score command already made, so the test result is computed as for built-in models. */
function scoredPredictor(model: ScoredModel, rows: Row[], predictions: Prediction[]): Predictor {
  let classes: string[] | undefined;
  if (model.type === 'classification') {
    const seen = [...rows.map((row) => categoryOfCell(row[model.label] as string | number)), ...predictions.map((p) => String(p.value))];
    classes = model.classes?.length ? model.classes : sortCategories(seen);
  }
  const positiveClass = model.positiveClass ?? classes?.[1] ?? classes?.[0];
  const artifact = {
    format: 'stagegate-model/1',
    algorithm: 'command',
    type: model.type,
    label: model.label,
    features: model.features,
    ...(classes ? { classes, positiveClass } : {}),
    encoding: null,
    model: null,
    trainedAt: '',
  } as unknown as ModelArtifact;
  return {
    artifact,
    predict(scored) {
      if (scored.length !== predictions.length) throw new Error(`the score command wrote ${predictions.length} predictions for ${scored.length} rows`);
      return predictions;
    },
  };
}

process.on('message', async (message: { type: string; set?: string; rows?: Row[]; task?: string; options?: any }) => {
  if (message.type === 'prepare' && message.task === 'test') {
    try {
      const { referenceRows: _ignored, ...evaluate } = (message.options.evaluate ?? {}) as EvaluateOptions;
      accumulator = new TestAccumulator(loadModel(message.options.artifact as ModelArtifact), evaluate);
    } catch (err) {
      batchError = err;
    }
    return;
  }
  if (message.type === 'rows' && message.set === 'test' && (accumulator || batchError)) {
    if (batchError) return;
    try {
      accumulator!.add(message.rows!);
    } catch (err) {
      batchError = err;
    }
    return;
  }
  if (message.type === 'rows') {
    const rows = sets.get(message.set!) ?? [];
    for (const row of message.rows!) rows.push(row);
    sets.set(message.set!, rows);
    return;
  }
  if (message.type !== 'run') return;
  try {
    const result = runTask(message.task!, message.options);
    await send({ type: 'result', result });
  } catch (err) {
    const error = err as Error & { code?: string };
    await send({ type: 'error', message: error.message ?? String(err), code: error.code });
  }
  process.exit(0);
});

// The server went away: nothing to report to.
process.on('disconnect', () => process.exit(0));
