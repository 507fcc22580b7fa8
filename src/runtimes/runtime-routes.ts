import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute } from '../http/route';
import type { RuntimeService } from './runtime-service';

const Name = z.string().trim().min(1).max(200);
const Tag = z.string().trim().min(1).max(100).regex(/^[^,\s]+$/, 'a tag has no commas or spaces');
const Url = z.url({ protocol: /^https?$/ }).max(2000);
const RuntimeBody = z
  .object({ name: Name, kind: z.enum(['embedded', 'http']), url: Url.nullish(), tags: z.array(Tag).max(50).default([]) })
  .strict()
  .openapi('RuntimeInput');
const RuntimeChanges = z.object({ name: Name, url: Url.nullable(), tags: z.array(Tag).max(50) }).partial().strict().openapi('RuntimeChanges');
const Runtime = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['embedded', 'http']),
    url: z.string().nullable(),
    tags: z.array(z.string()),
    createdBy: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .openapi('Runtime');
const IdParams = z.object({ id: z.uuid() });
const TagsQuery = z.object({ tags: z.string().max(2000).optional() });

/** Runtimes (SPEC §8): anyone may look; changing them is a setting (`settings:edit`). */
export function runtimeRoutes(registry: OpenAPIRegistry, runtimes: RuntimeService): Router {
  const router = Router();
  const tag = 'Runtimes';
  defineRoute(router, registry, { method: 'post', path: '/api/runtimes', summary: 'Register a runtime', tag, permission: 'settings:edit', body: RuntimeBody, response: Runtime, status: 201 }, async ({ body, context }) =>
    runtimes.create(context, body),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/runtimes', summary: 'List runtimes, optionally those having every tag of ?tags=a,b', tag, permission: 'view:own', query: TagsQuery, response: z.object({ items: z.array(Runtime) }) },
    async ({ query }) => ({ items: await runtimes.list(query.tags ? query.tags.split(',').map((t) => t.trim()).filter(Boolean) : []) }),
  );
  defineRoute(router, registry, { method: 'get', path: '/api/runtimes/:id', summary: 'One runtime', tag, permission: 'view:own', params: IdParams, response: Runtime }, async ({ params }) =>
    runtimes.get(params.id),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/runtimes/:id/health', summary: 'Whether the runtime answers (http: GET {url}/health)', tag, permission: 'view:own', params: IdParams },
    async ({ params }) => runtimes.health(params.id),
  );
  defineRoute(
    router,
    registry,
    { method: 'patch', path: '/api/runtimes/:id', summary: 'Change a runtime\'s name, url or tags', tag, permission: 'settings:edit', params: IdParams, body: RuntimeChanges, response: Runtime },
    async ({ params, body, context }) => runtimes.update(context, params.id, body),
  );
  defineRoute(
    router,
    registry,
    { method: 'delete', path: '/api/runtimes/:id', summary: 'Delete a runtime that serves no deployment', tag, permission: 'settings:edit', params: IdParams, status: 204 },
    async ({ params, context, res }) => {
      await runtimes.delete(context, params.id);
      res.status(204).end();
    },
  );
  return router;
}
