/**
 * Batch predictions over REST: start one on a deployment, download a finished
 * job's CSV. The job itself is listed, polled and cancelled under /api/jobs.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/connect';
import { NotFoundError } from '../errors';
import { defineRoute } from '../http/route';
import { assertCanView } from '../identity/ownership';
import { findJob } from '../jobs/job-store';
import { BATCH_PREDICT_JOB, type BatchPredictionService } from './batch-prediction-service';
import type { OutputFiles } from './output-files';

const TimePoint = z.string().max(64).optional().describe('ISO 8601, now, today, yesterday, or a negative duration such as -P1D');
const BatchBody = z
  .object({
    datasetId: z.uuid(),
    window: z.object({ from: TimePoint, to: TimePoint }).strict().optional().describe('[from, to) over the dataset\'s timestamp column (or upload time); default all rows'),
    includeInput: z.boolean().default(true).describe('write the dataset\'s columns before the prediction'),
  })
  .strict()
  .openapi('BatchPredictionRequest');
const Accepted = z.object({ id: z.string(), type: z.string(), status: z.string(), params: z.record(z.string(), z.unknown()) }).passthrough();
const IdParams = z.object({ id: z.uuid() });

export function batchPredictionRoutes(registry: OpenAPIRegistry, db: Database, batchPredictions: BatchPredictionService, files: OutputFiles): Router {
  const router = Router();

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/deployments/:id/batch-predictions',
      summary: 'Start a batch prediction: a batch-predict job scoring a dataset window with the champion into a CSV (GET /api/jobs/:id/output)',
      tag: 'Deployments',
      permission: 'deployments:write',
      params: IdParams,
      body: BatchBody,
      response: Accepted,
      status: 202,
    },
    async ({ params, body, context }) => batchPredictions.start(context, params.id, { datasetId: body.datasetId, from: body.window?.from, to: body.window?.to, includeInput: body.includeInput }),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/jobs/:id/output',
      summary: 'The CSV of a finished batch-predict job (404 before it succeeded and for other jobs); whoever may see the job may read it',
      tag: 'Jobs',
      permission: 'view:own',
      params: IdParams,
      response: z.string(),
      responseContentType: 'text/csv',
    },
    async ({ params, actor, res }) => {
      const job = await findJob(db, params.id);
      if (!job) throw new NotFoundError('job', params.id);
      assertCanView(actor, job.requestedBy, 'jobs you requested');
      if (job.type !== BATCH_PREDICT_JOB) throw new NotFoundError(`output of ${job.type} job (only ${BATCH_PREDICT_JOB} jobs have one)`, params.id);
      if (job.status !== 'succeeded') throw new NotFoundError(`output of ${job.status} ${BATCH_PREDICT_JOB} job`, params.id);
      const bytes = await files.size(job.id);
      if (bytes === null) throw new NotFoundError(`output file on this server of ${BATCH_PREDICT_JOB} job`, params.id);
      res.status(200).type('text/csv').set({ 'content-length': String(bytes), 'content-disposition': `attachment; filename="batch-predictions-${job.id}.csv"` });
      // A client that went away (or a failed read) ends in a destroyed response: nothing more to answer.
      await pipeline(createReadStream(files.finalPath(job.id)), res).catch(() => undefined);
      return undefined;
    },
  );
  return router;
}
