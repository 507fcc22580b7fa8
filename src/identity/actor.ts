import type { Permission, Role } from './roles';

/** Who is acting: the user behind the bearer token of a request (or the system itself). */
export interface Actor {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  groups: string[];
  permissions: ReadonlySet<Permission>;
}

/** What every state change carries into its transaction so the audit log can name it. */
export interface ActionContext {
  actor: Actor | null;
  requestId: string | null;
}

/** Changes made by Stagegate itself (start-up deployments, timers). */
export const SYSTEM: ActionContext = { actor: null, requestId: null };
