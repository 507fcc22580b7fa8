import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute, Pagination, Variables } from '../http/route';
import type { ScheduleService } from './schedule-service';

const IdParams = z.object({ id: z.uuid() });
const Cron = z.string().trim().min(1).max(200).describe('5 fields (minute first), 6 (second first), or Camunda 7 / Quartz style with ? (0 0 6 * * ?)');
const Timezone = z.string().trim().min(1).max(100).describe('IANA time zone, e.g. UTC or Europe/Berlin');
const BusinessKey = z.string().trim().min(1).max(255).nullable();

const Schedule = z
  .object({
    id: z.string(),
    processKey: z.string(),
    cron: z.string(),
    timezone: z.string(),
    variables: z.record(z.string(), z.unknown()),
    businessKey: z.string().nullable(),
    status: z.enum(['active', 'paused']),
    origin: z.enum(['api', 'definition']).describe('definition: a cron timer start event of the latest version'),
    startEventId: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
    lastFireAt: z.date().nullable(),
    lastInstanceId: z.string().nullable(),
    nextFireAt: z.date().nullable(),
  })
  .openapi('Schedule');
const Fire = z.object({ fireAt: z.date(), instanceId: z.string().nullable(), claimedBy: z.string(), error: z.string().nullable() });

/** `/api/schedules` (SPEC §10). */
export function scheduleRoutes(registry: OpenAPIRegistry, schedules: ScheduleService): Router {
  const router = Router();

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/schedules',
      summary: 'Create a cron schedule that starts a process (its none start event, else its timer start event)',
      tag: 'Schedules',
      permission: 'instances:start',
      body: z
        .object({ process: z.string().trim().min(1).max(255).describe('process definition key'), cron: Cron, timezone: Timezone.optional(), variables: Variables.default({}), businessKey: BusinessKey.optional() })
        .strict(),
      response: Schedule,
      status: 201,
    },
    async ({ body, context }) => schedules.create(context, body),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/schedules',
      summary: 'List schedules (filters: process, status, origin); contributors see the ones they created',
      tag: 'Schedules',
      permission: 'view:own',
      query: Pagination.extend({ process: z.string().max(255).optional(), status: z.enum(['active', 'paused']).optional(), origin: z.enum(['api', 'definition']).optional() }),
      response: z.object({ items: z.array(Schedule), total: z.number() }),
    },
    async ({ query, actor }) => schedules.list(actor, { processKey: query.process, status: query.status, origin: query.origin, limit: query.limit, offset: query.offset }),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/schedules/:id',
      summary: 'One schedule with its next and last fire and its recent fires',
      tag: 'Schedules',
      permission: 'view:own',
      params: IdParams,
      response: Schedule.extend({ recentFires: z.array(Fire) }),
    },
    async ({ params, actor }) => schedules.get(actor, params.id),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'patch',
      path: '/api/schedules/:id',
      summary: 'Change the cron, time zone, variables or business key of a schedule created over REST',
      tag: 'Schedules',
      permission: 'instances:start',
      params: IdParams,
      body: z
        .object({ cron: Cron, timezone: Timezone, variables: Variables, businessKey: BusinessKey })
        .partial()
        .strict()
        .refine((changes) => Object.keys(changes).length > 0, 'give at least one of cron, timezone, variables, businessKey'),
      response: Schedule,
    },
    async ({ params, body, context }) => schedules.update(context, params.id, body),
  );

  for (const action of ['pause', 'resume'] as const) {
    defineRoute(
      router,
      registry,
      {
        method: 'post',
        path: `/api/schedules/:id/${action}`,
        summary: action === 'pause' ? 'Pause a schedule (409 when already paused)' : 'Resume a paused schedule; fires missed while paused are skipped',
        tag: 'Schedules',
        permission: 'instances:start',
        params: IdParams,
        response: Schedule,
      },
      async ({ params, context }) => (action === 'pause' ? schedules.pause(context, params.id) : schedules.resume(context, params.id)),
    );
  }

  defineRoute(
    router,
    registry,
    {
      method: 'delete',
      path: '/api/schedules/:id',
      summary: 'Delete a schedule created over REST (a timer start event schedule goes with its definition)',
      tag: 'Schedules',
      permission: 'instances:start',
      params: IdParams,
      status: 204,
    },
    async ({ params, context, res }) => {
      await schedules.delete(context, params.id);
      res.status(204).end();
      return undefined;
    },
  );

  return router;
}
