import type { Readable } from 'node:stream';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { ConflictError, NotFoundError } from '../errors';
import type { ActionContext, Actor } from '../identity/actor';
import { assertCanChange, assertCanView, canView } from '../identity/ownership';
import { allows } from '../identity/roles';
import { csvField } from '../ml';
import { ingestCsv } from './csv-ingest';
import * as store from './dataset-store';

export interface DatasetInput {
  name: string;
  description?: string;
  labelColumn: string;
  timestampColumn?: string | null;
  /** Visible to every contributor (read only); default private. */
  shared?: boolean;
}

/** "Labeled data appended" (SPEC §10): what a trigger learns about an upload. */
export interface RowsAppendedEvent {
  dataset: store.Dataset;
  rows: number;
  bytes: number;
  context: ActionContext;
}

export interface AppendResult {
  dataset: store.Dataset;
  appended: number;
  bytes: number;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';
const OWN = 'datasets you created';

/** Appends of at least this many rows refresh the planner's statistics. */
const ANALYZE_AFTER_ROWS = 1000;

/** Datasets: creation, streamed CSV appends (one transaction each), windowed reads. */
export class DatasetService {
  /**
   * Called after an upload committed (SPEC §10 "labeled data appended"). A
   * failing listener is logged by the caller's logger, never undoes the upload.
   */
  onRowsAppended: ((event: RowsAppendedEvent) => Promise<void> | void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: { maxUploadBytes: number; onListenerError?: (err: unknown) => void },
  ) {}

  async create(context: ActionContext, input: DatasetInput): Promise<store.Dataset> {
    try {
      return await this.db.transaction(async (trx) => {
        const dataset = await store.insertDataset(trx, {
          id: crypto.randomUUID(),
          name: input.name,
          description: input.description ?? '',
          labelColumn: input.labelColumn,
          timestampColumn: input.timestampColumn ?? null,
          createdBy: context.actor?.id ?? null,
          shared: input.shared ?? false,
        });
        await recordAudit(trx, context, { action: 'dataset.create', entityType: 'dataset', entityId: dataset.id, after: dataset });
        return dataset;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a dataset named ${input.name} already exists`, { name: input.name });
      throw err;
    }
  }

  /** One dataset the actor may see (404 when missing, 403 when not theirs). */
  async get(actor: Actor | null, id: string): Promise<store.Dataset> {
    const dataset = await store.findDataset(this.db, id);
    if (!dataset) throw new NotFoundError('dataset', id);
    assertCanView(actor, dataset.createdBy, OWN, dataset.shared);
    return dataset;
  }

  /** Contributors list what they created and what is shared. */
  list(actor: Actor, filter: Omit<store.DatasetFilter, 'visibleTo'>) {
    return store.listDatasets(this.db, { ...filter, visibleTo: allows(actor.permissions, 'view:all') ? undefined : actor.id });
  }

  /** Changes the description or sharing: its creator, or an administrator. */
  async update(context: ActionContext, id: string, changes: { description?: string; shared?: boolean }): Promise<store.Dataset> {
    return this.db.transaction(async (trx) => {
      const before = await store.findDataset(trx, id, true);
      if (!before) throw new NotFoundError('dataset', id);
      assertCanChange(context.actor, before.createdBy, OWN);
      const after = await store.updateDataset(trx, id, changes);
      await recordAudit(trx, context, { action: 'dataset.update', entityType: 'dataset', entityId: id, before: { description: before.description, shared: before.shared }, after: { description: after.description, shared: after.shared } });
      return after;
    });
  }

  /**
   * Appends the CSV rows of `source` in one transaction: all of them, or none
   * when any line is bad. The first upload fixes the schema.
   */
  async appendCsv(context: ActionContext, id: string, source: Readable): Promise<AppendResult> {
    const result = await this.db.transaction(async (trx) => {
      const dataset = await store.findDataset(trx, id, true);
      if (!dataset) throw new NotFoundError('dataset', id);
      assertCanChange(context.actor, dataset.createdBy, OWN);
      const ingested = await ingestCsv(
        source,
        {
          labelColumn: dataset.labelColumn,
          timestampColumn: dataset.timestampColumn,
          schema: dataset.schema,
          maxBytes: this.options.maxUploadBytes,
          uploadedAt: new Date(),
        },
        (rows) => store.insertRows(trx, id, rows),
      );
      const after = await store.recordUpload(trx, id, ingested.schema, ingested.rows);
      await recordAudit(trx, context, {
        action: 'dataset.append',
        entityType: 'dataset',
        entityId: id,
        before: { rowCount: dataset.rowCount, schema: dataset.schema },
        after: { rowCount: after.rowCount, schema: after.schema, appended: ingested.rows, bytes: ingested.bytes },
      });
      return { dataset: after, appended: ingested.rows, bytes: ingested.bytes };
    });
    if (result.appended >= ANALYZE_AFTER_ROWS) await store.analyzeRows(this.db);
    try {
      await this.onRowsAppended?.({ dataset: result.dataset, rows: result.appended, bytes: result.bytes, context });
    } catch (err) {
      this.options.onListenerError?.(err);
    }
    return result;
  }

  async rows(actor: Actor, id: string, window: store.TimeWindow, limit: number, offset: number) {
    const dataset = await this.get(actor, id);
    const [items, total] = await Promise.all([store.listRows(this.db, id, window, limit, offset), store.countRows(this.db, id, window)]);
    return { datasetId: dataset.id, items, total };
  }

  /** The dataset's rows as CSV text chunks (header first), page by page. */
  async *exportCsv(actor: Actor, id: string, window: store.TimeWindow): AsyncGenerator<string> {
    const dataset = await this.get(actor, id);
    const columns = (dataset.schema ?? []).map((column) => column.name);
    yield `${columns.map(csvField).join(',')}\n`;
    for await (const page of store.iterateRows(this.db, id, window)) {
      yield page.map((row) => `${columns.map((name) => csvField(row.data[name])).join(',')}\n`).join('');
    }
  }

  /** Whether the actor may read the dataset (jobs check this before using one). */
  canRead(actor: Actor | null, dataset: store.Dataset): boolean {
    return canView(actor, dataset.createdBy, dataset.shared);
  }
}
