import type { Knex } from 'knex';

/**
 * The mail outbox: a mail is a row written in the transaction of the change
 * that caused it, sent later by the dispatcher (src/notifications/).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_outbox', (t) => {
    t.uuid('id').primary();
    t.jsonb('to').notNullable();
    t.text('subject').notNullable();
    t.text('text').notNullable();
    t.text('html');
    t.text('status').notNullable().defaultTo('pending');
    // Delivery attempts made so far, failed or not.
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.text('message_id');
    // The same notice (e.g. "task X created") is queued at most once.
    t.text('dedupe_key').unique();
    // The dispatcher sending the mail right now, and until when others keep off it.
    t.text('locked_by');
    t.timestamp('locked_until', { useTz: true });
  });
  await knex.raw(`ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check CHECK (status IN ('pending', 'sent', 'failed'))`);
  // The dispatcher's poll only ever looks at pending rows that are due.
  await knex.raw(`CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mail_outbox');
}
