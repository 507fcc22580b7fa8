import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute } from '../http/route';
import { ALGORITHM_NAMES } from '../models/model-metadata';
import type { MlJobService } from './ml-job-service';

const TimePoint = z.string().max(64).optional().describe('ISO 8601, now, today, yesterday, or a negative duration such as -P1D');
const Column = z.string().trim().min(1).max(200);
const TrainBody = z
  .object({
    datasetId: z.uuid().optional(),
    algorithm: z.enum(ALGORITHM_NAMES).optional(),
    seed: z.number().int().min(-2147483648).max(2147483647).optional(),
    hyperparameters: z.record(z.string(), z.number().finite()).optional(),
    features: z.array(Column).min(1).max(1000).optional(),
    label: Column.optional(),
    positiveClass: z.string().max(200).optional(),
    from: TimePoint,
    to: TimePoint,
    createVersion: z.boolean().optional(),
  })
  .strict()
  .openapi('TrainRequest');
const TestBody = z.object({ datasetId: z.uuid(), from: TimePoint, to: TimePoint }).strict().openapi('TestRequest');
const Accepted = z.object({ id: z.string(), type: z.string(), status: z.string(), params: z.record(z.string(), z.unknown()) }).passthrough();

/** Starting training and test jobs over REST; poll `GET /api/jobs/:id` for the outcome. */
export function mlJobRoutes(registry: OpenAPIRegistry, mlJobs: MlJobService): Router {
  const router = Router();
  const tag = 'Models';

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/models/:id/train',
      summary: 'Start a training job; it stores a new version (source trained). Defaults come from the model\'s metadata and the dataset',
      tag,
      permission: 'models:write',
      params: z.object({ id: z.uuid() }),
      body: TrainBody.default({}),
      response: Accepted,
      status: 202,
    },
    async ({ params, body, context }) => mlJobs.startTraining(context, params.id, body),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/models/:id/versions/:number/test',
      summary: 'Start a test job of a version on a dataset window; the standardized test result is stored on the version and the job',
      tag,
      permission: 'models:write',
      params: z.object({ id: z.uuid(), number: z.coerce.number().int().min(1).max(1_000_000) }),
      body: TestBody,
      response: Accepted,
      status: 202,
    },
    async ({ params, body, context }) => mlJobs.startTest(context, params.id, params.number, body),
  );
  return router;
}
