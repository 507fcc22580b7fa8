import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute } from '../http/route';
import { parseMonitoringWindow, type MonitoringService } from './monitoring-service';

export function monitoringRoutes(registry: OpenAPIRegistry, monitoring: MonitoringService): Router {
  const router = Router();
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/deployments/:id/monitoring',
      summary: 'Requests, errors, latency percentiles, challenger agreement and input drift (PSI) over ?window= (15m, 24h, 7d; default 24h)',
      tag: 'Deployments',
      permission: 'view:own',
      params: z.object({ id: z.uuid() }),
      query: z.object({ window: z.string().max(20).optional() }),
    },
    async ({ params, query, actor }) => monitoring.report(actor, params.id, parseMonitoringWindow(query.window)),
  );
  return router;
}
