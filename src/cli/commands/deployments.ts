/**
 * `stagegate deployments [list|show|activate|deactivate]` against
 * /api/deployments (SPEC §8; written against the documented paths).
 */
import type { Command } from 'commander';
import { action, parseCount, apiPath } from '../command-io';
import { formatFields, formatTable, when } from '../output';

/** The fields the tables show; the server may send more (all of it with --json). */
interface Deployment {
  id: string;
  name: string;
  modelId?: string;
  modelName?: string;
  championVersion?: number | string | { number?: number };
  challengerVersion?: number | string | { number?: number } | null;
  status?: string;
  approvalStatus?: string;
  importance?: string;
  access?: string;
  runtimeId?: string;
  runtimeName?: string;
  createdAt?: string;
  [field: string]: unknown;
}

const version = (value: Deployment['championVersion']) => (value && typeof value === 'object' ? value.number : value);

const COLUMNS = [
  { header: 'id', value: (d: Deployment) => d.id },
  { header: 'name', value: (d: Deployment) => d.name },
  { header: 'model', value: (d: Deployment) => d.modelName ?? d.modelId },
  { header: 'champion', value: (d: Deployment) => version(d.championVersion) },
  { header: 'status', value: (d: Deployment) => d.status },
  { header: 'approval', value: (d: Deployment) => d.approvalStatus },
  { header: 'importance', value: (d: Deployment) => d.importance },
];

function describe(d: Deployment): string {
  return formatFields([
    ['id', d.id],
    ['name', d.name],
    ['model', d.modelName ?? d.modelId],
    ['champion', version(d.championVersion)],
    ['challenger', version(d.challengerVersion ?? undefined)],
    ['runtime', d.runtimeName ?? d.runtimeId],
    ['status', d.status],
    ['approval', d.approvalStatus],
    ['importance', d.importance],
    ['access', d.access],
    ['created', when(d.createdAt)],
  ]);
}

export function registerDeployments(program: Command): void {
  const deployments = program.command('deployments').description('deployed models: list, show, activate, deactivate');

  deployments
    .command('list', { isDefault: true })
    .description('list deployments')
    .option('--status <status>', 'active | inactive')
    .option('--limit <n>', 'at most this many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .action(
      action(async (io, options: { status?: string; limit: number; offset: number }) => {
        const page = await io.client.get<{ items: Deployment[] }>('/api/deployments', { ...options });
        io.out.result(page, () => formatTable(page.items, COLUMNS));
      }),
    );

  deployments
    .command('show')
    .description('one deployment')
    .argument('<id>', 'deployment id')
    .action(
      action(async (io, id: string) => {
        const deployment = await io.client.get<Deployment>(apiPath`/api/deployments/${id}`);
        io.out.result(deployment, () => describe(deployment));
      }),
    );

  for (const verb of ['activate', 'deactivate'] as const) {
    deployments
      .command(verb)
      .description(verb === 'activate' ? 'activate a deployment (exit 5 when over the active-model limit)' : 'deactivate a deployment (it refuses predictions)')
      .argument('<id>', 'deployment id')
      .action(
        action(async (io, id: string) => {
          const deployment = await io.client.post<Deployment>(apiPath`/api/deployments/${id}/${verb}`);
          io.out.result(deployment, () => `${deployment.id ?? id}: ${deployment.status ?? `${verb}d`}\n`);
        }),
      );
  }
}
