/**
 * The mails work items cause (SPEC §6): a new item → its candidates; a
 * decision → the submitter; an escalation or timeout → the new group. They are
 * queued in the caller's transaction, so they go out only if the change commits.
 */
import type { Knex } from 'knex';
import { enqueueMail } from '../notifications/mail-outbox';
import { emailsOfGroup, emailsOfUsers } from '../notifications/recipients';
import type { WorkItem } from './work-item';

/** Active users' addresses for candidate groups and users (ids or emails). */
async function recipients(trx: Knex.Transaction, groups: string[], users: string[]): Promise<string[]> {
  return [...new Set([...(await emailsOfGroup(trx, groups)), ...(await emailsOfUsers(trx, users))])].sort();
}

function describe(item: WorkItem): string {
  return [item.name ?? item.elementId, item.businessKey ? `(${item.businessKey})` : ''].filter(Boolean).join(' ');
}

function link(publicUrl: string, item: WorkItem): string {
  return `${publicUrl.replace(/\/$/, '')}/api/tasks/${item.id}`;
}

export async function mailNewWorkItem(trx: Knex.Transaction, publicUrl: string, item: WorkItem): Promise<void> {
  const to = await recipients(trx, item.candidateGroups, item.candidateUsers);
  if (!to.length) return;
  await enqueueMail(trx, {
    to,
    subject: `[Stagegate] ${item.kind === 'review' ? 'Review needed' : 'Approval needed'}: ${describe(item)}`,
    text: [
      `A work item is waiting for you: ${describe(item)}.`,
      item.documentation ?? '',
      item.dueDate ? `Due: ${item.dueDate.toISOString()}` : '',
      `Work item ${item.id}: ${link(publicUrl, item)}`,
    ].filter(Boolean).join('\n\n'),
    dedupeKey: `task-created:${item.id}`,
  });
}

export async function mailDecision(trx: Knex.Transaction, publicUrl: string, item: WorkItem, decision: string | null, by: string, comment: string | null): Promise<void> {
  if (!item.submittedBy) return;
  const to = await recipients(trx, [], [item.submittedBy]);
  if (!to.length) return;
  await enqueueMail(trx, {
    to,
    subject: `[Stagegate] ${decision ?? 'completed'}: ${describe(item)}`,
    text: [`${by} decided "${decision ?? 'completed'}" on ${describe(item)}.`, comment ? `Comment: ${comment}` : '', `Work item ${item.id}: ${link(publicUrl, item)}`]
      .filter(Boolean)
      .join('\n\n'),
    dedupeKey: `task-decided:${item.id}`,
  });
}

export async function mailEscalation(trx: Knex.Transaction, publicUrl: string, item: WorkItem, group: string, reason: string): Promise<void> {
  const to = await recipients(trx, [group], []);
  if (!to.length) return;
  await enqueueMail(trx, {
    to,
    subject: `[Stagegate] Escalated to ${group}: ${describe(item)}`,
    text: [`${describe(item)} was escalated to ${group}: ${reason}.`, `Work item ${item.id}: ${link(publicUrl, item)}`].join('\n\n'),
    dedupeKey: `task-escalated:${item.id}:${group}`,
  });
}
