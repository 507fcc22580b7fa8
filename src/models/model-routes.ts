import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { defineRoute, Pagination } from '../http/route';
import { IMPORTANCE, MODEL_TYPES, ModelMetadataPatchSchema, ModelMetadataSchema } from './model-metadata';
import type { ModelService } from './model-service';

const Name = z.string().trim().min(1).max(200);
const Tag = z.string().trim().min(1).max(100);
const ModelBody = z
  .object({
    name: Name,
    description: z.string().max(5000).optional(),
    type: z.enum(MODEL_TYPES),
    importance: z.enum(IMPORTANCE).default('moderate'),
    tags: z.array(Tag).max(50).default([]),
    metadata: ModelMetadataSchema.default({ thresholds: [], train: false }),
    shared: z.boolean().default(false).describe('visible (read only) to every contributor'),
  })
  .strict()
  .openapi('ModelInput');
const ModelChanges = z
  .object({
    name: Name,
    description: z.string().max(5000),
    type: z.enum(MODEL_TYPES),
    importance: z.enum(IMPORTANCE),
    tags: z.array(Tag).max(50),
    metadata: ModelMetadataPatchSchema,
    shared: z.boolean(),
  })
  .partial()
  .strict()
  .openapi('ModelChanges');
const Model = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    type: z.enum(MODEL_TYPES),
    ownerId: z.string().nullable(),
    shared: z.boolean(),
    importance: z.enum(IMPORTANCE),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .openapi('Model');
const Version = z
  .object({
    id: z.string(),
    modelId: z.string(),
    number: z.number(),
    source: z.enum(['trained', 'uploaded', 'external']),
    description: z.string(),
    uri: z.string().nullable(),
    trainJobId: z.string().nullable(),
    artifactSha256: z.string().nullable(),
    artifactBytes: z.number().nullable(),
    trainingMetrics: z.unknown(),
    trainingData: z.unknown(),
    status: z.string(),
    statusHistory: z.array(z.object({ status: z.string(), at: z.string(), by: z.string().nullable(), comment: z.string().optional() })),
    submittedBy: z.string().nullable(),
    createdAt: z.date(),
  })
  .openapi('ModelVersion');
const Description = z.string().max(5000).optional();
const VersionBody = z
  .discriminatedUnion('source', [
    z.object({ source: z.literal('uploaded'), artifact: z.record(z.string(), z.unknown()), description: Description }).strict(),
    z.object({ source: z.literal('external'), uri: z.url().max(2000), description: Description }).strict(),
    z.object({ source: z.literal('trained'), trainJob: z.uuid(), description: Description }).strict(),
  ])
  .openapi('VersionSubmission');
const IdParams = z.object({ id: z.uuid() });
const VersionParams = z.object({ id: z.uuid(), number: z.coerce.number().int().min(1).max(1_000_000) });

/** Models and their versions (SPEC §7). Training and test jobs: see `ml-tasks/ml-job-routes.ts`. */
export function modelRoutes(registry: OpenAPIRegistry, models: ModelService): Router {
  const router = Router();
  const tag = 'Models';

  defineRoute(
    router,
    registry,
    { method: 'post', path: '/api/models', summary: 'Register a model (the caller owns it)', tag, permission: 'models:write', body: ModelBody, response: Model, status: 201 },
    async ({ body, context }) => models.create(context, body),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/models',
      summary: 'List models (filters: type, importance, tag, owner, q = name contains); contributors see the models they own and shared ones',
      tag,
      permission: 'view:own',
      query: Pagination.extend({
        type: z.enum(MODEL_TYPES).optional(),
        importance: z.enum(IMPORTANCE).optional(),
        tag: Tag.optional(),
        owner: z.uuid().optional(),
        q: z.string().max(200).optional(),
      }),
      response: z.object({ items: z.array(Model), total: z.number() }),
    },
    async ({ query, actor }) => models.list(actor, query),
  );
  defineRoute(router, registry, { method: 'get', path: '/api/models/:id', summary: 'One model', tag, permission: 'view:own', params: IdParams, response: Model }, async ({ params, actor }) =>
    models.get(actor, params.id),
  );
  for (const method of ['put', 'patch'] as const) {
    defineRoute(
      router,
      registry,
      {
        method,
        path: '/api/models/:id',
        summary: 'Change a model (any subset of the fields; metadata keys given replace those keys, null removes one)',
        tag,
        permission: 'models:write',
        params: IdParams,
        body: ModelChanges,
        response: Model,
      },
      async ({ params, body, context }) => models.update(context, params.id, body),
    );
  }

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/models/:id/versions',
      summary: 'Submit a version: an uploaded artifact, an external URI, or the artifact of a training job (the "model changed" event)',
      tag,
      permission: 'models:write',
      params: IdParams,
      body: VersionBody,
      response: Version,
      status: 201,
    },
    async ({ params, body, context }) => models.submitVersion(context, params.id, body),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/models/:id/versions', summary: 'A model\'s versions, newest first', tag, permission: 'view:own', params: IdParams, query: Pagination, response: z.object({ items: z.array(Version), total: z.number() }) },
    async ({ params, query, actor }) => models.listVersions(actor, params.id, query.limit, query.offset),
  );
  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/models/:id/versions/:number', summary: 'One version with its test results (newest first)', tag, permission: 'view:own', params: VersionParams },
    async ({ params, actor }) => models.versionWithTests(actor, params.id, params.number),
  );
  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/models/:id/versions/:number/artifact',
      summary: 'The version\'s artifact, byte for byte as stored (its sha256 in X-Artifact-Sha256): JSON, or for a command model the bytes its train command wrote',
      tag,
      permission: 'view:own',
      params: VersionParams,
    },
    async ({ params, actor, res }) => {
      const { version, bytes } = await models.artifact(actor, params.id, params.number);
      // A command model's artifact is whatever its train command wrote: bytes, not necessarily JSON.
      const byCommand = (version.trainingMetrics as { algorithm?: string } | null)?.algorithm === 'command';
      res.status(200).type(byCommand ? 'application/octet-stream' : 'application/json').set('x-artifact-sha256', version.artifactSha256 ?? '').send(bytes);
      return undefined;
    },
  );
  return router;
}
