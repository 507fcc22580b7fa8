/**
 * Roles and what they may do: SPEC §9's table (after Qlik AutoML's), extended
 * with the engine's own actions. One role grants a set of permissions; a user
 * holds any number of roles.
 */

export const ROLES = [
  'tenant_admin',
  'analytics_admin',
  'model_approver',
  'deployment_contributor',
  'experiment_contributor',
  'viewer',
  /** Extension: external task workers (SPEC §5.1) and nothing else. */
  'external_worker',
] as const;

export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  'users:manage': 'manage users and roles',
  'view:all': 'view everything',
  'view:own': 'view own and shared items',
  'deployments:activate': 'activate/deactivate deployed models',
  'tasks:approve': 'approve/reject (complete approval work items of their groups)',
  'jobs:cancel:any': 'stop/cancel any job',
  'jobs:cancel:own': 'stop/cancel own jobs',
  'settings:edit': 'edit approval notice, limits, settings',
  'definitions:deploy': 'deploy process definitions',
  'deployments:write': 'create deployments, request changes',
  'models:write': 'register models, submit versions, upload data',
  'instances:start': 'start process instances, send messages and signals',
  'instances:operate': 'cancel instances and retry incidents',
  'external-tasks:work': 'fetch, lock and complete external tasks',
} as const;

export type Permission = keyof typeof PERMISSIONS;

const MATRIX: Record<Role, Permission[]> = {
  tenant_admin: [
    'users:manage', 'view:all', 'deployments:activate', 'tasks:approve', 'jobs:cancel:any', 'settings:edit',
    'definitions:deploy', 'deployments:write', 'models:write', 'instances:start', 'instances:operate', 'external-tasks:work',
  ],
  analytics_admin: ['view:all', 'jobs:cancel:any', 'settings:edit', 'definitions:deploy', 'deployments:write', 'models:write', 'instances:start', 'instances:operate'],
  model_approver: ['view:all', 'deployments:activate', 'tasks:approve', 'settings:edit'],
  deployment_contributor: ['view:own', 'jobs:cancel:own', 'deployments:write', 'instances:start'],
  experiment_contributor: ['view:own', 'jobs:cancel:own', 'models:write', 'instances:start'],
  viewer: ['view:all'],
  external_worker: ['external-tasks:work'],
};

/** The permissions a set of roles grants. */
export function permissionsOf(roles: readonly Role[]): ReadonlySet<Permission> {
  return new Set(roles.flatMap((role) => MATRIX[role] ?? []));
}

/** Whether the roles grant the permission; `view:own` is implied by `view:all`, own jobs by any job. */
export function allows(permissions: ReadonlySet<Permission>, wanted: Permission): boolean {
  if (permissions.has(wanted)) return true;
  if (wanted === 'view:own') return permissions.has('view:all');
  if (wanted === 'jobs:cancel:own') return permissions.has('jobs:cancel:any');
  return false;
}
