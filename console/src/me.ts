/** The signed-in user as /api/me answers, and what the console may offer them. */
export interface Me {
  id: string;
  name: string;
  email: string;
  roles: string[];
  groups: string[];
  permissions: string[];
}

export const can = (me: Me, permission: string) =>
  me.permissions.includes(permission) ||
  (permission === 'view:own' && me.permissions.includes('view:all')) ||
  (permission === 'jobs:cancel:own' && me.permissions.includes('jobs:cancel:any'));
