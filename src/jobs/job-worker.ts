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
 * prepared, the `reference` rows (for drift) come first, then the `test` rows,
 * scored batch by batch and not kept (`test-accumulator.ts`);
 * `evaluate-predictions` (prepared with { model: ScoredModel, evaluate }; sets
 * `reference` first, then `test`, then `predictions` — one Prediction per test
 * row, in order, from a model's score command) → TestResult;
 * `batch-predict` (prepared with BatchScorerOptions; set `input`) → { rows } — each batch
 * is scored and its CSV lines appended to the output file as it arrives (`batch-scorer.ts`).
 */
import { evaluateModel, loadModel, trainModel, type EvaluateOptions, type ModelArtifact, type Prediction, type Predictor, type Row, type TrainOptions } from '../ml';
import { BatchScorer, type BatchScorerOptions } from '../batch-predictions/batch-scorer';
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
/** The prepared task (`test`, `evaluate-predictions`): it consumes `test` and `predictions` rows as they arrive. */
let preparedTask: string | null = null;
let accumulator: TestAccumulator | null = null;
let batchScorer: BatchScorer | null = null;
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
  if ((task === 'test' || task === 'evaluate-predictions') && (accumulator || batchError)) {
    if (batchError) throw batchError;
    void send({ type: 'progress', percent: 10 });
    return accumulator!.finish();
  }
  if (task === 'batch-predict') {
    if (batchError) throw batchError;
    if (!batchScorer) throw new Error('batch-predict must be prepared before its rows');
    return batchScorer.finish();
  }
  if (task === 'test') {
    const predictor = loadModel(options.artifact as ModelArtifact);
    const reference = sets.get('reference');
    const evaluate: EvaluateOptions = { ...(options.evaluate ?? {}), ...(reference?.length ? { referenceRows: reference } : {}) };
    void send({ type: 'progress', percent: 10 });
    return evaluateModel(predictor, sets.get('test') ?? [], evaluate);
  }
  if (task === 'evaluate-predictions') throw new Error('evaluate-predictions must be prepared before its rows');
  throw new Error(`unknown worker task ${task}`);
}

/** A model scored by its own command: its predictions arrive as a set, it never predicts here. */
function commandPredictor(model: ScoredModel): Predictor {
  const artifact = {
    format: 'stagegate-model/1',
    algorithm: 'command',
    type: model.type,
    label: model.label,
    features: model.features,
    ...(model.classes?.length ? { classes: model.classes } : {}),
    ...(model.positiveClass ? { positiveClass: model.positiveClass } : {}),
    encoding: null,
    model: null,
    trainedAt: '',
  } as unknown as ModelArtifact;
  return {
    artifact,
    predict() {
      throw new Error('a command model\'s predictions come from its score command');
    },
  };
}

/** Starts a prepared task: its rows are consumed as they arrive. */
function prepare(task: string, options: any): void {
  preparedTask = task;
  const { referenceRows: _ignored, ...evaluate } = (options.evaluate ?? {}) as EvaluateOptions;
  if (task === 'test') accumulator = new TestAccumulator(loadModel(options.artifact as ModelArtifact), evaluate);
  else if (task === 'evaluate-predictions') accumulator = new TestAccumulator(commandPredictor(options.model as ScoredModel), evaluate);
  else if (task === 'batch-predict') batchScorer = new BatchScorer(options as BatchScorerOptions);
  else throw new Error(`worker task ${task} cannot be prepared`);
}

/** A batch for the prepared task; false when the batch is for a stored set. */
function consume(set: string, rows: Row[]): boolean {
  if (preparedTask === 'batch-predict' && set === 'input') {
    try {
      if (!batchError) batchScorer!.add(rows);
    } catch (err) {
      batchError = err;
    }
    return true;
  }
  if (!preparedTask || (set !== 'test' && set !== 'predictions' && set !== 'reference')) return false;
  if (batchError) return true;
  try {
    if (set === 'reference') accumulator!.addReference(rows);
    else if (set === 'predictions') accumulator!.addPredictions(rows as unknown as Prediction[]);
    else if (preparedTask === 'test') accumulator!.add(rows);
    else accumulator!.addRows(rows);
  } catch (err) {
    batchError = err;
  }
  return true;
}

process.on('message', async (message: { type: string; set?: string; rows?: Row[]; task?: string; options?: any }) => {
  if (message.type === 'prepare') {
    try {
      prepare(message.task!, message.options);
    } catch (err) {
      batchError = err;
    }
    return;
  }
  if (message.type === 'rows') {
    if (consume(message.set!, message.rows!)) return;
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
