/**
 * SQL for `datasets` and `dataset_rows`.
 *
 * Glossary
 * - dataset: a named table of labeled rows uploaded as CSV; its schema (column
 *   kinds) is fixed by the first upload, later uploads append.
 * - label column: the column models learn to predict.
 * - timestamp column: optional; its value becomes the row's `at`. Without one,
 *   `at` is the time the row was uploaded (labeled).
 * - window: a half-open time range [from, to) over `at`.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';
import type { Row } from '../ml';

export type ColumnKind = 'numeric' | 'categorical' | 'timestamp';

export interface DatasetColumn {
  name: string;
  kind: ColumnKind;
}

export interface Dataset {
  id: string;
  name: string;
  description: string;
  labelColumn: string;
  timestampColumn: string | null;
  /** Null until the first upload. */
  schema: DatasetColumn[] | null;
  rowCount: number;
  uploadCount: number;
  createdBy: string | null;
  /** Contributors other than its creator see it too (read only). */
  shared: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TimeWindow {
  from?: Date;
  to?: Date;
}

export interface StoredRow {
  at: Date;
  data: Row;
}

export interface DatasetRow {
  id: string;
  at: Date;
  data: Row;
}

type Db = Database | Knex.Transaction;

const toDataset = (row: Record<string, any>): Dataset => ({
  id: row.id,
  name: row.name,
  description: row.description,
  labelColumn: row.label_column,
  timestampColumn: row.timestamp_column,
  schema: row.schema,
  rowCount: Number(row.row_count),
  uploadCount: row.upload_count,
  createdBy: row.created_by,
  shared: Boolean(row.shared),
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

export async function insertDataset(
  db: Db,
  dataset: { id: string; name: string; description: string; labelColumn: string; timestampColumn: string | null; createdBy: string | null; shared: boolean },
): Promise<Dataset> {
  const [row] = await db('datasets')
    .insert({
      id: dataset.id,
      name: dataset.name,
      description: dataset.description,
      label_column: dataset.labelColumn,
      timestamp_column: dataset.timestampColumn,
      created_by: dataset.createdBy,
      shared: dataset.shared,
    })
    .returning('*');
  return toDataset(row);
}

/** One dataset; `forUpdate` locks its row until the transaction ends (appends are serialized). */
export async function findDataset(db: Db, id: string, forUpdate = false): Promise<Dataset | null> {
  const query = db('datasets').where({ id }).first();
  if (forUpdate) query.forUpdate();
  const row = await query;
  return row ? toDataset(row) : null;
}

export interface DatasetFilter {
  name?: string;
  /** Only datasets this user created or that are shared (callers without `view:all`). */
  visibleTo?: string;
  limit: number;
  offset: number;
}

export async function listDatasets(db: Db, filter: DatasetFilter): Promise<{ items: Dataset[]; total: number }> {
  const where = (query: Knex.QueryBuilder) => {
    if (filter.name) query.whereRaw('lower(name) = lower(?)', [filter.name]);
    if (filter.visibleTo) query.where((own) => own.where('created_by', filter.visibleTo!).orWhere('shared', true));
    return query;
  };
  const [{ count }] = await where(db('datasets')).count({ count: '*' });
  const rows = await where(db('datasets')).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(filter.limit).offset(filter.offset).select('*');
  return { items: rows.map(toDataset), total: Number(count) };
}

/** Changes a dataset's description and/or sharing. */
export async function updateDataset(db: Db, id: string, changes: { description?: string; shared?: boolean }): Promise<Dataset> {
  const values: Record<string, unknown> = { updated_at: db.fn.now() };
  if (changes.description !== undefined) values.description = changes.description;
  if (changes.shared !== undefined) values.shared = changes.shared;
  const [row] = await db('datasets').where({ id }).update(values).returning('*');
  return toDataset(row);
}

/** Records an upload: the schema (set by the first one) and the rows it added. */
export async function recordUpload(trx: Knex.Transaction, id: string, schema: DatasetColumn[], addedRows: number): Promise<Dataset> {
  const [row] = await trx('datasets')
    .where({ id })
    .update({
      schema: JSON.stringify(schema),
      row_count: trx.raw('row_count + ?', [addedRows]),
      upload_count: trx.raw('upload_count + 1'),
      updated_at: trx.fn.now(),
    })
    .returning('*');
  return toDataset(row);
}

export async function insertRows(trx: Knex.Transaction, datasetId: string, rows: readonly StoredRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx('dataset_rows').insert(rows.map((row) => ({ dataset_id: datasetId, at: row.at, data: JSON.stringify(row.data) })));
}

/**
 * Refreshes the planner's statistics of `dataset_rows` after a large append.
 * The embedded database has no autovacuum: without them the page query of
 * `iterateRows` is planned as a bitmap scan of every later row plus a sort,
 * once per page (a million rows: minutes instead of seconds).
 */
export async function analyzeRows(db: Db): Promise<void> {
  await db.raw('ANALYZE dataset_rows');
}

function inWindow(query: Knex.QueryBuilder, datasetId: string, window: TimeWindow): Knex.QueryBuilder {
  query.where('dataset_id', datasetId);
  if (window.from) query.where('at', '>=', window.from);
  if (window.to) query.where('at', '<', window.to);
  return query;
}

const toDatasetRow = (row: Record<string, any>): DatasetRow => ({ id: String(row.id), at: new Date(row.at), data: row.data });

export async function countRows(db: Db, datasetId: string, window: TimeWindow): Promise<number> {
  const [{ count }] = await inWindow(db('dataset_rows'), datasetId, window).count({ count: '*' });
  return Number(count);
}

/** A page of rows in the window, oldest first. */
export async function listRows(db: Db, datasetId: string, window: TimeWindow, limit: number, offset: number): Promise<DatasetRow[]> {
  const rows = await inWindow(db('dataset_rows'), datasetId, window).orderBy([{ column: 'at' }, { column: 'id' }]).limit(limit).offset(offset).select('id', 'at', 'data');
  return rows.map(toDatasetRow);
}

/**
 * Every row of the window in pages of `pageSize` (keyset pagination on id, so
 * memory stays bounded however large the dataset). Small pages keep each query
 * short: the embedded database runs on the server's own thread. `every` > 1 keeps one row
 * in `every` (a deterministic sample).
 */
export async function* iterateRows(db: Db, datasetId: string, window: TimeWindow, pageSize = 1000, every = 1): AsyncGenerator<DatasetRow[]> {
  let after = '0';
  for (;;) {
    const query = inWindow(db('dataset_rows'), datasetId, window).where('id', '>', after);
    if (every > 1) query.whereRaw('id % ? = 0', [every]);
    const rows = await query.orderBy('id').limit(pageSize).select('id', 'at', 'data');
    if (rows.length === 0) return;
    const page = rows.map(toDatasetRow);
    after = page[page.length - 1].id;
    yield page;
    if (rows.length < pageSize) return;
  }
}
