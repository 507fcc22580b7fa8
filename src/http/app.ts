import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { Router } from 'express';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
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
  /** Authentication (and rate limits) for every /api route but health, ready and the OpenAPI document. */
  authentication: RequestHandler[];
  /** Middleware that sees every request before authentication (request metrics). */
  observers?: RequestHandler[];
  /**
   * Paths whose routes check access themselves, so the generic authentication
   * and per-token rate limit do not run for them: predictions (a public
   * deployment needs no token; an API key is not a user token).
   */
  selfAuthenticated?: RegExp[];
  /** POST paths whose JSON bodies may be larger than maxBodyBytes (uploaded model artifacts); read after authentication. */
  largeJson?: { paths: RegExp[]; maxBytes: number };
}

const PUBLIC_API = new Set(['/api/health', '/api/ready', '/api/openapi.json']);

/** One log line per request: method, path, status, duration, request id and user id (never headers or bodies). */
function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          requestId: res.locals.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          userId: res.locals.actor?.id,
        },
        'request',
      );
    });
    next();
  };
}

/** Each request gets an id (or keeps a well-formed X-Request-Id) that the audit log records. */
const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  res.locals.requestId = given && /^[\w.:-]{1,100}$/.test(given) ? given : crypto.randomUUID();
  res.set('x-request-id', res.locals.requestId);
  next();
};

/** Assembles the express app: security headers, body limits, routes, OpenAPI, errors. */
export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(requestId);
  app.use(requestLog(options.logger));
  for (const observer of options.observers ?? []) app.use(observer);
  // CSV uploads (text/csv, multipart) are not parsed here: their routes stream them (MAX_UPLOAD_BYTES).
  const large = options.largeJson;
  const isLarge = (req: express.Request) => req.method === 'POST' && !!large?.paths.some((path) => path.test(req.path));
  app.use(express.json({ limit: options.maxBodyBytes, type: (req) => !isLarge(req as express.Request) && Boolean((req as express.Request).is('application/json')) }));
  app.use(express.text({ type: ['application/xml', 'text/xml', 'application/bpmn+xml', 'text/plain'], limit: options.maxBodyBytes }));
  const selfAuthenticated = options.selfAuthenticated ?? [];
  const checksItsOwnAccess = (path: string) => PUBLIC_API.has(path) || selfAuthenticated.some((pattern) => pattern.test(path));
  for (const handler of options.authentication) {
    app.use('/api', (req, res, next) => (checksItsOwnAccess(req.originalUrl.split('?')[0]) ? next() : handler(req, res, next)));
  }
  if (large) {
    const parseLarge = express.json({ limit: large.maxBytes });
    app.use((req, res, next) => (isLarge(req) ? parseLarge(req, res, next) : next()));
  }
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
