/** A real model server on loopback speaking the protocol of `src/runtimes/runtime-client.ts`, for http runtime tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadModel, type ModelArtifact, type Predictor } from '../../src/ml';

export function modelServer() {
  const models = new Map<string, Predictor>();
  const received: string[] = [];
  /** Predict requests wait while held (`hold()` ... `release()`). */
  let gate: { promise: Promise<void>; open(): void } | null = null;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      received.push(`${req.method} ${req.url}`);
      const reply = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const match = /^\/models\/([^/]+)(\/predict)?$/.exec(req.url ?? '');
      if (req.url === '/health') return reply(200, { ok: true });
      if (!match) return reply(404, {});
      const [, id, predicting] = match;
      if (req.method === 'PUT' && !predicting) {
        models.set(id, loadModel(JSON.parse(body) as ModelArtifact));
        return reply(201, {});
      }
      if (req.method === 'DELETE') return reply(models.delete(id) ? 200 : 404, {});
      if (gate) await gate.promise;
      const model = models.get(id);
      if (!model) return reply(404, { error: 'unknown model' });
      const scored = model.predict(JSON.parse(body).rows);
      return reply(200, { predictions: scored.map((p) => p.value), probabilities: scored.map((p) => p.probabilities) });
    });
  });
  return {
    models,
    received,
    hold() {
      let open!: () => void;
      gate = { promise: new Promise<void>((resolve) => (open = resolve)), open: () => open() };
    },
    release() {
      gate?.open();
      gate = null;
    },
    listen: (port = 0) => new Promise<string>((resolve) => server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
