import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/connect';
import { defineRoute, Pagination } from '../http/route';
import type { DeploymentDirectory } from '../lifecycle/deployment-directory';
import { listBacktests } from './backtest-store';

const Backtest = z
  .object({
    id: z.string(),
    deploymentId: z.string(),
    deploymentName: z.string(),
    modelId: z.string(),
    versionId: z.string(),
    versionNumber: z.number(),
    datasetId: z.string(),
    window: z.object({ from: z.date().nullable(), to: z.date().nullable() }),
    status: z.enum(['ok', 'breached', 'no_data']),
    rows: z.number(),
    result: z.unknown(),
    thresholds: z.array(z.unknown()),
    breaches: z.array(z.unknown()),
    jobId: z.string().nullable(),
    processInstanceId: z.string().nullable(),
    createdAt: z.date(),
  })
  .openapi('Backtest');

/** The backtest history of a deployment (SPEC §8 monitoring, §11 Daily Backtesting). */
export function backtestRoutes(registry: OpenAPIRegistry, db: Database, deployments: DeploymentDirectory): Router {
  const router = Router();
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/deployments/:id/backtests',
      summary: "A deployment's backtests, newest first (filters: status, since)",
      tag: 'Deployments',
      permission: 'view:own',
      params: z.object({ id: z.uuid() }),
      query: Pagination.extend({ status: z.enum(['ok', 'breached', 'no_data']).optional(), since: z.coerce.date().optional() }),
      response: z.object({ items: z.array(Backtest), total: z.number() }),
    },
    async ({ params, query, actor }) => {
      await deployments.get(actor, params.id);
      return listBacktests(db, params.id, query);
    },
  );
  return router;
}
