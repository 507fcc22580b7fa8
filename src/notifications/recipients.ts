/** Who receives a notice: email addresses of active users, by group or by user. */
import type { Knex } from 'knex';

/**
 * Email addresses of the active users in a group (or in any of several
 * groups), as BPMN `camunda:candidateGroups` name them. Sorted, no duplicates.
 */
export async function emailsOfGroup(db: Knex, group: string | readonly string[]): Promise<string[]> {
  const groups = typeof group === 'string' ? [group] : [...group];
  if (!groups.length) return [];
  const rows: { email: string }[] = await db('users')
    .where('active', true)
    .where((q) => {
      for (const name of groups) q.orWhereRaw('groups @> ?::jsonb', [JSON.stringify([name])]);
    })
    .distinct('email')
    .orderBy('email');
  return rows.map((row) => row.email);
}

/**
 * Email addresses of active users named by id or by email address (as
 * `camunda:candidateUsers` or an assignee may name them). Unknown and
 * inactive users are left out. Sorted, no duplicates.
 */
export async function emailsOfUsers(db: Knex, userIdsOrEmails: readonly string[]): Promise<string[]> {
  const names = userIdsOrEmails.map((name) => name.trim()).filter(Boolean);
  if (!names.length) return [];
  const rows: { email: string }[] = await db('users')
    .where('active', true)
    .where((q) => {
      const placeholders = names.map(() => '?').join(', ');
      q.whereRaw(`id::text IN (${placeholders})`, names).orWhereRaw(
        `lower(email) IN (${placeholders})`,
        names.map((name) => name.toLowerCase()),
      );
    })
    .distinct('email')
    .orderBy('email');
  return rows.map((row) => row.email);
}
