import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/connect';
import { NotFoundError } from '../errors';
import { defineRoute, missingPermission, Pagination } from '../http/route';
import { assertCanView } from '../identity/ownership';
import { allows } from '../identity/roles';
import type { JobRunner } from './job-runner';
import { findJob, JOB_STATUSES, listJobs } from './job-store';

const IdParams = z.object({ id: z.uuid() });
const JobSummary = z
  .object({
    id: z.string(),
    type: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: z.number(),
    requestedBy: z.string().nullable(),
    modelId: z.string().nullable(),
    processInstanceId: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    error: z.string().nullable(),
    cancelRequested: z.boolean(),
    createdAt: z.date(),
    startedAt: z.date().nullable(),
    finishedAt: z.date().nullable(),
  })
  .openapi('JobSummary');
const Job = JobSummary.extend({ log: z.array(z.object({ at: z.string(), message: z.string() })), result: z.unknown() }).openapi('Job');
const OWN = 'jobs you requested';

/** Jobs (SPEC §5): list, read, cancel. Train and test jobs are created under /api/models. */
export function jobRoutes(registry: OpenAPIRegistry, db: Database, jobs: JobRunner): Router {
  const router = Router();
  const tag = 'Jobs';

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/jobs',
      summary: 'List jobs, newest first (filters: type, user, status, modelId); contributors see the jobs they requested',
      tag,
      permission: 'view:own',
      query: Pagination.extend({
        type: z.string().regex(/^[a-z][a-z0-9-]{0,49}$/, 'a job type such as train or test').optional(),
        user: z.uuid().optional(),
        status: z.enum(JOB_STATUSES).optional(),
        modelId: z.uuid().optional(),
      }),
      response: z.object({ items: z.array(JobSummary), total: z.number() }),
    },
    async ({ query, actor }) => {
      const requestedBy = allows(actor.permissions, 'view:all') ? query.user : actor.id;
      return listJobs(db, { type: query.type, status: query.status, modelId: query.modelId, requestedBy, limit: query.limit, offset: query.offset });
    },
  );

  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/jobs/:id', summary: 'One job: status, progress, log, result, error', tag, permission: 'view:own', params: IdParams, response: Job },
    async ({ params, actor }) => {
      const job = await findJob(db, params.id);
      if (!job) throw new NotFoundError('job', params.id);
      assertCanView(actor, job.requestedBy, OWN);
      return job;
    },
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/jobs/:id/cancel',
      summary: 'Cancel a job: a running one is stopped for real (its worker process is killed); contributors cancel their own jobs',
      tag,
      permission: 'jobs:cancel:own',
      params: IdParams,
      response: Job,
    },
    async ({ params, actor, context }) => {
      const job = await findJob(db, params.id);
      if (!job) throw new NotFoundError('job', params.id);
      if (!allows(actor.permissions, 'jobs:cancel:any') && job.requestedBy !== actor.id) {
        throw missingPermission(actor, 'jobs:cancel:any', 'you may cancel only the jobs you requested');
      }
      return jobs.cancel(context, params.id);
    },
  );
  return router;
}
