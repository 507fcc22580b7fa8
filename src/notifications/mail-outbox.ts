/**
 * The mail outbox (SPEC §2 Mail): SQL of the `mail_outbox` table.
 *
 * Glossary:
 * - outbox mail: a row of `mail_outbox`, one message to one or more
 *   recipients, written in the transaction of the change that caused it, so
 *   it exists if and only if that change committed.
 * - pending / sent / failed: waiting to be (re)sent / accepted by the SMTP
 *   server or written as a file / given up after the last retry.
 * - claim: a dispatcher takes due pending rows (`FOR UPDATE SKIP LOCKED`) and
 *   sets `locked_by`/`locked_until` past the time a send may take, so no other
 *   dispatcher takes them meanwhile, and the rows of one that crashed come back.
 * - dedupe key: names a notice ("task 42 created → candidates"); a second
 *   enqueue with the same key is ignored.
 */
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';

export interface MailToQueue {
  /** Email addresses; duplicates (ignoring case) are dropped. */
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Queue this notice at most once, whoever enqueues it again. */
  dedupeKey?: string;
}

/** A claimed outbox row, ready to send. */
export interface OutboxMail {
  id: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Attempts made before this one. */
  attempts: number;
}

// Dispatchers in this process learn here that a transaction with mail committed,
// so callers of enqueueMail need no reference to a dispatcher to get prompt delivery.
const committedMail = new EventEmitter();
committedMail.setMaxListeners(0);

/**
 * Queues a mail inside the caller's transaction: it is sent after, and only
 * if, that transaction commits. A mail with no recipients is not queued; a
 * mail whose `dedupeKey` was queued before is ignored.
 */
export async function enqueueMail(trx: Knex.Transaction, mail: MailToQueue): Promise<void> {
  const to = uniqueAddresses(mail.to);
  if (!to.length) return;
  await trx('mail_outbox')
    .insert({
      id: crypto.randomUUID(),
      to: JSON.stringify(to),
      subject: mail.subject,
      text: mail.text,
      html: mail.html ?? null,
      dedupe_key: mail.dedupeKey ?? null,
    })
    .onConflict('dedupe_key')
    .ignore();
  notifyAfterCommit(trx);
}

/** Calls `listener` after each commit of a transaction that queued mail; returns the unsubscribe. */
export function onMailCommitted(listener: () => void): () => void {
  committedMail.on('committed', listener);
  return () => committedMail.off('committed', listener);
}

/**
 * Claims up to `limit` due pending mails for `claimMs` on behalf of
 * `owner`. Rows another dispatcher is claiming or sending are skipped.
 */
export async function claimDueMail(db: Knex, owner: string, limit: number, claimMs: number): Promise<OutboxMail[]> {
  const result = await db.raw(
    `UPDATE mail_outbox
        SET locked_by = ?, locked_until = now() + (? * interval '1 millisecond')
      WHERE id IN (
        SELECT id FROM mail_outbox
         WHERE status = 'pending' AND next_attempt_at <= now()
           AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at, created_at
         LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING id, "to", subject, text, html, attempts`,
    [owner, claimMs, limit],
  );
  return result.rows.map((row: OutboxMail & { to: string[] | string }) => ({
    ...row,
    to: typeof row.to === 'string' ? JSON.parse(row.to) : row.to,
  }));
}

// Each outcome is recorded only by the dispatcher still holding the claim, so one whose
// claim expired (and was taken over) cannot overwrite what the new holder recorded.
const RELEASE = { locked_by: null, locked_until: null };

/** Marks a claimed mail sent; `warning` notes recipients the server refused. */
export async function markMailSent(db: Knex, owner: string, mail: OutboxMail, messageId: string, warning: string | null): Promise<void> {
  await db('mail_outbox')
    .where({ id: mail.id, locked_by: owner, status: 'pending' })
    .update({ ...RELEASE, status: 'sent', attempts: mail.attempts + 1, sent_at: db.fn.now(), message_id: messageId, last_error: warning });
}

/** Counts a failed attempt and schedules the next one `delayMs` from now. */
export async function markMailRetry(db: Knex, owner: string, mail: OutboxMail, error: string, delayMs: number): Promise<void> {
  await db('mail_outbox')
    .where({ id: mail.id, locked_by: owner, status: 'pending' })
    .update({
      ...RELEASE,
      attempts: mail.attempts + 1,
      last_error: error,
      next_attempt_at: db.raw(`now() + (? * interval '1 millisecond')`, [delayMs]),
    });
}

/** Counts the last failed attempt and gives up on the mail. */
export async function markMailFailed(db: Knex, owner: string, mail: OutboxMail, error: string): Promise<void> {
  await db('mail_outbox')
    .where({ id: mail.id, locked_by: owner, status: 'pending' })
    .update({ ...RELEASE, status: 'failed', attempts: mail.attempts + 1, last_error: error });
}

function uniqueAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const raw of addresses) {
    const address = raw.trim();
    if (!address || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    unique.push(address);
  }
  return unique;
}

/**
 * Emits `committed` once the outermost transaction has ended. It is only a
 * hint to look now: knex also resolves a transaction rolled back without an
 * error, and then the dispatcher simply finds nothing new.
 */
function notifyAfterCommit(trx: Knex.Transaction): void {
  let outermost = trx;
  while (outermost.parentTransaction) outermost = outermost.parentTransaction;
  // A rejection (rollback with an error) is the caller's to handle, not ours.
  outermost.executionPromise?.then(
    () => committedMail.emit('committed'),
    () => undefined,
  );
}
