import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute, Pagination } from '../http/route';
import { IMPORTANCE } from '../tasks/approval-policies';
import type { ApiKeyService } from './api-key-service';
import type { ChangeRequestService } from './change-request-service';
import { answerHeld, ApplyModeQuery, ChangeRequest } from './change-request-routes';
import type { DeploymentActivation } from './deployment-activation';
import type { DeploymentService } from './deployment-service';

const Name = z.string().trim().min(1).max(200);
const Access = z.enum(['public', 'instance', 'project']);
const Members = z.array(z.uuid()).max(500);
const DeploymentBody = z
  .object({
    name: Name,
    versionId: z.uuid(),
    challengerVersionId: z.uuid().nullish(),
    runtimeId: z.uuid(),
    importance: z.enum(IMPORTANCE).optional(),
    access: Access.default('project'),
    members: Members.default([]),
  })
  .strict()
  .openapi('DeploymentInput');
const DeploymentChanges = z
  .object({ name: Name, championVersionId: z.uuid(), challengerVersionId: z.uuid().nullable(), importance: z.enum(IMPORTANCE), access: Access, members: Members })
  .partial()
  .strict()
  .openapi('DeploymentChanges');
const Deployment = z
  .object({
    id: z.string(),
    name: z.string(),
    modelId: z.string(),
    runtimeId: z.string(),
    championVersionId: z.string(),
    challengerVersionId: z.string().nullable(),
    importance: z.enum(IMPORTANCE),
    access: Access,
    members: z.array(z.string()),
    status: z.enum(['active', 'inactive']),
    approvalStatus: z.enum(['needs_approval', 'approved']),
    ownerId: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .openapi('Deployment');
const ApiKey = z
  .object({ id: z.string(), deploymentId: z.string(), name: z.string(), prefix: z.string(), createdBy: z.string().nullable(), createdAt: z.date(), revokedAt: z.date().nullable() })
  .openapi('DeploymentApiKey');
const IdParams = z.object({ id: z.uuid() });
const ListQuery = Pagination.extend({ status: z.enum(['active', 'inactive']).optional(), modelId: z.uuid().optional() });

/** Deployments (SPEC §8). Predictions and the try-it form: `predict-routes.ts`. */
export function deploymentRoutes(registry: OpenAPIRegistry, deployments: DeploymentService, changeRequests: ChangeRequestService, activation: DeploymentActivation, keys: ApiKeyService): Router {
  const router = Router();
  const tag = 'Deployments';
  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/deployments', summary: 'Deploy a model version to a runtime (inactive until activated)', tag, permission: 'deployments:write', body: DeploymentBody, response: Deployment, status: 201 },
    async ({ body, context }) => deployments.create(context, body),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/deployments', summary: 'List deployments (contributors: own and shared)', tag, permission: 'view:own', query: ListQuery, response: z.object({ items: z.array(Deployment), total: z.number() }) },
    async ({ query, actor }) => deployments.list(actor, query),
  );
  defineRoute(router, registry, { method: 'get', path: '/api/deployments/:id', summary: 'One deployment', tag, permission: 'view:own', params: IdParams, response: Deployment }, async ({ params, actor }) =>
    deployments.get(actor, params.id),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/deployments/:id/history', summary: 'Champion/challenger versions the deployment had, newest first', tag, permission: 'view:own', params: IdParams },
    async ({ params, actor }) => ({ items: await deployments.history(actor, params.id) }),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'patch',
      path: '/api/deployments/:id',
      summary: 'Replace the champion or challenger, change importance, access or members. Replacing the model or changing importance waits for approval when an approval policy matches: 202 with the change request',
      tag,
      permission: 'deployments:write',
      params: IdParams,
      query: ApplyModeQuery,
      body: DeploymentChanges,
      response: Deployment,
      otherResponses: [{ status: 202, description: 'Held for approval: the change request (Location: /api/change-requests/{id})', response: ChangeRequest }],
    },
    async ({ params, query, body, context, res }) => {
      const outcome = await changeRequests.update(context, params.id, body, query.applyMode);
      if (outcome.applied) return outcome.deployment;
      answerHeld(res, outcome);
    },
  );
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/deployments/:id/rollback',
      summary: 'Return the champion to a version the deployment served before',
      tag,
      permission: 'deployments:write',
      params: IdParams,
      body: z.object({ version: z.number().int().min(1) }).strict(),
      response: Deployment,
    },
    async ({ params, body, context }) => deployments.rollback(context, params.id, body.version),
  );
  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/deployments/:id/activate', summary: 'Activate (counts against MAX_ACTIVE_MODELS per model)', tag, permission: 'deployments:activate', params: IdParams, response: Deployment },
    async ({ params, context }) => activation.activate(context, params.id),
  );
  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/deployments/:id/deactivate', summary: 'Deactivate: predictions are refused with 409', tag, permission: 'deployments:activate', params: IdParams, response: Deployment },
    async ({ params, context }) => activation.deactivate(context, params.id),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'delete',
      path: '/api/deployments/:id',
      summary: 'Delete a deployment; waits for approval when an approval policy matches (202 with the change request)',
      tag,
      permission: 'deployments:write',
      params: IdParams,
      query: ApplyModeQuery,
      status: 204,
      otherResponses: [{ status: 202, description: 'Held for approval: the change request (Location: /api/change-requests/{id})', response: ChangeRequest }],
    },
    async ({ params, query, context, res }) => {
      const outcome = await changeRequests.delete(context, params.id, query.applyMode);
      if (outcome.applied) res.status(204).end();
      else answerHeld(res, outcome);
    },
  );
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/deployments/:id/keys',
      summary: 'Create an API key (the secret `key` is shown only in this answer)',
      tag,
      permission: 'deployments:write',
      params: IdParams,
      body: z.object({ name: Name }).strict(),
      response: ApiKey.extend({ key: z.string() }),
      status: 201,
    },
    async ({ params, body, context }) => keys.create(context, params.id, body.name),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/deployments/:id/keys', summary: 'API keys of a deployment (prefixes only)', tag, permission: 'deployments:write', params: IdParams, response: z.object({ items: z.array(ApiKey) }) },
    async ({ params, context }) => ({ items: await keys.list(context, params.id) }),
  );
  defineRoute(
    router,
    registry,
    { method: 'delete', path: '/api/deployments/:id/keys/:keyId', summary: 'Revoke an API key (effective at once)', tag, permission: 'deployments:write', params: z.object({ id: z.uuid(), keyId: z.uuid() }), status: 204 },
    async ({ params, context, res }) => {
      await keys.revoke(context, params.id, params.keyId);
      res.status(204).end();
    },
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/usage', summary: 'Active models against MAX_ACTIVE_MODELS', tag, permission: 'authenticated', response: z.object({ activeModels: z.object({ used: z.number(), limit: z.number().nullable() }) }) },
    async () => activation.usage(),
  );
  return router;
}
