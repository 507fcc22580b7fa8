import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/connect';
import { NotFoundError } from '../../errors';
import { allows } from '../../identity/roles';
import { defineRoute, missingPermission, Pagination, Variables } from '../../http/route';
import type { EventService } from '../events/event-service';
import type { IncidentService } from '../incidents/incident-service';
import { findInstance, instanceHistory, instanceWaits, listInstances } from './instance-store';
import type { InstanceService } from './instance-service';

const Status = z.enum(['running', 'waiting', 'completed', 'cancelled', 'incident', 'failed']);
const IdParams = z.object({ id: z.uuid() });
const Correlation = z.object({ delivered: z.array(z.string()), started: z.array(z.string()) });

export interface InstanceRouteServices {
  instances: InstanceService;
  events: EventService;
  incidents: IncidentService;
}

export function instanceRoutes(registry: OpenAPIRegistry, db: Database, services: InstanceRouteServices): Router {
  const router = Router();
  const { instances, events, incidents } = services;

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/process-instances',
      summary: 'List instances (filters: status, key, businessKey); contributors see the instances they started',
      tag: 'Process instances',
      permission: 'view:own',
      query: Pagination.extend({ status: Status.optional(), key: z.string().max(255).optional(), businessKey: z.string().max(255).optional() }),
    },
    async ({ query, actor }) => listInstances(db, { ...query, startedBy: allows(actor.permissions, 'view:all') ? undefined : actor.id }),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/process-instances/:id',
      summary: 'One instance: status, current activities, variables, waits, incidents, history',
      tag: 'Process instances',
      permission: 'view:own',
      params: IdParams,
    },
    async ({ params, actor }) => {
      const instance = await findInstance(db, params.id);
      if (!instance) throw new NotFoundError('process instance', params.id);
      if (!allows(actor.permissions, 'view:all') && instance.startedBy !== actor.id) {
        throw missingPermission(actor, 'view:all', 'you may view only the instances you started');
      }
      const [waits, history] = await Promise.all([instanceWaits(db, params.id), instanceHistory(db, params.id)]);
      return { ...instance, ...waits, history };
    },
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/process-instances/:id/cancel',
      summary: 'Cancel a running instance',
      tag: 'Process instances',
      permission: 'instances:operate',
      params: IdParams,
      body: z.object({ reason: z.string().max(2000).optional() }).strict().default({}),
    },
    async ({ params, body, context }) => {
      await instances.cancel(context, params.id, body.reason);
      return findInstance(db, params.id);
    },
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/messages',
      summary: 'Correlate a message to waiting instances (by business key) or start processes with that message start event',
      tag: 'Events',
      permission: 'instances:start',
      body: z.object({ name: z.string().min(1).max(255), businessKey: z.string().min(1).max(255).nullish(), variables: Variables.default({}) }).strict(),
      response: Correlation,
    },
    async ({ body, context }) => events.correlateMessage(context, body.name, body.businessKey ?? null, body.variables),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/signals',
      summary: 'Broadcast a signal to every waiting catch event and signal start event',
      tag: 'Events',
      permission: 'instances:start',
      body: z.object({ name: z.string().min(1).max(255), variables: Variables.default({}) }).strict(),
      response: Correlation,
    },
    async ({ body, context }) => events.broadcastSignal(context, body.name, body.variables),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/incidents',
      summary: 'List incidents',
      tag: 'Incidents',
      permission: 'view:all',
      query: Pagination.extend({ status: z.enum(['open', 'resolved']).optional(), processInstanceId: z.uuid().optional() }),
    },
    async ({ query }) => incidents.list(query),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/incidents/:id/retry',
      summary: 'Retry the failed task of an incident once and resume the instance',
      tag: 'Incidents',
      permission: 'instances:operate',
      params: IdParams,
    },
    async ({ params, context }) => {
      await incidents.retry(context, params.id);
      return { retried: true };
    },
  );

  return router;
}
