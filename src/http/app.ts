import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { Router } from 'express';
import helmet from 'helmet';
import multer from 'multer';
import swaggerUi from 'swagger-ui-express';
import type { Logger } from '../logger';
import { errorMiddleware, notFoundRoute } from './error-middleware';
import { openApiDocument } from './openapi';

export interface AppOptions {
  logger: Logger;
  registry: OpenAPIRegistry;
  routers: Router[];
  maxBodyBytes: number;
  version: string;
  /** Answers /api/ready: true once start-up finished. */
  isReady: () => boolean;
}

/** Assembles the express app: security headers, body limits, routes, OpenAPI, errors. */
export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(express.json({ limit: options.maxBodyBytes }));
  app.use(express.text({ type: ['application/xml', 'text/xml', 'application/bpmn+xml', 'text/plain'], limit: options.maxBodyBytes }));
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: options.maxBodyBytes, files: 1 } });
  app.post('/api/process-definitions', upload.single('file'));

  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/api/ready', (_req, res) => {
    const ready = options.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'starting' });
  });
  for (const router of options.routers) app.use(router);

  const document = openApiDocument(options.registry, options.version);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));

  app.use(notFoundRoute);
  app.use(errorMiddleware(options.logger));
  return app;
}
