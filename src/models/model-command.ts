/**
 * Who may give a model a `command` (its own train/score program). Running a
 * program on the server is an administrator's decision, so setting, changing
 * or removing a model's command needs `settings:edit` or `definitions:deploy`
 * besides the route's `models:write` (in practice tenant_admin and
 * analytics_admin) — owning the model is not enough. Contributors may still
 * train and test a model whose command an administrator set.
 */
import { ForbiddenError } from '../errors';
import type { Actor } from '../identity/actor';
import { allows } from '../identity/roles';
import type { ModelCommand } from './model-metadata';

/** 403 unless the actor may set a model's command (the system itself may). */
export function assertMaySetCommand(actor: Actor | null): void {
  if (!actor || allows(actor.permissions, 'settings:edit') || allows(actor.permissions, 'definitions:deploy')) return;
  throw new ForbiddenError(
    `Missing permission "settings:edit" or "definitions:deploy": a model's command runs a program on the server, so only an administrator may set it; your roles: ${actor.roles.join(', ') || 'none'}`,
    { permission: ['settings:edit', 'definitions:deploy'], roles: actor.roles },
  );
}

/** Whether two commands run the same thing (key order aside: jsonb does not keep it). */
export function sameCommand(a: ModelCommand | undefined, b: ModelCommand | undefined): boolean {
  const canonical = (command: ModelCommand | undefined) => (command ? JSON.stringify([command.train ?? null, command.score ?? null, command.timeoutMs ?? null]) : null);
  return canonical(a) === canonical(b);
}
