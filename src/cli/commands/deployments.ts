/**
 * `stagegate deployments [list|show|activate|deactivate]` against
 * /api/deployments (SPEC §8).
 */
import type { Command } from 'commander';
import { action, parseCount, apiPath } from '../command-io';
import { formatFields, formatTable, when } from '../output';

/** The fields the tables show (all of them with --json). */
interface Deployment {
  id: string;
  name: string;
  modelId: string;
  runtimeId: string;
  championVersionId: string;
  challengerVersionId: string | null;
  status: string;
  approvalStatus: string;
  importance: string;
  access: string;
  createdAt: string;
}

const COLUMNS = [
  { header: 'id', value: (d: Deployment) => d.id },
  { header: 'name', value: (d: Deployment) => d.name },
  { header: 'status', value: (d: Deployment) => d.status },
  { header: 'approval', value: (d: Deployment) => d.approvalStatus },
  { header: 'importance', value: (d: Deployment) => d.importance },
  { header: 'access', value: (d: Deployment) => d.access },
];

function describe(d: Deployment): string {
  return formatFields([
    ['id', d.id],
    ['name', d.name],
    ['model', d.modelId],
    ['champion', d.championVersionId],
    ['challenger', d.challengerVersionId],
    ['runtime', d.runtimeId],
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
          io.out.result(deployment, () => `${deployment.id}: ${deployment.status}\n`);
        }),
      );
  }
}
