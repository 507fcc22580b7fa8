import type { Knex } from 'knex';

/**
 * Triggers and alerts (SPEC §10, §5): cron schedules, the fires that started
 * an instance (the exactly-once claim across replicas), and alerts raised by
 * processes for the support team.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('schedules', (t) => {
    t.uuid('id').primary();
    t.text('process_key').notNullable();
    t.text('cron').notNullable();
    t.text('timezone').notNullable();
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.text('business_key');
    t.text('status').notNullable().defaultTo('active');
    // 'api': created over REST; 'definition': a cron timer start event of the definition's latest version.
    t.text('origin').notNullable();
    t.uuid('definition_id');
    t.text('start_event_id');
    t.uuid('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Fires before this (creation, resume) are never caught up at start-up.
    t.timestamp('fires_from', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_fire_at', { useTz: true });
    t.uuid('last_instance_id');
    // Bumped by every change, so each server's scheduler sees what to reload.
    t.integer('revision').notNullable().defaultTo(1);
    t.unique(['definition_id', 'start_event_id']);
    t.index(['process_key']);
  });
  await knex.raw(`ALTER TABLE schedules ADD CONSTRAINT schedules_status_check CHECK (status IN ('active', 'paused'))`);
  await knex.raw(`ALTER TABLE schedules ADD CONSTRAINT schedules_origin_check CHECK (origin IN ('api', 'definition'))`);

  await knex.schema.createTable('schedule_fires', (t) => {
    // `<schedule id>:<fire time ISO>`: node-cron's coordination key; the primary key makes the claim exclusive.
    t.text('fire_key').primary();
    t.uuid('schedule_id').notNullable().references('schedules.id').onDelete('CASCADE');
    t.timestamp('fire_at', { useTz: true }).notNullable();
    t.text('claimed_by').notNullable();
    t.timestamp('claimed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('instance_id');
    t.text('error');
    t.index(['schedule_id', 'fire_at']);
  });

  await knex.schema.createTable('alerts', (t) => {
    t.uuid('id').primary();
    t.text('severity').notNullable();
    t.text('message').notNullable();
    t.text('model_id');
    t.text('deployment_id');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.text('status').notNullable().defaultTo('open');
    t.text('notified_group');
    t.uuid('process_instance_id');
    t.text('element_id');
    // A raise-alert task re-invoked after a crash finds its alert again.
    t.text('idempotency_key').unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('acknowledged_by');
    t.text('acknowledged_by_name');
    t.timestamp('acknowledged_at', { useTz: true });
    t.text('acknowledge_comment');
    t.index(['status', 'created_at']);
    t.index(['deployment_id']);
    t.index(['model_id']);
  });
  await knex.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_status_check CHECK (status IN ('open', 'acknowledged'))`);
  await knex.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_severity_check CHECK (severity IN ('critical', 'warning', 'info'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('alerts');
  await knex.schema.dropTableIfExists('schedule_fires');
  await knex.schema.dropTableIfExists('schedules');
}
