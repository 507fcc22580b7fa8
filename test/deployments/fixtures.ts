/** Models with uploaded versions and runtimes, made through the real REST API for deployment tests. */
import { CREDIT_RISK_FEATURES, generateCreditRisk, trainModel, type ModelArtifact, type Row } from '../../src/ml';
import type { Client } from '../support/http';

const artifacts = new Map<string, ModelArtifact>();

/** A logistic-regression credit-risk artifact (cached per seed: training takes a moment). */
export function creditArtifact(seed = 7, features: string[] = CREDIT_RISK_FEATURES): ModelArtifact {
  const key = `${seed}:${features.join(',')}`;
  if (!artifacts.has(key)) {
    const rows = generateCreditRisk({ rows: 600, seed });
    artifacts.set(key, trainModel(rows, { algorithm: 'logistic-regression', type: 'classification', features, label: 'default', trainedAt: '2025-01-01T00:00:00Z' }).artifact);
  }
  return artifacts.get(key)!;
}

/** One row of features as a caller sends it. */
export function applicant(seed = 3, index = 0): Row {
  const row = generateCreditRisk({ rows: index + 1, seed })[index];
  return Object.fromEntries(CREDIT_RISK_FEATURES.map((name) => [name, row[name]]));
}

/** A model with `versions` uploaded versions; returns its id and version ids (1..n). */
export async function modelWithVersions(api: Client, name: string, versions = 1): Promise<{ modelId: string; versionIds: string[] }> {
  const model = await api.post('/api/models', { name, type: 'classification' });
  if (model.status !== 201) throw new Error(JSON.stringify(model.body));
  const versionIds: string[] = [];
  for (let i = 0; i < versions; i += 1) {
    const version = await api.post(`/api/models/${model.body.id}/versions`, { source: 'uploaded', artifact: creditArtifact(7 + i) });
    if (version.status !== 201) throw new Error(JSON.stringify(version.body));
    versionIds.push(version.body.id);
  }
  return { modelId: model.body.id, versionIds };
}

export async function runtime(api: Client, name: string, tags: string[], url?: string): Promise<string> {
  const reply = await api.post('/api/runtimes', { name, kind: url ? 'http' : 'embedded', url, tags });
  if (reply.status !== 201) throw new Error(JSON.stringify(reply.body));
  return reply.body.id;
}

/** Posts to the predict endpoint with exactly the given headers (no admin token). */
export async function predict(baseUrl: string, deploymentId: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/deployments/${deploymentId}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
