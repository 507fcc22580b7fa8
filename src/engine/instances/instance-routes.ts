import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/connect';
import { NotFoundError } from '../../errors';
import { defineRoute, Pagination, Variables } from '../../http/route';
import type { EventService } from '../events/event-service';
import type { IncidentService } from '../incidents/incident-service';
import type { UserTaskService } from '../user-tasks/user-task-service';
import { findInstance, instanceHistory, instanceWaits, listInstances } from './instance-store';
import type { InstanceService } from './instance-service';

const Status = z.enum(['running', 'waiting', 'completed', 'cancelled', 'incident', 'failed']);
const IdParams = z.object({ id: z.uuid() });
const Correlation = z.object({ delivered: z.array(z.string()), started: z.array(z.string()) });

export interface InstanceRouteServices {
  instances: InstanceService;
  events: EventService;
  incidents: IncidentService;
  userTasks: UserTaskService;
}

export function instanceRoutes(registry: OpenAPIRegistry, db: Database, services: InstanceRouteServices): Router {
  const router = Router();
  const { instances, events, incidents, userTasks } = services;

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/process-instances',
      summary: 'List instances (filters: status, key, businessKey)',
      tag: 'Process instances',
      query: Pagination.extend({ status: Status.optional(), key: z.string().max(255).optional(), businessKey: z.string().max(255).optional() }),
    },
    async ({ query }) => listInstances(db, query),
  );

  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/process-instances/:id', summary: 'One instance: status, current activities, variables, waits, incidents, history', tag: 'Process instances', params: IdParams },
    async ({ params }) => {
      const instance = await findInstance(db, params.id);
      if (!instance) throw new NotFoundError('process instance', params.id);
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
      params: IdParams,
      body: z.object({ reason: z.string().max(2000).optional() }).strict().default({}),
    },
    async ({ params, body }) => {
      await instances.cancel(params.id, null, body.reason);
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
      body: z.object({ name: z.string().min(1).max(255), businessKey: z.string().min(1).max(255).nullish(), variables: Variables.default({}) }).strict(),
      response: Correlation,
    },
    async ({ body }) => events.correlateMessage(body.name, body.businessKey ?? null, body.variables),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/signals',
      summary: 'Broadcast a signal to every waiting catch event and signal start event',
      tag: 'Events',
      body: z.object({ name: z.string().min(1).max(255), variables: Variables.default({}) }).strict(),
      response: Correlation,
    },
    async ({ body }) => events.broadcastSignal(body.name, body.variables),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/incidents',
      summary: 'List incidents',
      tag: 'Incidents',
      query: Pagination.extend({ status: z.enum(['open', 'resolved']).optional(), processInstanceId: z.uuid().optional() }),
    },
    async ({ query }) => incidents.list(query),
  );

  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/incidents/:id/retry', summary: 'Retry the failed task of an incident once and resume the instance', tag: 'Incidents', params: IdParams },
    async ({ params }) => {
      await incidents.retry(params.id);
      return { retried: true };
    },
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/tasks',
      summary: 'List user tasks',
      tag: 'User tasks',
      query: Pagination.extend({
        status: z.enum(['open', 'completed', 'cancelled']).optional(),
        processInstanceId: z.uuid().optional(),
        candidateGroup: z.string().max(255).optional(),
      }),
    },
    async ({ query }) => userTasks.list(query),
  );

  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/tasks/:id', summary: 'One user task', tag: 'User tasks', params: IdParams },
    async ({ params }) => userTasks.get(params.id),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/tasks/:id/complete',
      summary: 'Complete a user task; its variables become process variables',
      tag: 'User tasks',
      params: IdParams,
      body: z.object({ variables: Variables.default({}) }).strict(),
    },
    async ({ params, body }) => {
      await userTasks.complete(params.id, body.variables, null);
      return userTasks.get(params.id);
    },
  );

  return router;
}
