/**
 * Who may see and change owned things (models, datasets, jobs): SPEC §9's
 * "own+shared" for contributors: they see what they own and what is shared
 * (models and datasets have a `shared` flag, set by the owner or an
 * administrator), and change only what they own. The system itself (actor
 * null: service tasks, timers) may do anything.
 */
import { ForbiddenError } from '../errors';
import type { Actor } from './actor';
import { allows, PERMISSIONS } from './roles';

/** Whether the actor owns the thing or may act on everything (`view:all`). */
function ownsOrSeesAll(actor: Actor | null, ownerId: string | null): boolean {
  return !actor || allows(actor.permissions, 'view:all') || (ownerId !== null && ownerId === actor.id);
}

/**
 * Whether the actor may see a thing owned by `ownerId`: everyone with
 * `view:all`, its owner, and — when the thing is shared — anyone with `view:own`.
 */
export function canView(actor: Actor | null, ownerId: string | null, shared = false): boolean {
  return ownsOrSeesAll(actor, ownerId) || (shared && allows(actor!.permissions, 'view:own'));
}

function notYours(actor: Actor, reason: string): ForbiddenError {
  return new ForbiddenError(`Missing permission "view:all" (${PERMISSIONS['view:all']}): ${reason}; your roles: ${actor.roles.join(', ') || 'none'}`, {
    permission: 'view:all',
    roles: actor.roles,
  });
}

/** 403 unless the actor may see the thing (`what` names such things, e.g. "models you own"). */
export function assertCanView(actor: Actor | null, ownerId: string | null, what: string, shared = false): void {
  if (!canView(actor, ownerId, shared)) throw notYours(actor!, `you may view only the ${what}`);
}

/**
 * 403 unless the actor may change the thing: the route already checked the
 * write permission; contributors (no `view:all`) change only what they own.
 */
export function assertCanChange(actor: Actor | null, ownerId: string | null, what: string): void {
  if (!ownsOrSeesAll(actor, ownerId)) throw notYours(actor!, `you may change only the ${what}`);
}
