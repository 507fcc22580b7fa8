/**
 * A server killed (SIGKILL) while a `train` service task waits for its job:
 * the worker process stops too, the restarted server marks the job failed
 * (it was left running), and the re-invoked task finds that same job by its
 * idempotency key and raises JOB_FAILED instead of training a second time.
 */
import path from 'node:path';
import { bpmnProcess, flow } from '../support/bpmn';
import { createTestDatabase, TestDatabase } from '../support/database';
import { waitFor } from '../support/http';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { ServerProcess, spawnServer } from '../support/process-server';

jest.setTimeout(120_000);

const training = bpmnProcess(
  'crash_train',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'train')}
   <bpmn:serviceTask id="train" camunda:topic="train" />
   <bpmn:boundaryEvent id="trainFailed" attachedToRef="train"><bpmn:errorEventDefinition errorRef="Err_Failed" /></bpmn:boundaryEvent>
   ${flow('f2', 'train', 'trained')}
   ${flow('f3', 'trainFailed', 'failed')}
   <bpmn:endEvent id="trained" />
   <bpmn:endEvent id="failed" />`,
  '<bpmn:error id="Err_Failed" errorCode="JOB_FAILED" />',
);

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('jobs across a server crash', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];
  const spawn = async () => {
    const server = await spawnServer(env);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    env = {
      DATA_DIR: database.dataDir,
      PROCESSES_DIR: path.join(database.dataDir, 'no-processes'),
      LEASE_MS: '3000',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    };
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    await database?.drop();
  });

  it('fails the job a crashed server left running; the resumed task finds it and raises JOB_FAILED', async () => {
    const first = await spawn();
    const datasetId = (await first.api.post('/api/datasets', { name: 'credit', labelColumn: 'default', timestampColumn: 'applied_at' })).body.id;
    expect((await uploadCsv(first.url, datasetId, creditRisk(2000, 51).csv)).status).toBe(201);
    const modelId = (
      await first.api.post('/api/models', {
        name: 'slow',
        type: 'classification',
        metadata: { datasetId, algorithm: 'random-forest', hyperparameters: { nEstimators: 1000, maxDepth: 20, minNumSamples: 2 } },
      })
    ).body.id;
    expect((await first.api.deploy(training)).status).toBe(201);
    const instanceId = (await first.api.post('/api/process-definitions/crash_train/start', { variables: { modelId } })).body.id;
    const job = await waitFor(async () => {
      const running = (await first.api.get(`/api/jobs?modelId=${modelId}&status=running`)).body.items[0];
      const detail = running && (await first.api.get(`/api/jobs/${running.id}`)).body;
      return detail?.progress >= 20 ? detail : null;
    }, 30000, 'the training job to train');
    const workerPid = Number(/worker process (\d+) started/.exec(job.log.map((l: any) => l.message).join('\n'))![1]);
    expect(isAlive(workerPid)).toBe(true);

    await first.kill();
    // The orphaned worker notices at its next progress step.
    await waitFor(async () => !isAlive(workerPid), 10000, 'the orphaned worker to exit');

    const second = await spawn();
    const instance = await waitFor(async () => {
      const reply = (await second.api.get(`/api/process-instances/${instanceId}`)).body;
      return reply.status === 'completed' ? reply : null;
    }, 60000, 'the instance to complete');
    expect(instance.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('failed');
    const jobs = (await second.api.get(`/api/jobs?modelId=${modelId}`)).body;
    expect(jobs.total).toBe(1);
    expect(jobs.items[0]).toMatchObject({ id: job.id, status: 'failed', error: expect.stringMatching(/the server running this job stopped/) });
    expect((await second.api.get(`/api/models/${modelId}/versions`)).body.total).toBe(0);
    await second.terminate();
  });
});
