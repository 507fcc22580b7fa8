/** `stagegate tasks [...]`: work items — list, show, claim, and decide. */
import type { Command } from 'commander';
import { action, collectVariable, CommandIO, parseCount, apiPath } from '../command-io';
import { formatFields, formatTable, when } from '../output';

interface WorkItem {
  id: string;
  kind: string;
  status: string;
  name: string | null;
  documentation: string | null;
  processKey: string;
  processInstanceId: string;
  businessKey: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  dueDate: string | null;
  priority: number;
  context: Record<string, unknown>;
  approvalsRequired: number;
  approvals: { userName: string; decision: string; comment: string | null }[];
  decision: string | null;
  comment: string | null;
  createdAt: string;
}

const COLUMNS = [
  { header: 'id', value: (t: WorkItem) => t.id },
  { header: 'name', value: (t: WorkItem) => t.name },
  { header: 'status', value: (t: WorkItem) => t.status },
  { header: 'groups', value: (t: WorkItem) => t.candidateGroups.join(',') },
  { header: 'assignee', value: (t: WorkItem) => t.assignee },
  { header: 'process', value: (t: WorkItem) => t.processKey },
  { header: 'business key', value: (t: WorkItem) => t.businessKey },
  { header: 'due', value: (t: WorkItem) => when(t.dueDate) },
  { header: 'created', value: (t: WorkItem) => when(t.createdAt) },
];

function describe(item: WorkItem): string {
  return formatFields([
    ['id', item.id],
    ['name', item.name],
    ['kind', item.kind],
    ['status', item.status],
    ['process', `${item.processKey} (${item.processInstanceId})`],
    ['business key', item.businessKey],
    ['candidates', [...item.candidateGroups, ...item.candidateUsers].join(', ')],
    ['assignee', item.assignee],
    ['due', when(item.dueDate)],
    ['priority', item.priority],
    ['approvals', `${item.approvals.length}/${item.approvalsRequired}`],
    ['decision', item.decision],
    ['comment', item.comment],
    ['documentation', item.documentation],
    ['context', JSON.stringify(item.context)],
  ]);
}

interface DecideOptions {
  comment?: string;
  var?: Record<string, unknown>;
}

async function decide(io: CommandIO, id: string, decision: string, options: DecideOptions): Promise<void> {
  const item = await io.client.post<WorkItem>(apiPath`/api/tasks/${id}/complete`, { decision, comment: options.comment, variables: options.var ?? {} });
  io.out.result(item, () => `${item.id}: ${decision} (${item.status === 'open' ? `open, ${item.approvals.length}/${item.approvalsRequired} approvals` : item.status})\n`);
}

function decisionCommand(tasks: Command, name: string, decision: string, description: string, commentRequired: boolean): void {
  const command = tasks.command(name).description(description).argument('<id>', 'work item id');
  if (commentRequired) command.requiredOption('--comment <text>', 'why (shown to the submitter, kept in the audit log)');
  else command.option('--comment <text>', 'a comment (kept in the audit log)');
  command
    .option('--var <name=value>', 'a form variable (repeatable)', collectVariable)
    .action(action(async (io, id: string, options: DecideOptions) => decide(io, id, decision, options)));
}

export function registerTasks(program: Command): void {
  const tasks = program.command('tasks').description('work items: list, show, claim, approve, reject, request changes');

  tasks
    .command('list', { isDefault: true })
    .description('list work items (open ones unless --status says otherwise)')
    .option('--group <group>', 'only items for this candidate group')
    .option('--mine', 'only items of your groups, for you or assigned to you')
    .option('--status <status>', 'open | completed | cancelled | all', 'open')
    .option('--business-key <key>', 'only this business key')
    .option('--instance <id>', 'only this process instance')
    .option('--limit <n>', 'at most this many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .action(
      action(async (io, options: { group?: string; mine?: boolean; status: string; businessKey?: string; instance?: string; limit: number; offset: number }) => {
        const page = await io.client.get<{ items: WorkItem[]; total: number }>('/api/tasks', {
          candidateGroup: options.group,
          mine: options.mine ? 'true' : undefined,
          status: options.status === 'all' ? undefined : options.status,
          businessKey: options.businessKey,
          processInstanceId: options.instance,
          limit: options.limit,
          offset: options.offset,
        });
        io.out.result(page, () => formatTable(page.items, COLUMNS));
      }),
    );

  tasks
    .command('show')
    .description('one work item with its context')
    .argument('<id>', 'work item id')
    .action(
      action(async (io, id: string) => {
        const item = await io.client.get<WorkItem>(apiPath`/api/tasks/${id}`);
        io.out.result(item, () => describe(item));
      }),
    );

  for (const verb of ['claim', 'unclaim'] as const) {
    tasks
      .command(verb)
      .description(verb === 'claim' ? 'claim a work item (you become its assignee)' : 'give a claimed work item back')
      .argument('<id>', 'work item id')
      .action(
        action(async (io, id: string) => {
          const item = await io.client.post<WorkItem>(apiPath`/api/tasks/${id}/${verb}`);
          io.out.result(item, () => `${item.id}: ${item.assignee ? `assigned to ${item.assignee}` : 'unassigned'}\n`);
        }),
      );
  }

  decisionCommand(tasks, 'approve', 'approved', 'approve a work item', false);
  decisionCommand(tasks, 'reject', 'rejected', 'reject a work item', true);
  decisionCommand(tasks, 'request-changes', 'changes_requested', 'send a work item back for changes', true);

  tasks
    .command('complete')
    .description("complete a work item with any decision its form allows")
    .argument('<id>', 'work item id')
    .requiredOption('--decision <decision>', 'approved | rejected | changes_requested, or a value of the form\'s decision field')
    .option('--comment <text>', 'a comment (kept in the audit log)')
    .option('--var <name=value>', 'a form variable (repeatable)', collectVariable)
    .action(action(async (io, id: string, options: DecideOptions & { decision: string }) => decide(io, id, options.decision, options)));
}
