/**
 * GET /metrics for Prometheus, behind a bearer token with `view:all`
 * (Prometheus: `authorization: {credentials: <token>}` or `bearer_token`).
 */
import { Router, type RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors';
import type { Actor } from '../identity/actor';
import { allows } from '../identity/roles';
import type { StagegateMetrics } from './stagegate-metrics';

/**
 * `authenticate` is the API's authentication middleware (it leaves the actor
 * in res.locals); the route then requires `view:all`.
 */
export function metricsRoutes(metrics: StagegateMetrics, authenticate: RequestHandler): Router {
  const router = Router();
  router.get('/metrics', authenticate, async (_req, res) => {
    const actor = res.locals.actor as Actor | undefined;
    if (!actor) throw new UnauthorizedError();
    if (!allows(actor.permissions, 'view:all')) {
      throw new ForbiddenError(`Missing permission "view:all" (view everything) to read metrics; your roles: ${actor.roles.join(', ') || 'none'}`, { permission: 'view:all' });
    }
    const text = await metrics.render();
    res.type(metrics.contentType).send(text);
  });
  return router;
}
