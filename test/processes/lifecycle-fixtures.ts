/**
 * What the reference-process tests share: a server that deploys only the
 * processes under test (copied from processes/), credit-risk data uploaded
 * over REST, models trained and deployed over REST.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client, waitFor, waitForJob, type Client } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import type { TestServer } from '../support/server';

export const DAY_MS = 24 * 3600 * 1000;
const PROCESSES = path.join(__dirname, '..', '..', 'processes');

/** A directory holding copies of the named reference processes (`on-model-changed`, ...). */
export function processesDir(...keys: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stagegate-processes-'));
  for (const key of keys) copyFileSync(path.join(PROCESSES, `${key}.bpmn`), path.join(dir, `${key}.bpmn`));
  return dir;
}

/** Midnight UTC today. */
export function today(): Date {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
}

/** Creates a credit-risk dataset (label `default`, timestamp `applied_at`) and uploads rows. */
export async function creditDataset(server: TestServer, name: string, rows: number, seed: number, window: { start: Date; end: Date; drift?: number }, token?: string): Promise<string> {
  const api = token ? client(server.stagegate.url, token) : server.api;
  const created = await api.post('/api/datasets', { name, labelColumn: 'default', timestampColumn: 'applied_at' });
  expect(created.status).toBe(201);
  await appendCredit(server, created.body.id, rows, seed, window, token);
  return created.body.id;
}

export async function appendCredit(server: TestServer, datasetId: string, rows: number, seed: number, window: { start: Date; end: Date; drift?: number }, token?: string) {
  const data = creditRisk(rows, seed, window);
  const upload = await uploadCsv(server.stagegate.url, datasetId, data.csv, token ? { token } : {});
  expect(upload.status).toBe(201);
  return data;
}

/** Trains a version over REST (no model-changed event) and returns its number. */
export async function trainVersion(api: Client, modelId: string, body: Record<string, unknown> = {}): Promise<number> {
  const started = await api.post(`/api/models/${modelId}/train`, body);
  expect(started.status).toBe(202);
  const job = await waitForJob(api, started.body.id, 60000);
  expect(job).toMatchObject({ status: 'succeeded' });
  return job.result.versionNumber;
}

/** Creates and activates a deployment of a version; returns its id. */
export async function deployVersion(api: Client, name: string, modelId: string, versionNumber: number, runtimeId: string): Promise<string> {
  const version = (await api.get(`/api/models/${modelId}/versions/${versionNumber}`)).body;
  const created = await api.post('/api/deployments', { name, versionId: version.id, runtimeId, access: 'instance' });
  expect(created.status).toBe(201);
  const activated = await api.post(`/api/deployments/${created.body.id}/activate`);
  expect(activated.body).toMatchObject({ status: 'active' });
  return created.body.id;
}

/** The end events an instance passed. */
export const endEvents = (instance: any): string[] => instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId);

/** Waits for the open work item of an instance (optionally one of a given name). */
export async function openTask(api: Client, instanceId: string, name?: string, timeoutMs = 60000): Promise<any> {
  return waitFor(async () => {
    const items = (await api.get(`/api/tasks?processInstanceId=${instanceId}&status=open`)).body.items ?? [];
    return items.find((item: any) => !name || item.name === name);
  }, timeoutMs, `an open work item${name ? ` "${name}"` : ''} of instance ${instanceId}`);
}

/** Waits until an instance of the process exists (started by an event) and returns the newest. */
export async function startedInstance(api: Client, key: string, count = 1): Promise<any> {
  return waitFor(async () => {
    const reply = (await api.get(`/api/process-instances?key=${key}&limit=100`)).body;
    return reply.total >= count ? reply.items[0] : null;
  }, 20000, `instance ${count} of ${key}`);
}
