/**
 * Who may see and change owned things (models, datasets, jobs): SPEC §9's
 * "own+shared" for contributors. The system itself (actor null: service
 * tasks, timers) may do anything.
 */
import { ForbiddenError } from '../errors';
import type { Actor } from './actor';
import { allows, PERMISSIONS } from './roles';

/** Whether the actor may see a thing owned by `ownerId`: everyone with `view:all`, else its owner. */
export function canView(actor: Actor | null, ownerId: string | null): boolean {
  return !actor || allows(actor.permissions, 'view:all') || (ownerId !== null && ownerId === actor.id);
}

function notYours(actor: Actor, reason: string): ForbiddenError {
  return new ForbiddenError(`Missing permission "view:all" (${PERMISSIONS['view:all']}): ${reason}; your roles: ${actor.roles.join(', ') || 'none'}`, {
    permission: 'view:all',
    roles: actor.roles,
  });
}

/** 403 unless the actor may see the thing (`what` names such things, e.g. "models you own"). */
export function assertCanView(actor: Actor | null, ownerId: string | null, what: string): void {
  if (!canView(actor, ownerId)) throw notYours(actor!, `you may view only the ${what}`);
}

/**
 * 403 unless the actor may change the thing: the route already checked the
 * write permission; contributors (no `view:all`) change only what they own.
 */
export function assertCanChange(actor: Actor | null, ownerId: string | null, what: string): void {
  if (!canView(actor, ownerId)) throw notYours(actor!, `you may change only the ${what}`);
}
