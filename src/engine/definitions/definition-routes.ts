import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/connect';
import { NotFoundError, ValidationError } from '../../errors';
import { defineRoute, Variables } from '../../http/route';
import type { InstanceService } from '../instances/instance-service';
import type { DefinitionService } from './definition-service';
import { findDefinition, findDefinitionXml, listLatestDefinitions, listVersions } from './definition-store';

const Definition = z
  .object({
    id: z.string(),
    key: z.string(),
    version: z.number().int(),
    name: z.string().nullable(),
    hash: z.string(),
    source: z.string(),
    startEvents: z.object({ messages: z.array(z.string()), signals: z.array(z.string()), timerCycles: z.array(z.string()) }),
    deployedBy: z.string().nullable(),
    deployedAt: z.date(),
  })
  .openapi('ProcessDefinition');

const KeyParams = z.object({ key: z.string().min(1).max(255) });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });
const StartBody = z
  .object({
    businessKey: z.string().min(1).max(255).nullish(),
    variables: Variables.default({}),
    version: z.number().int().min(1).optional(),
  })
  .strict()
  .openapi('StartInstance');

export function definitionRoutes(
  registry: OpenAPIRegistry,
  db: Database,
  definitions: DefinitionService,
  instances: InstanceService,
): Router {
  const router = Router();
  const tag = 'Process definitions';

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/process-definitions',
      summary: 'Deploy a BPMN file (raw XML body, or multipart field "file"); unchanged content is not redeployed',
      tag,
      permission: 'definitions:deploy',
      rawBody: { contentTypes: ['application/xml', 'multipart/form-data'], description: 'BPMN 2.0 XML, or a multipart form with the file in field "file"' },
      response: z.object({ created: z.boolean(), definition: Definition }),
      status: 201,
    },
    async ({ req, res, context }) => {
      const upload = (req as { file?: { buffer: Buffer; originalname: string } }).file;
      const xml = upload ? upload.buffer.toString('utf8') : req.body;
      if (typeof xml !== 'string' || !xml.trim()) {
        throw new ValidationError('Send the BPMN XML as the body (Content-Type: application/xml) or as multipart field "file"');
      }
      const fileName = upload?.originalname ?? (typeof req.query.fileName === 'string' ? req.query.fileName : undefined);
      const result = await definitions.deploy(xml, { fileName, source: 'api', context });
      res.status(result.created ? 201 : 200).json(result);
    },
  );

  defineRoute(
    router,
    registry,
    { method: 'get', path: '/api/process-definitions', summary: 'Latest version of every process', tag, permission: 'view:own', response: z.object({ items: z.array(Definition) }) },
    async () => ({ items: await listLatestDefinitions(db) }),
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/process-definitions/:key',
      summary: 'One process definition: the latest version, or ?version=N; lists all versions',
      tag,
      permission: 'view:own',
      params: KeyParams,
      query: VersionQuery,
      response: Definition.extend({ versions: z.array(z.number().int()) }),
    },
    async ({ params, query }) => {
      const definition = await findDefinition(db, params.key, query.version);
      if (!definition) throw new NotFoundError('process definition', params.key);
      const versions = (await listVersions(db, params.key)).map((v) => v.version);
      return { ...definition, versions };
    },
  );

  defineRoute(
    router,
    registry,
    {
      method: 'get',
      path: '/api/process-definitions/:key/xml',
      summary: 'The BPMN XML as deployed (diagram interchange included)',
      tag,
      permission: 'view:own',
      params: KeyParams,
      query: VersionQuery,
      response: z.string(),
      responseContentType: 'application/xml',
    },
    async ({ params, query, res }) => {
      const xml = await findDefinitionXml(db, params.key, query.version);
      if (xml === null) throw new NotFoundError('process definition', params.key);
      res.type('application/xml').send(xml);
    },
  );

  defineRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/process-definitions/:key/start',
      summary: 'Start an instance of the latest version (or body.version)',
      tag,
      permission: 'instances:start',
      params: KeyParams,
      body: StartBody,
      status: 201,
      response: z.object({ id: z.string(), status: z.string() }),
    },
    async ({ params, body, context }) => {
      const id = await instances.start(context, { key: params.key, version: body.version, businessKey: body.businessKey, variables: body.variables });
      const row = await db('process_instances').where({ id }).first('status');
      return { id, status: row.status };
    },
  );

  return router;
}
