/** `stagegate instances [list|show|cancel]`: process instances. */
import type { Command } from 'commander';
import { action, parseCount, apiPath } from '../command-io';
import { formatFields, formatTable, when } from '../output';

interface InstanceSummary {
  id: string;
  processKey: string;
  definitionVersion: number;
  businessKey: string | null;
  status: string;
  createdAt: string;
  endedAt: string | null;
}

interface InstanceDetail extends InstanceSummary {
  error: string | null;
  variables: Record<string, unknown>;
  currentActivities: { elementId: string; type: string }[];
  history: { elementId: string; event: string; at: string; actor: string | null }[];
}

const COLUMNS = [
  { header: 'id', value: (i: InstanceSummary) => i.id },
  { header: 'process', value: (i: InstanceSummary) => `${i.processKey} v${i.definitionVersion}` },
  { header: 'business key', value: (i: InstanceSummary) => i.businessKey },
  { header: 'status', value: (i: InstanceSummary) => i.status },
  { header: 'started', value: (i: InstanceSummary) => when(i.createdAt) },
  { header: 'ended', value: (i: InstanceSummary) => when(i.endedAt) },
];

function describe(instance: InstanceDetail): string {
  const fields = formatFields([
    ['id', instance.id],
    ['process', `${instance.processKey} v${instance.definitionVersion}`],
    ['business key', instance.businessKey],
    ['status', instance.status],
    ['started', when(instance.createdAt)],
    ['ended', when(instance.endedAt)],
    ['error', instance.error],
    ['current', instance.currentActivities.map((a) => a.elementId).join(', ')],
    ['variables', JSON.stringify(instance.variables)],
  ]);
  const history = instance.history.map((h) => `  ${when(h.at)}  ${h.event.padEnd(7)} ${h.elementId}${h.actor ? ` (${h.actor})` : ''}`);
  return `${fields}history:\n${history.join('\n')}\n`;
}

export function registerInstances(program: Command): void {
  const instances = program.command('instances').description('process instances: list, show, cancel');

  instances
    .command('list', { isDefault: true })
    .description('list instances, newest first')
    .option('--status <status>', 'running | waiting | completed | cancelled | incident | failed')
    .option('--key <key>', 'only this process')
    .option('--business-key <key>', 'only this business key')
    .option('--limit <n>', 'at most this many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .action(
      action(async (io, options: { status?: string; key?: string; businessKey?: string; limit: number; offset: number }) => {
        const page = await io.client.get<{ items: InstanceSummary[]; total: number }>('/api/process-instances', { ...options });
        io.out.result(page, () => formatTable(page.items, COLUMNS));
      }),
    );

  instances
    .command('show')
    .description('one instance: status, current activities, variables, history')
    .argument('<id>', 'instance id')
    .action(
      action(async (io, id: string) => {
        const instance = await io.client.get<InstanceDetail>(apiPath`/api/process-instances/${id}`);
        io.out.result(instance, () => describe(instance));
      }),
    );

  instances
    .command('cancel')
    .description('cancel a running instance')
    .argument('<id>', 'instance id')
    .option('--reason <text>', 'why (kept in the audit log)')
    .action(
      action(async (io, id: string, options: { reason?: string }) => {
        const instance = await io.client.post<InstanceSummary>(apiPath`/api/process-instances/${id}/cancel`, options.reason ? { reason: options.reason } : {});
        io.out.result(instance, () => `${instance.id}: ${instance.status}\n`);
      }),
    );
}
