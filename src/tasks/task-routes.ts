import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute, missingPermission, Pagination, Variables } from '../http/route';
import type { Actor } from '../identity/actor';
import { allows } from '../identity/roles';
import type { Database } from '../db/connect';
import { isCandidate } from './task-rules';
import type { TaskService } from './task-service';
import { listWorkItems } from './task-store';
import type { WorkItem } from './work-item';

const IdParams = z.object({ id: z.uuid() });
const Text = z.string().trim().min(1).max(255);

/** Whether the actor may read the item: view:all, a candidate/assignee, or the instance's starter. */
async function assertVisible(db: Database, actor: Actor, item: WorkItem): Promise<void> {
  if (allows(actor.permissions, 'view:all') || isCandidate(actor, item)) return;
  const instance = await db('process_instances').where({ id: item.processInstanceId }).first('started_by');
  if (instance?.started_by !== actor.id) throw missingPermission(actor, 'view:all', 'you may view only work items you are a candidate for or whose instance you started');
}

/** Work items over REST (SPEC §6). */
export function taskRoutes(registry: OpenAPIRegistry, db: Database, tasks: TaskService): Router {
  const router = Router();
  const tag = 'Work items';

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/tasks',
      summary: 'List work items; mine=true for those of your groups, yourself or assigned to you',
      tag,
      permission: 'view:own',
      query: Pagination.extend({
        status: z.enum(['open', 'completed', 'cancelled']).optional(),
        kind: z.enum(['approval', 'review']).optional(),
        candidateGroup: Text.optional(),
        candidateUser: Text.optional(),
        assignee: Text.optional(),
        processInstanceId: z.uuid().optional(),
        businessKey: Text.optional(),
        dueBefore: z.coerce.date().optional(),
        mine: z.enum(['true', 'false']).optional(),
        sort: z.enum(['created', 'due', 'priority']).default('created'),
        order: z.enum(['asc', 'desc']).default('desc'),
      }),
    },
    async ({ query, actor }) => {
      const seesAll = allows(actor.permissions, 'view:all');
      return listWorkItems(db, {
        ...query,
        mine: query.mine === 'true' || !seesAll ? actor : undefined,
      });
    },
  );

  defineRoute(router, registry, { method: 'get', path: '/api/tasks/:id', summary: 'One work item with its context', tag, permission: 'view:own', params: IdParams }, async ({ params, actor }) => {
    const item = await tasks.get(params.id);
    await assertVisible(db, actor, item);
    return item;
  });

  defineRoute(router, registry, { method: 'post', path: '/api/tasks/:id/claim', summary: 'Claim a work item (candidates only)', tag, permission: 'tasks:approve', params: IdParams }, ({ params, context }) =>
    tasks.claim(context, params.id),
  );
  defineRoute(router, registry, { method: 'post', path: '/api/tasks/:id/unclaim', summary: 'Give a claimed work item back', tag, permission: 'tasks:approve', params: IdParams }, ({ params, context }) =>
    tasks.unclaim(context, params.id),
  );
  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/tasks/:id/assign', summary: 'Assign a work item to a user (or null to release it)', tag, permission: 'users:manage', params: IdParams, body: z.object({ userId: z.uuid().nullable() }).strict() },
    ({ params, body, context }) => tasks.assign(context, params.id, body.userId),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/tasks/:id/complete',
      summary:
        'Decide on a work item: approved | rejected | changes_requested (or the values of its decision form field), with a comment and form variables. Answers the item: still open while a multi-approver item waits for more approvals.',
      tag,
      permission: 'tasks:approve',
      params: IdParams,
      body: z.object({ decision: Text.optional(), comment: z.string().max(4000).nullish(), variables: Variables.default({}) }).strict(),
    },
    async ({ params, body, context }) => (await tasks.complete(context, params.id, body)).item,
  );

  defineRoute(router, registry, { method: 'get', path: '/api/tasks/:id/comments', summary: 'Comments on a work item', tag, permission: 'view:own', params: IdParams }, async ({ params, actor }) => {
    await assertVisible(db, actor, await tasks.get(params.id));
    return { items: await tasks.comments(params.id) };
  });
  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/tasks/:id/comments', summary: 'Comment on a work item', tag, permission: 'view:own', params: IdParams, body: z.object({ text: z.string().trim().min(1).max(4000) }).strict(), status: 201 },
    async ({ params, body, actor, context }) => {
      await assertVisible(db, actor, await tasks.get(params.id));
      return tasks.addComment(context, params.id, body.text);
    },
  );
  return router;
}
