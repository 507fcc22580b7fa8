import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute, Pagination } from '../http/route';
import type { AlertService } from './alert-service';
import { SEVERITIES } from './alert-store';

const IdParams = z.object({ id: z.uuid() });
const Alert = z
  .object({
    id: z.string(),
    severity: z.enum(SEVERITIES),
    message: z.string(),
    modelId: z.string().nullable(),
    deploymentId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    status: z.enum(['open', 'acknowledged']),
    notifiedGroup: z.string().nullable(),
    processInstanceId: z.string().nullable(),
    elementId: z.string().nullable(),
    createdAt: z.date(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedByName: z.string().nullable(),
    acknowledgedAt: z.date().nullable(),
    acknowledgeComment: z.string().nullable(),
  })
  .openapi('Alert');

/** `/api/alerts`: what `raise-alert` recorded for the support team. */
export function alertRoutes(registry: OpenAPIRegistry, alerts: AlertService): Router {
  const router = Router();

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/alerts',
      summary: 'List alerts, newest first (filters: status, severity, deploymentId, modelId); contributors see alerts about their models',
      tag: 'Alerts',
      permission: 'view:own',
      query: Pagination.extend({
        status: z.enum(['open', 'acknowledged']).optional(),
        severity: z.enum(SEVERITIES).optional(),
        deploymentId: z.string().trim().min(1).max(200).optional(),
        modelId: z.string().trim().min(1).max(200).optional(),
      }),
      response: z.object({ items: z.array(Alert), total: z.number() }),
    },
    async ({ query, actor }) => alerts.list(actor, query),
  );

  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/alerts/:id', summary: 'One alert', tag: 'Alerts', permission: 'view:own', params: IdParams, response: Alert },
    async ({ params, actor }) => alerts.get(actor, params.id),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/alerts/:id/acknowledge',
      summary: 'Acknowledge an open alert with a comment (409 when already acknowledged); for operators (instances:operate) and members of the group the alert was sent to',
      tag: 'Alerts',
      permission: 'authenticated',
      params: IdParams,
      body: z.object({ comment: z.string().trim().min(1).max(5000).optional() }).strict().default({}),
      response: Alert,
    },
    async ({ params, body, context }) => alerts.acknowledge(context, params.id, body.comment ?? null),
  );

  return router;
}
