/**
 * The protocol Stagegate speaks to an `http` runtime (an external model
 * server). `{url}` is the runtime's URL; `{id}` a deployment id, with
 * `.challenger` appended for a deployment's challenger.
 *
 * - `PUT {url}/models/{id}` body: the artifact JSON (stagegate-model/1) → 2xx
 *   when the server holds it.
 * - `POST {url}/models/{id}/predict` body `{rows: [...]}` → `{predictions:
 *   [...], probabilities?: [...]}`, one entry per row.
 * - `DELETE {url}/models/{id}` → 2xx or 404.
 * - `GET {url}/health` → 2xx when the server is up.
 *
 * A server that cannot be reached or answers non-2xx is a RuntimeUnavailableError
 * (502 to callers); nothing is retried here.
 */
import { UpstreamError } from '../errors';
import type { ModelArtifact, Prediction } from '../ml';

/** A model server that is down or refused: the request is not lost, the caller retries. */
export class RuntimeUnavailableError extends UpstreamError {
  constructor(message: string, details?: unknown) {
    super(message, details, 'RUNTIME_UNAVAILABLE');
  }
}

const TIMEOUT_MS = 10_000;

async function call(url: string, init: RequestInit, what: string): Promise<Response> {
  let response: Response;
  try {
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    response = await fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  } catch (err) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw new RuntimeUnavailableError(`the model server did not answer ${what}: ${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message) : (err as Error).message}`, { url });
  }
  if (!response.ok) {
    const text = (await response.text()).slice(0, 500);
    throw new RuntimeUnavailableError(`the model server refused ${what}: HTTP ${response.status} ${text}`, { url, status: response.status });
  }
  return response;
}

const modelUrl = (base: string, id: string) => `${base.replace(/\/+$/, '')}/models/${encodeURIComponent(id)}`;

export async function putModel(base: string, id: string, artifact: ModelArtifact): Promise<void> {
  const response = await call(modelUrl(base, id), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(artifact) }, `PUT of model ${id}`);
  await response.arrayBuffer();
}

export async function deleteModel(base: string, id: string): Promise<void> {
  try {
    const response = await fetch(modelUrl(base, id), { method: 'DELETE', signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
  } catch {
    // Best effort: a server that is down no longer serves the model either.
  }
}

/** `signal` stops waiting (a cancelled batch prediction): it rejects with the signal's reason. */
export async function remotePredict(base: string, id: string, rows: unknown[], signal?: AbortSignal): Promise<Prediction[]> {
  const response = await call(`${modelUrl(base, id)}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }), signal }, `predictions of model ${id}`);
  let body: { predictions?: unknown; probabilities?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new RuntimeUnavailableError(`the model server answered predictions of model ${id} with malformed JSON`);
  }
  const predictions = body.predictions;
  if (!Array.isArray(predictions) || predictions.length !== rows.length) {
    throw new RuntimeUnavailableError(`the model server answered ${Array.isArray(predictions) ? predictions.length : 'no'} predictions for ${rows.length} rows`);
  }
  const probabilities = Array.isArray(body.probabilities) ? (body.probabilities as Record<string, number>[]) : null;
  return predictions.map((value, index) => ({ value: value as string | number, ...(probabilities?.[index] ? { probabilities: probabilities[index] } : {}) }));
}

/** Health of a model server: up with its latency, or down with the reason. */
export async function checkHealth(base: string): Promise<{ status: 'up' | 'down'; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    const response = await fetch(`${base.replace(/\/+$/, '')}/health`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    const latencyMs = performance.now() - started;
    return response.ok ? { status: 'up', latencyMs } : { status: 'down', latencyMs, error: `HTTP ${response.status}` };
  } catch (err) {
    return { status: 'down', latencyMs: performance.now() - started, error: (err as Error).message };
  }
}
