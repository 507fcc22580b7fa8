/**
 * Serves the web console (SPEC §12): `/` is its page, `/console/*` its
 * bundle (built by scripts/build-console.ts into dist/console). The console
 * signs in with a bearer token and talks to /api like any client, so these
 * routes need no authentication; they carry their own strict CSP.
 */
import express, { Router } from 'express';
import type { RequestHandler } from 'express';
import fs from 'node:fs';
import path from 'node:path';

/** Where the build writes the bundle (relative to this file, so it works from any working directory). */
export const CONSOLE_DIST = path.resolve(__dirname, '..', '..', 'dist', 'console');

/**
 * Only our own scripts and styles; no eval, no inline script. bpmn-js writes
 * a few style attributes (its container, the viewer's logo), hence
 * style-src-attr; its logo is a data: image.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set('content-security-policy', CONSOLE_CSP);
  next();
};

export function consoleRoutes(distDir = CONSOLE_DIST): Router {
  const router = Router();
  router.get('/', securityHeaders, (_req, res) => {
    const page = path.join(distDir, 'index.html');
    if (!fs.existsSync(page)) {
      res.status(503).type('text/plain').send('The web console is not built: run `npm run build:console` (npm start and npm test do it for you).\n');
      return;
    }
    res.set('cache-control', 'no-cache');
    res.sendFile(page);
  });
  router.use('/console', securityHeaders, express.static(distDir, { index: false, fallthrough: true, maxAge: 0 }));
  return router;
}
