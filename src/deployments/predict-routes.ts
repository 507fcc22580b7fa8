/**
 * The prediction endpoint and the try-it form. Predictions check their own
 * access (a public deployment needs no token; an API key is not a user
 * token), so their path is listed in the app's `selfAuthenticated` paths and
 * the generic /api authentication does not run for it.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { ErrorBody } from '../http/openapi';
import { parseInput } from '../http/route';
import type { DeployedModels } from './deployed-models';
import { formPage, FORM_SCRIPT } from './predict-form';
import type { Credentials, PredictionService } from './prediction-service';

/** The paths whose routes check access themselves (see `createApp`'s `selfAuthenticated`). */
export const PREDICT_PATH = /^\/api\/deployments\/[^/]+\/predict$/;

const Cells = z.record(z.string(), z.unknown());
const PredictBody = z.union([z.object({ row: Cells }).strict(), z.object({ rows: z.array(Cells).min(1).max(10_000) }).strict()]).openapi('PredictionInput');
const PredictResponse = z
  .object({
    predictions: z.array(z.union([z.string(), z.number()])),
    probabilities: z.array(z.record(z.string(), z.number())).optional(),
    championVersionId: z.string(),
    championVersion: z.number(),
    approvalStatus: z.enum(['needs_approval', 'approved']),
  })
  .openapi('PredictionResult');
const IdParams = z.object({ id: z.uuid() });
const bearer = /^Bearer\s+(\S{16,512})$/i;

function credentialsOf(req: Request): Credentials {
  const apiKey = req.get('x-api-key');
  return { bearer: bearer.exec(req.get('authorization') ?? '')?.[1] ?? null, apiKey: apiKey && apiKey.length <= 512 ? apiKey : null };
}

export function predictRoutes(registry: OpenAPIRegistry, predictions: PredictionService, models: DeployedModels): Router {
  const router = Router();
  registry.registerPath({
    method: 'post',
    path: '/api/deployments/{id}/predict',
    summary: 'Predict one row ({row}) or many ({rows})',
    description:
      'Access by the deployment: `public` needs nothing, `instance` any user token, `project` a member\'s token or an API key of the deployment (`Authorization: Bearer <key>` or `X-API-Key`). Checked before anything else; an inactive deployment answers 409.',
    tags: ['Deployments'],
    security: [{}, { bearer: [] }],
    request: { params: IdParams, body: { content: { 'application/json': { schema: PredictBody } }, required: true } },
    responses: {
      200: { description: 'OK', content: { 'application/json': { schema: PredictResponse } } },
      400: { description: 'Input does not match the model\'s features', content: { 'application/json': { schema: ErrorBody } } },
      401: { description: 'Credentials missing, unknown or revoked', content: { 'application/json': { schema: ErrorBody } } },
      403: { description: 'Not admitted to this deployment', content: { 'application/json': { schema: ErrorBody } } },
      409: { description: 'Deployment inactive', content: { 'application/json': { schema: ErrorBody } } },
      502: { description: 'The runtime\'s model server is down or refused', content: { 'application/json': { schema: ErrorBody } } },
    },
  });
  router.post('/api/deployments/:id/predict', async (req, res) => {
    const { id } = parseInput(IdParams, req.params, 'params');
    const credentials = credentialsOf(req);
    // The body is validated after access: an unauthorized caller learns nothing about the model's features.
    const rows: unknown[] = Array.isArray(req.body?.rows) ? req.body.rows : req.body?.row !== undefined ? [req.body.row] : [];
    const result = await predictions.predict(id, credentials, rows, () => parseInput(PredictBody, req.body, 'body'));
    res.json(result);
  });

  router.get('/deployments/form.js', (_req, res) => {
    res.type('application/javascript').set('cache-control', 'no-cache').send(FORM_SCRIPT);
  });
  router.get('/deployments/:id/form', async (req, res) => {
    const { id } = parseInput(IdParams, req.params, 'params');
    const entry = await models.get(id);
    res
      .status(entry ? 200 : 404)
      .set('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
      .type('html')
      .send(formPage(id, entry));
  });
  return router;
}
