import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z, ZodType } from 'zod';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors';
import type { ActionContext, Actor } from '../identity/actor';
import { allows, Permission, PERMISSIONS } from '../identity/roles';
import { ErrorBody } from './openapi';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<B extends ZodType, Q extends ZodType, P extends ZodType> {
  method: Method;
  /** Express-style path under the router, e.g. `/api/process-definitions/:key`. */
  path: string;
  summary: string;
  tag: string;
  /** What the caller must be allowed to do; `authenticated` for any valid token. */
  permission: Permission | 'authenticated';
  body?: B;
  /** A non-JSON body (BPMN XML, multipart) the handler reads itself: documented, not validated here. */
  rawBody?: { contentTypes: string[]; description: string };
  query?: Q;
  params?: P;
  response?: ZodType;
  responseContentType?: string;
  status?: number;
  /** Other successful answers the route may give (e.g. 202 when a change waits for approval). */
  otherResponses?: { status: number; description: string; response?: ZodType }[];
}

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  actor: Actor;
  /** Who acts and in which request: passed into every state change for the audit log. */
  context: ActionContext;
  req: Request;
  res: Response;
}

/** Parses a value with a zod schema; a failure is a 400 naming every bad field. */
export function parseInput<T>(schema: ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: [where, ...issue.path].join('.'), message: issue.message }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new ValidationError(`Invalid request ${where}: ${summary}`, { issues });
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

/**
 * Declares one route: registers it in the OpenAPI document and validates
 * params, query and body with the same schemas before the handler runs. The
 * handler's return value is sent as JSON (undefined: the handler answered).
 */
export function defineRoute<B extends ZodType = ZodType<undefined>, Q extends ZodType = ZodType<object>, P extends ZodType = ZodType<object>>(
  router: Router,
  registry: OpenAPIRegistry,
  spec: RouteSpec<B, Q, P>,
  handler: (input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<unknown>,
): void {
  const config: RouteConfig = {
    method: spec.method,
    path: openApiPath(spec.path),
    summary: spec.summary,
    description: spec.permission === 'authenticated' ? 'Any authenticated user.' : `Requires permission \`${spec.permission}\` (${PERMISSIONS[spec.permission]}).`,
    tags: [spec.tag],
    security: [{ bearer: [] }],
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
      ...(spec.rawBody
        ? {
            body: {
              description: spec.rawBody.description,
              content: Object.fromEntries(spec.rawBody.contentTypes.map((type) => [type, { schema: z.string() }])),
              required: true,
            },
          }
        : {}),
    },
    responses: {
      [spec.status ?? 200]: {
        description: 'OK',
        ...(spec.response ? { content: { [spec.responseContentType ?? 'application/json']: { schema: spec.response } } } : {}),
      },
      ...Object.fromEntries(
        (spec.otherResponses ?? []).map((other) => [other.status, { description: other.description, ...(other.response ? { content: { 'application/json': { schema: other.response } } } : {}) }]),
      ),
      400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorBody } } },
      401: { description: 'No valid API token', content: { 'application/json': { schema: ErrorBody } } },
      403: { description: 'Missing permission', content: { 'application/json': { schema: ErrorBody } } },
      404: { description: 'Not found', content: { 'application/json': { schema: ErrorBody } } },
      409: { description: 'Conflict', content: { 'application/json': { schema: ErrorBody } } },
    },
  };
  registry.registerPath(config);
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const actor = authorize(res.locals.actor, spec.permission);
    const context: ActionContext = { actor, requestId: res.locals.requestId ?? null };
    const params = spec.params ? parseInput(spec.params, req.params, 'params') : {};
    const query = spec.query ? parseInput(spec.query, req.query, 'query') : {};
    const body = spec.body ? parseInput(spec.body, req.body, 'body') : undefined;
    const result = await handler({ body, query, params, req, res, actor, context } as RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>);
    if (result !== undefined && !res.headersSent) res.status(spec.status ?? 200).json(result);
  });
}

/** The caller, checked against the route's permission: 401 without one, 403 naming what is missing. */
function authorize(actor: Actor | undefined, permission: Permission | 'authenticated'): Actor {
  if (!actor) throw new UnauthorizedError();
  if (permission !== 'authenticated' && !allows(actor.permissions, permission)) throw missingPermission(actor, permission);
  return actor;
}

/** The 403 for a missing permission, with the reason when it is about ownership. */
export function missingPermission(actor: Actor, permission: Permission, reason?: string): ForbiddenError {
  const why = reason ? `: ${reason}` : '';
  return new ForbiddenError(`Missing permission "${permission}" (${PERMISSIONS[permission]})${why}; your roles: ${actor.roles.join(', ') || 'none'}`, {
    permission,
    roles: actor.roles,
  });
}

/** Pagination query shared by list endpoints. */
export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const Variables = z.record(z.string(), z.unknown()).openapi('Variables');
