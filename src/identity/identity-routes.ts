import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/connect';
import { defineRoute, Pagination } from '../http/route';
import { ROLES } from './roles';
import type { UserService } from './user-service';
import { listGroups, listUsers } from './user-store';

const Name = z.string().trim().min(1).max(200);
const Group = z.string().trim().min(1).max(100).regex(/^[\w.@:-]+$/, 'letters, digits and . _ - @ : only');
const UserBody = z
  .object({
    name: Name,
    email: z.email().max(320),
    roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
    groups: z.array(Group).max(100).default([]),
    active: z.boolean().optional(),
  })
  .strict()
  .openapi('UserInput');
const User = z
  .object({ id: z.string(), name: z.string(), email: z.string(), roles: z.array(z.string()), groups: z.array(z.string()), active: z.boolean(), createdAt: z.date(), updatedAt: z.date() })
  .openapi('User');
const Token = z
  .object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: z.date(), expiresAt: z.date().nullable(), lastUsedAt: z.date().nullable(), revokedAt: z.date().nullable() })
  .openapi('ApiToken');
const IdParams = z.object({ id: z.uuid() });

/** Users, tokens, groups and the caller (SPEC §9). */
export function identityRoutes(registry: OpenAPIRegistry, db: Database, users: UserService): Router {
  const router = Router();
  const tag = 'Identity';
  const permission = 'users:manage' as const;

  defineRoute(router, registry, { method: 'get', path: '/api/me', summary: 'The caller: user, roles, groups and permissions', tag, permission: 'authenticated' }, async ({ actor }) => ({
    ...(await users.get(actor.id)),
    permissions: [...actor.permissions].sort(),
  }));

  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/users', summary: 'List users (filters: group, role)', tag, permission, query: Pagination.extend({ group: Group.optional(), role: z.enum(ROLES).optional() }) },
    async ({ query }) => listUsers(db, query),
  );
  defineRoute(router, registry, { method: 'post', path: '/api/users', summary: 'Create a user', tag, permission, body: UserBody, response: User, status: 201 }, async ({ body, context }) =>
    users.create(context, body),
  );
  defineRoute(router, registry, { method: 'get', path: '/api/users/:id', summary: 'One user', tag, permission, params: IdParams, response: User }, async ({ params }) => users.get(params.id));
  defineRoute(
    router,
    registry,
    { method: 'put', path: '/api/users/:id', summary: 'Change a user (any subset of the fields)', tag, permission, params: IdParams, body: UserBody.partial().strict(), response: User },
    async ({ params, body, context }) => users.update(context, params.id, body),
  );
  defineRoute(router, registry, { method: 'delete', path: '/api/users/:id', summary: 'Delete a user and revoke their tokens', tag, permission, params: IdParams, status: 204 }, async ({ params, context, res }) => {
    await users.remove(context, params.id);
    res.status(204).end();
  });

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/users/:id/tokens',
      summary: 'Create an API token; the secret is in this response only',
      tag,
      permission,
      params: IdParams,
      body: z.object({ name: Name, expiresInDays: z.number().int().min(1).max(3650).optional() }).strict(),
      response: Token.extend({ token: z.string() }),
      status: 201,
    },
    async ({ params, body, context }) => users.createToken(context, params.id, body.name, body.expiresInDays),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/users/:id/tokens', summary: 'List a user\'s tokens (no secrets)', tag, permission, params: IdParams, response: z.object({ items: z.array(Token) }) },
    async ({ params }) => ({ items: await users.listTokens(params.id) }),
  );
  defineRoute(
    router,
    registry,
    { method: 'delete', path: '/api/users/:id/tokens/:tokenId', summary: 'Revoke a token (effective at once)', tag, permission, params: z.object({ id: z.uuid(), tokenId: z.uuid() }), status: 204 },
    async ({ params, context, res }) => {
      await users.revokeToken(context, params.id, params.tokenId);
      res.status(204).end();
    },
  );

  defineRoute(router, registry, { method: 'get', path: '/api/groups', summary: 'Groups (as BPMN candidateGroups name them) and their member counts', tag, permission: 'view:own' }, async () => ({
    items: await listGroups(db),
  }));
  return router;
}
