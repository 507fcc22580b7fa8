/**
 * The demo's story, told through the REST API a newcomer would use: people,
 * a `prod` runtime, credit-risk data and a model; a submitted version walks
 * On Model Changed (train → test → thresholds → approval → deploy) and the
 * deployed model answers a prediction.
 */
import { CREDIT_RISK_FEATURES, generateCreditRisk, toCsv } from '../ml';
import { demoClient, poll, type DemoClient } from './demo-client';

const DAY_MS = 24 * 3600 * 1000;

export interface DemoPerson {
  name: string;
  role: string;
  token: string;
}

export interface DemoOutcome {
  people: { admin: DemoPerson; scientist: DemoPerson; reviewer: DemoPerson };
  modelId: string;
  datasetId: string;
  instanceId: string;
  taskId: string;
  deploymentId: string;
  deployedVersion: number;
  prediction: { input: Record<string, unknown>; output: unknown };
}

type Step = (line: string) => void;

async function createPerson(admin: DemoClient, name: string, roles: string[], groups: string[]): Promise<DemoPerson> {
  const user = await admin.post('/api/users', { name, email: `${name}@demo.stagegate.dev`, roles, groups });
  const { token } = await admin.post(`/api/users/${user.id}/tokens`, { name: 'demo' });
  return { name, role: roles.join(', '), token };
}

/** Runs the walk-through against a server at `baseUrl` with the admin's token. */
export async function walkThrough(baseUrl: string, adminToken: string, step: Step): Promise<DemoOutcome> {
  const admin = demoClient(baseUrl, adminToken);
  const me = await admin.get('/api/me');
  const scientistPerson = await createPerson(admin, 'dana-scientist', ['experiment_contributor'], ['data-science']);
  const reviewerPerson = await createPerson(admin, 'rita-reviewer', ['model_approver'], ['model-approvers', 'regression-approvers', 'risk-committee']);
  step(`people: ${me.name} (tenant_admin), ${scientistPerson.name} (experiment_contributor), ${reviewerPerson.name} (model_approver in model-approvers, regression-approvers, risk-committee)`);
  const scientist = demoClient(baseUrl, scientistPerson.token);
  const reviewer = demoClient(baseUrl, reviewerPerson.token);

  const runtime = await admin.post('/api/runtimes', { name: 'prod-embedded', kind: 'embedded', tags: ['prod'] });
  step(`runtime ${runtime.name} (embedded, tags prod)`);

  const dataset = await scientist.post('/api/datasets', { name: 'credit-applications', labelColumn: 'default', timestampColumn: 'applied_at' });
  const now = Date.now();
  const rows = generateCreditRisk({ rows: 3000, seed: 7, start: new Date(now - 60 * DAY_MS), end: new Date(now - DAY_MS) });
  const upload = await scientist.post(`/api/datasets/${dataset.id}/rows`, toCsv(rows), 'text/csv');
  step(`dataset ${dataset.name}: ${upload.appended ?? rows.length} labeled loan applications of the last 60 days`);

  const model = await scientist.post('/api/models', {
    name: 'credit-default',
    description: 'Probability that a loan applicant defaults',
    type: 'classification',
    importance: 'moderate',
    metadata: {
      train: true,
      datasetId: dataset.id,
      features: CREDIT_RISK_FEATURES,
      protectedAttribute: 'gender',
      algorithm: 'logistic-regression',
      thresholds: [{ metric: 'rocAuc', min: 0.7 }, { metric: 'accuracy', min: 0.6 }],
    },
  });
  step(`model ${model.name} (classification, moderate importance; metadata asks to train, thresholds rocAuc >= 0.7, accuracy >= 0.6)`);

  const version = await scientist.post(`/api/models/${model.id}/versions`, { source: 'external', uri: 'https://models.example.com/credit-default/notebook-v1', description: 'feature set from the notebook' });
  step(`${scientistPerson.name} submitted version ${version.number}: the model-changed event starts On Model Changed`);

  const instance = await poll('the on-model-changed instance', async () => (await admin.get(`/api/process-instances?key=on-model-changed&limit=1`)).items?.[0]);
  const task = await poll(
    'the approval work item (training and testing run first)',
    async () => {
      const current = await admin.get(`/api/process-instances/${instance.id}`);
      if (['completed', 'failed', 'cancelled', 'incident'].includes(current.status)) throw new Error(`On Model Changed ended early (${current.status}): ${JSON.stringify(current.history?.slice(-3))}`);
      return (await reviewer.get(`/api/tasks?processInstanceId=${instance.id}&status=open`)).items?.[0];
    },
    45000,
  );
  const waiting = await admin.get(`/api/process-instances/${instance.id}`);
  const { testResult, versionNumber } = waiting.variables;
  step(`trained version ${versionNumber}, tested on the holdout: rocAuc ${testResult.metrics.rocAuc.toFixed(3)}, accuracy ${testResult.metrics.accuracy.toFixed(3)}; thresholds met`);
  step(`work item "${task.name}" waits for ${task.candidateGroups.join(', ')}`);

  await reviewer.post(`/api/tasks/${task.id}/complete`, { decision: 'approved', comment: 'holdout metrics look right; ship it' });
  step(`${reviewerPerson.name} approved it`);

  const done = await poll('the deployment', async () => {
    const current = await admin.get(`/api/process-instances/${instance.id}`);
    if (current.status === 'completed') return current;
    if (['failed', 'cancelled', 'incident'].includes(current.status)) throw new Error(`On Model Changed ended ${current.status}`);
    return null;
  });
  const deploymentId: string = done.variables.deploymentId;
  const deployment = await admin.get(`/api/deployments/${deploymentId}`);
  step(`deployed as ${deployment.name} on ${runtime.name} (${deployment.status})`);

  const input = Object.fromEntries(CREDIT_RISK_FEATURES.map((name) => [name, rows[rows.length - 1][name]]));
  const output = await scientist.post(`/api/deployments/${deploymentId}/predict`, { row: input });
  step(`prediction for one applicant: ${JSON.stringify(output.predictions)} (champion version ${output.championVersion})`);

  return {
    people: { admin: { name: me.name, role: 'tenant_admin', token: adminToken }, scientist: scientistPerson, reviewer: reviewerPerson },
    modelId: model.id,
    datasetId: dataset.id,
    instanceId: instance.id,
    taskId: task.id,
    deploymentId,
    deployedVersion: output.championVersion,
    prediction: { input, output },
  };
}
