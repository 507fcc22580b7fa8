/** `stagegate users [list|create|token]`: users and their API tokens (tenant admins). */
import type { Command } from 'commander';
import { action, collectString, CommandIO, parseCount, apiPath } from '../command-io';
import { CliError, EXIT } from '../exit-codes';
import { formatFields, formatTable, when } from '../output';

interface User {
  id: string;
  name: string;
  email: string;
  roles: string[];
  groups: string[];
  active: boolean;
  createdAt: string;
}

const COLUMNS = [
  { header: 'id', value: (u: User) => u.id },
  { header: 'name', value: (u: User) => u.name },
  { header: 'email', value: (u: User) => u.email },
  { header: 'roles', value: (u: User) => u.roles.join(',') },
  { header: 'groups', value: (u: User) => u.groups.join(',') },
  { header: 'active', value: (u: User) => (u.active ? 'yes' : 'no') },
  { header: 'created', value: (u: User) => when(u.createdAt) },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user id, or the id of the one user with that name or email. */
async function resolveUser(io: CommandIO, user: string): Promise<string> {
  if (UUID.test(user)) return user;
  const found: User[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await io.client.get<{ items: User[]; total: number }>('/api/users', { limit: 500, offset });
    found.push(...page.items.filter((u) => u.name === user || u.email.toLowerCase() === user.toLowerCase()));
    if (offset + page.items.length >= page.total || !page.items.length) break;
  }
  if (found.length === 1) return found[0].id;
  if (!found.length) throw new CliError(`no user named ${user}`, EXIT.NOT_FOUND);
  throw new CliError(`${found.length} users are named ${user}; give the id`, EXIT.FAILURE);
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('users and API tokens: list, create, token');

  users
    .command('list', { isDefault: true })
    .description('list users')
    .option('--group <group>', 'only members of this group')
    .option('--role <role>', 'only users with this role')
    .option('--limit <n>', 'at most this many', parseCount, 50)
    .option('--offset <n>', 'skip this many', parseCount, 0)
    .action(
      action(async (io, options: { group?: string; role?: string; limit: number; offset: number }) => {
        const page = await io.client.get<{ items: User[]; total: number }>('/api/users', { ...options });
        io.out.result(page, () => formatTable(page.items, COLUMNS));
      }),
    );

  users
    .command('create')
    .description('create a user')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--email <email>', 'email (work-item mail goes there)')
    .requiredOption('--role <role>', 'tenant_admin | analytics_admin | model_approver | deployment_contributor | experiment_contributor | viewer | external_worker (repeatable)', collectString)
    .option('--group <group>', 'a group, as BPMN candidateGroups name them (repeatable)', collectString)
    .action(
      action(async (io, options: { name: string; email: string; role: string[]; group?: string[] }) => {
        const user = await io.client.post<User>('/api/users', { name: options.name, email: options.email, roles: options.role, groups: options.group ?? [] });
        io.out.result(user, () => formatFields([['id', user.id], ['name', user.name], ['roles', user.roles.join(', ')], ['groups', user.groups.join(', ')]]));
      }),
    );

  users
    .command('token')
    .description('create an API token for a user; the secret is printed once')
    .argument('<user>', 'user id, name or email')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <n>', 'expiry (default: never)', parseCount)
    .action(
      action(async (io, user: string, options: { name: string; expiresInDays?: number }) => {
        const id = await resolveUser(io, user);
        const token = await io.client.post<{ id: string; token: string; expiresAt: string | null }>(apiPath`/api/users/${id}/tokens`, {
          name: options.name,
          ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}),
        });
        io.out.result(token, () => `${token.token}\n`);
      }),
    );
}
