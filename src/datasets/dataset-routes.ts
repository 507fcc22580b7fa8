import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import { defineRoute, Pagination } from '../http/route';
import type { DatasetService } from './dataset-service';
import { parseWindow } from './time-window';

const ColumnName = z.string().trim().min(1).max(200);
const DatasetBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000).optional(),
    labelColumn: ColumnName,
    timestampColumn: ColumnName.nullable().optional(),
    shared: z.boolean().optional().describe('visible (read only) to every contributor; default false'),
  })
  .strict()
  .refine((body) => body.labelColumn !== body.timestampColumn, { message: 'the label and timestamp columns must differ', path: ['timestampColumn'] })
  .openapi('DatasetInput');
const Dataset = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    labelColumn: z.string(),
    timestampColumn: z.string().nullable(),
    schema: z.array(z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical', 'timestamp']) })).nullable(),
    rowCount: z.number(),
    uploadCount: z.number(),
    createdBy: z.string().nullable(),
    shared: z.boolean(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .openapi('Dataset');
const DatasetChanges = z
  .object({ description: z.string().max(5000), shared: z.boolean() })
  .partial()
  .strict()
  .refine((changes) => changes.description !== undefined || changes.shared !== undefined, { message: 'give description and/or shared' })
  .openapi('DatasetChanges');
const IdParams = z.object({ id: z.uuid() });
const TimePoint = z.string().max(64).optional().describe('ISO 8601, now, today, yesterday, or a negative duration such as -P1D');
const WindowQuery = z.object({ from: TimePoint, to: TimePoint });
const CSV_TYPES = ['text/csv', 'application/csv'];

/** Runs `consume` on the multipart field `file` as it streams in (never buffered whole). */
function withMultipartFile<T>(req: Request, maxBytes: number, consume: (file: Readable) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1 } });
    } catch (err) {
      return reject(new ValidationError(`Malformed multipart body: ${(err as Error).message}`, undefined, 'MALFORMED_BODY'));
    }
    let started = false;
    parser.on('file', (field, file) => {
      if (field !== 'file' || started) return file.resume();
      started = true;
      consume(file).then(resolve, (err) => {
        file.resume();
        reject(err);
      });
    });
    parser.on('error', (err) => reject(new ValidationError(`Malformed multipart body: ${(err as Error).message}`, undefined, 'MALFORMED_BODY')));
    parser.on('close', () => {
      if (!started) reject(new ValidationError('the multipart body has no field "file" with the CSV', undefined, 'MISSING_FILE'));
    });
    req.pipe(parser);
  });
}

/** After a failed upload: stop reading, close the connection once the error is sent. */
function abandonRequest(req: Request, res: Response): void {
  res.set('connection', 'close');
  req.unpipe();
  req.resume();
}

/** Datasets: create, upload CSV rows (streamed), read rows in a time window, export (SPEC §7). */
export function datasetRoutes(registry: OpenAPIRegistry, datasets: DatasetService, maxUploadBytes: number): Router {
  const router = Router();
  const tag = 'Datasets';

  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/datasets', summary: 'Create a dataset (rows come with uploads)', tag, permission: 'models:write', body: DatasetBody, response: Dataset, status: 201 },
    async ({ body, context }) => datasets.create(context, body),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/datasets',
      summary: 'List datasets (contributors see the ones they created and shared ones)',
      tag,
      permission: 'view:own',
      query: Pagination.extend({ name: z.string().max(200).optional() }),
      response: z.object({ items: z.array(Dataset), total: z.number() }),
    },
    async ({ query, actor }) => datasets.list(actor, query),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/datasets/:id', summary: 'One dataset: schema, row and upload counts', tag, permission: 'view:own', params: IdParams, response: Dataset },
    async ({ params, actor }) => datasets.get(actor, params.id),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'patch',
      path: '/api/datasets/:id',
      summary: 'Change the description or share the dataset with every contributor (its creator or an administrator)',
      tag,
      permission: 'models:write',
      params: IdParams,
      body: DatasetChanges,
      response: Dataset,
    },
    async ({ params, body, context }) => datasets.update(context, params.id, body),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/datasets/:id/rows',
      summary: 'Append labeled rows from a CSV (streamed; all rows or none); the first upload fixes the schema',
      tag,
      permission: 'models:write',
      params: IdParams,
      rawBody: { contentTypes: [...CSV_TYPES, 'multipart/form-data'], description: `CSV with a header line, as text/csv or in the multipart field "file"; at most MAX_UPLOAD_BYTES (${maxUploadBytes}) bytes` },
      status: 201,
    },
    async ({ params, context, req, res }) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!CSV_TYPES.includes(type) && type !== 'multipart/form-data') throw new UnsupportedMediaTypeError(type, [...CSV_TYPES, 'multipart/form-data']);
      if (Number(req.headers['content-length'] ?? 0) > maxUploadBytes) {
        abandonRequest(req, res);
        throw new PayloadTooLargeError(maxUploadBytes);
      }
      try {
        return type === 'multipart/form-data'
          ? await withMultipartFile(req, maxUploadBytes, (file) => datasets.appendCsv(context, params.id, file))
          : await datasets.appendCsv(context, params.id, req);
      } catch (err) {
        if (!req.complete) abandonRequest(req, res);
        throw err;
      }
    },
  );
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/datasets/:id/rows',
      summary: 'Rows in a time window [from, to) over the timestamp column (or upload time), oldest first',
      tag,
      permission: 'view:own',
      params: IdParams,
      query: Pagination.merge(WindowQuery),
    },
    async ({ params, query, actor }) => datasets.rows(actor, params.id, parseWindow(query.from, query.to), query.limit, query.offset),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/datasets/:id/rows.csv',
      summary: 'Export rows (optionally in a time window) as CSV, streamed',
      tag,
      permission: 'view:own',
      params: IdParams,
      query: WindowQuery,
      response: z.string(),
      responseContentType: 'text/csv',
    },
    async ({ params, query, actor, res }) => {
      const chunks = datasets.exportCsv(actor, params.id, parseWindow(query.from, query.to));
      const first = await chunks.next(); // 404/403 before any byte is sent
      res.status(200).type('text/csv').set('content-disposition', `attachment; filename="dataset-${params.id}.csv"`);
      if (!first.done) res.write(first.value);
      for await (const chunk of chunks) {
        if (res.destroyed) break; // the client went away
        if (!res.write(chunk)) await new Promise((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
      }
      res.end();
      return undefined;
    },
  );
  return router;
}
