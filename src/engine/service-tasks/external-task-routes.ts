import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute, Variables } from '../../http/route';
import type { ActionContext } from '../../identity/actor';
import type { ExternalTaskService } from './external-task-service';

const IdParams = z.object({ id: z.uuid() });
const WorkerId = z.string().min(1).max(255);
const Duration = z.number().int().min(1).max(7 * 24 * 3600 * 1000);

/** Camunda-style external task REST (SPEC §5.1). */
export function externalTaskRoutes(registry: OpenAPIRegistry, tasks: ExternalTaskService): Router {
  const router = Router();
  const tag = 'External tasks';
  const permission = 'external-tasks:work' as const;
  const route = <B extends z.ZodType>(path: string, summary: string, body: B, handler: (context: ActionContext, id: string, body: z.infer<B>) => Promise<void>) =>
    defineRoute(router, registry, { method: 'post', path, summary, tag, permission, params: IdParams, body, status: 204 }, async ({ params, body: input, res, context }) => {
      await handler(context, params.id, input);
      res.status(204).end();
    });

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/external-tasks/fetch-and-lock',
      summary: 'Fetch and lock up to maxTasks tasks of the given topics',
      tag,
      permission,
      body: z
        .object({
          workerId: WorkerId,
          maxTasks: z.number().int().min(1).max(100),
          topics: z.array(z.object({ topicName: z.string().min(1).max(255), lockDuration: Duration })).min(1).max(50),
        })
        .strict(),
    },
    async ({ body, context }) => tasks.fetchAndLock(context, body.workerId, body.maxTasks, body.topics),
  );

  route(
    '/api/external-tasks/:id/complete',
    'Complete a locked task; its variables become process variables',
    z.object({ workerId: WorkerId, variables: Variables.default({}) }).strict(),
    (context, id, body) => tasks.complete(context, id, body.workerId, body.variables),
  );
  route(
    '/api/external-tasks/:id/failure',
    'Report a failure: retries > 0 makes it fetchable again after retryTimeout ms; 0 opens an incident',
    z.object({ workerId: WorkerId, errorMessage: z.string().max(4000), retries: z.number().int().min(0).max(100), retryTimeout: z.number().int().min(0).max(7 * 24 * 3600 * 1000).default(0) }).strict(),
    (context, id, body) => tasks.handleFailure(context, id, body.workerId, body.errorMessage, body.retries, body.retryTimeout),
  );
  route(
    '/api/external-tasks/:id/bpmn-error',
    'Throw a BPMN error (caught by a boundary error event with that errorCode)',
    z.object({ workerId: WorkerId, errorCode: z.string().min(1).max(255), errorMessage: z.string().max(4000).nullish(), variables: Variables.default({}) }).strict(),
    (context, id, body) => tasks.handleBpmnError(context, id, body.workerId, body.errorCode, body.errorMessage ?? null, body.variables),
  );
  route(
    '/api/external-tasks/:id/extend-lock',
    'Extend the lock by newDuration ms from now',
    z.object({ workerId: WorkerId, newDuration: Duration }).strict(),
    (context, id, body) => tasks.extendLock(context, id, body.workerId, body.newDuration),
  );
  return router;
}
