/**
 * Approval policies (SPEC §6): (event type, importance) → approver group,
 * approvals required, timeout and its automatic action. A user task adopts the
 * policy matching its process's `eventType` and `importance` variables.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { parseDuration } from '@0dep/piso';
import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { camelRow } from '../db/rows';
import { ConflictError, NotFoundError } from '../errors';
import { defineRoute } from '../http/route';

export const IMPORTANCE = ['critical', 'high', 'moderate', 'low'] as const;

const Duration = z.string().refine((text) => {
  try {
    parseDuration(text);
    return text.startsWith('P');
  } catch {
    return false;
  }
}, 'must be an ISO 8601 duration such as PT4H or P2D');

const PolicyBody = z
  .object({
    eventType: z.string().trim().min(1).max(100),
    importance: z.enum(IMPORTANCE),
    approverGroup: z.string().trim().min(1).max(100),
    approvalsRequired: z.number().int().min(1).max(10).default(1),
    timeout: Duration.nullish(),
    timeoutAction: z.enum(['approve', 'reject', 'escalate']).nullish(),
    escalationGroup: z.string().trim().min(1).max(100).nullish(),
  })
  .strict()
  .refine((p) => !p.timeoutAction || p.timeout, { message: 'timeoutAction needs a timeout', path: ['timeoutAction'] })
  .refine((p) => p.timeoutAction !== 'escalate' || p.escalationGroup, { message: 'escalate needs an escalationGroup', path: ['escalationGroup'] })
  .openapi('ApprovalPolicy');

export interface ApprovalPolicy {
  id: string;
  eventType: string;
  importance: string;
  approverGroup: string;
  approvalsRequired: number;
  timeout: string | null;
  timeoutAction: 'approve' | 'reject' | 'escalate' | null;
  escalationGroup: string | null;
}

export async function findPolicy(db: Database | Knex.Transaction, eventType: string, importance: string): Promise<ApprovalPolicy | null> {
  const row = await db('approval_policies').where({ event_type: eventType, importance }).first();
  return row ? camelRow<ApprovalPolicy>(row) : null;
}

/** The due date a policy's timeout gives an item opened now. */
export function policyDueDate(policy: ApprovalPolicy, now = new Date()): Date | null {
  return policy.timeout ? parseDuration(policy.timeout).getExpireAt(now) : null;
}

export function approvalPolicyRoutes(registry: OpenAPIRegistry, db: Database): Router {
  const router = Router();
  const tag = 'Approval policies';
  defineRoute(router, registry, { method: 'get', path: '/api/approval-policies', summary: 'List approval policies', tag, permission: 'view:own' }, async () => ({
    items: (await db('approval_policies').orderBy(['event_type', 'importance'])).map((row) => camelRow(row)),
  }));
  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/approval-policies', summary: 'Create the policy of an (event type, importance) pair', tag, permission: 'settings:edit', body: PolicyBody, status: 201 },
    async ({ body, context }) =>
      db.transaction(async (trx) => {
        if (await findPolicy(trx, body.eventType, body.importance)) throw new ConflictError(`a policy for ${body.eventType}/${body.importance} exists; delete it first`);
        const [row] = await trx('approval_policies')
          .insert({
            id: crypto.randomUUID(),
            event_type: body.eventType,
            importance: body.importance,
            approver_group: body.approverGroup,
            approvals_required: body.approvalsRequired,
            timeout: body.timeout ?? null,
            timeout_action: body.timeoutAction ?? null,
            escalation_group: body.escalationGroup ?? null,
          })
          .returning('*');
        await recordAudit(trx, context, { action: 'approval-policy.create', entityType: 'approval_policy', entityId: row.id, after: camelRow(row) });
        return camelRow(row);
      }),
  );
  defineRoute(
    router,
    registry,
    { method: 'delete', path: '/api/approval-policies/:id', summary: 'Delete a policy (open work items keep theirs)', tag, permission: 'settings:edit', params: z.object({ id: z.uuid() }), status: 204 },
    async ({ params, context, res }) => {
      await db.transaction(async (trx) => {
        const [row] = await trx('approval_policies').where({ id: params.id }).del().returning('*');
        if (!row) throw new NotFoundError('approval policy', params.id);
        await recordAudit(trx, context, { action: 'approval-policy.delete', entityType: 'approval_policy', entityId: params.id, before: camelRow(row) });
      });
      res.status(204).end();
    },
  );
  return router;
}
