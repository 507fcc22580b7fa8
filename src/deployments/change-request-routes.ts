import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { defineRoute, Pagination } from '../http/route';
import { IMPORTANCE } from '../tasks/approval-policies';
import type { ChangeOutcome, ChangeRequestService } from './change-request-service';
import { APPLY_MODES, CHANGE_STATUSES, CHANGE_TYPES } from './change-request-store';

export const ChangeRequest = z
  .object({
    id: z.string(),
    deploymentId: z.string(),
    deploymentName: z.string(),
    type: z.enum(CHANGE_TYPES),
    eventType: z.string(),
    importance: z.enum(IMPORTANCE),
    payload: z.record(z.string(), z.unknown()),
    before: z.record(z.string(), z.unknown()),
    after: z.record(z.string(), z.unknown()).nullable(),
    status: z.enum(CHANGE_STATUSES),
    applyMode: z.enum(APPLY_MODES),
    requestedBy: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decisionComment: z.string().nullable(),
    appliedBy: z.string().nullable(),
    error: z.string().nullable(),
    processInstanceId: z.string().nullable(),
    createdAt: z.date(),
    decidedAt: z.date().nullable(),
    appliedAt: z.date().nullable(),
    updatedAt: z.date(),
  })
  .openapi('ChangeRequest');

/** `?applyMode=` of PATCH/DELETE /api/deployments/:id: what happens once a change request is approved. */
export const ApplyModeQuery = z.object({ applyMode: z.enum(APPLY_MODES).default('automatic') });

/** Answers a PATCH/DELETE whose change waits for approval: 202, the request, and where to follow it. */
export function answerHeld(res: Response, outcome: Extract<ChangeOutcome, { applied: false }>): void {
  res.status(202).location(`/api/change-requests/${outcome.changeRequest.id}`).json(outcome.changeRequest);
}

const IdParams = z.object({ id: z.uuid() });

/** Change requests of deployments (SPEC §6, §8). */
export function changeRequestRoutes(registry: OpenAPIRegistry, changeRequests: ChangeRequestService): Router {
  const router = Router();
  const tag = 'Change requests';
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/change-requests',
      summary: 'List change requests, newest first (contributors: their own and those of deployments they may see)',
      tag,
      permission: 'view:own',
      query: Pagination.extend({ deploymentId: z.uuid().optional(), status: z.enum(CHANGE_STATUSES).optional() }),
      response: z.object({ items: z.array(ChangeRequest), total: z.number() }),
    },
    async ({ query, actor }) => changeRequests.list(actor, query),
  );
  defineRoute(router, registry, { method: 'get', path: '/api/change-requests/:id', summary: 'One change request', tag, permission: 'view:own', params: IdParams, response: ChangeRequest }, async ({ params, actor }) =>
    changeRequests.get(actor, params.id),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/change-requests/:id/apply',
      summary: 'Apply an approved change request of manual apply mode (409 when not approved, or when the deployment changed since the request)',
      tag,
      permission: 'deployments:write',
      params: IdParams,
      response: ChangeRequest,
    },
    async ({ params, context }) => changeRequests.apply(context, params.id),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/change-requests/:id/cancel',
      summary: 'Withdraw a pending (or approved, not yet applied) change request: its requester or a user administrator',
      tag,
      permission: 'deployments:write',
      params: IdParams,
      response: ChangeRequest,
    },
    async ({ params, context }) => changeRequests.cancel(context, params.id),
  );
  return router;
}
