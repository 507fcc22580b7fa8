import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/connect';
import { defineRoute, Pagination } from '../http/route';
import { listAudit } from './audit-store';

/** The audit log, read-only: no route updates or deletes an audit event. */
export function auditRoutes(registry: OpenAPIRegistry, db: Database): Router {
  const router = Router();
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/audit',
      summary: 'Audit events, newest first (filters: entityType, entityId, actor name or id, action, since)',
      tag: 'Audit',
      permission: 'view:all',
      query: Pagination.extend({
        entityType: z.string().max(100).optional(),
        entityId: z.string().max(255).optional(),
        actor: z.string().max(255).optional(),
        action: z.string().max(100).optional(),
        since: z.coerce.date().optional(),
      }),
    },
    async ({ query }) => listAudit(db, query),
  );
  return router;
}
