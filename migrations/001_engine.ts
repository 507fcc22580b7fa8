import type { Knex } from 'knex';

/** The engine's tables: definitions, instances and everything an instance waits on. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('process_definitions', (t) => {
    t.uuid('id').primary();
    t.text('key').notNullable();
    t.integer('version').notNullable();
    t.text('name');
    t.text('xml').notNullable();
    t.text('hash').notNullable();
    t.text('source').notNullable();
    t.jsonb('start_events').notNullable().defaultTo('{}');
    t.text('deployed_by');
    t.timestamp('deployed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['key', 'version']);
  });

  await knex.schema.createTable('process_instances', (t) => {
    t.uuid('id').primary();
    t.uuid('definition_id').notNullable().references('process_definitions.id');
    t.text('process_key').notNullable();
    t.integer('definition_version').notNullable();
    t.text('business_key');
    t.text('status').notNullable();
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.jsonb('engine_state');
    t.jsonb('current_activities').notNullable().defaultTo('[]');
    t.timestamp('wake_at', { useTz: true });
    t.text('locked_by');
    t.timestamp('locked_until', { useTz: true });
    t.text('started_by');
    t.text('error');
    // Set on instances started by a call activity: the parent resumes when they complete.
    t.uuid('parent_instance_id').references('process_instances.id').onDelete('CASCADE');
    t.text('parent_element_id');
    t.text('parent_execution_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
    t.index(['process_key', 'status']);
    t.index(['business_key']);
    t.index(['wake_at']);
    t.unique(['parent_instance_id', 'parent_execution_id']);
  });

  await knex.schema.createTable('instance_commands', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('type').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
    t.index(['instance_id', 'processed_at']);
  });

  await knex.schema.createTable('user_tasks', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('name');
    t.text('documentation');
    t.jsonb('candidate_groups').notNullable().defaultTo('[]');
    t.jsonb('candidate_users').notNullable().defaultTo('[]');
    t.text('assignee');
    t.timestamp('due_date', { useTz: true });
    t.integer('priority').notNullable().defaultTo(50);
    t.text('form_key');
    t.jsonb('form_fields').notNullable().defaultTo('[]');
    t.text('status').notNullable().defaultTo('open');
    t.jsonb('output');
    t.text('completed_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.unique(['instance_id', 'execution_id']);
    t.index(['status']);
  });

  await knex.schema.createTable('service_tasks', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('topic').notNullable();
    t.boolean('external').notNullable();
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.text('status').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('retries');
    t.timestamp('retry_at', { useTz: true });
    t.text('worker_id');
    t.timestamp('lock_expires_at', { useTz: true });
    t.text('error_message');
    t.text('error_code');
    t.jsonb('result');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['instance_id', 'execution_id']);
    t.index(['topic', 'status']);
  });

  await knex.schema.createTable('incidents', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('type').notNullable();
    t.text('message').notNullable();
    t.text('status').notNullable().defaultTo('open');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.index(['status']);
    t.index(['instance_id']);
  });

  await knex.schema.createTable('event_subscriptions', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('name').notNullable();
    t.text('ref_id').notNullable();
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.index(['kind', 'name']);
    t.index(['instance_id']);
  });

  await knex.schema.createTable('timers', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.index(['instance_id']);
    t.index(['due_at']);
  });

  await knex.schema.createTable('instance_history', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('instance_id').notNullable().references('process_instances.id').onDelete('CASCADE');
    t.text('element_id').notNullable();
    t.text('element_type').notNullable();
    t.text('element_name');
    t.text('execution_id').notNullable();
    t.text('event').notNullable();
    t.text('actor');
    t.timestamp('at', { useTz: true }).notNullable();
    t.unique(['instance_id', 'execution_id', 'event']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'instance_history',
    'timers',
    'event_subscriptions',
    'incidents',
    'service_tasks',
    'user_tasks',
    'instance_commands',
    'process_instances',
    'process_definitions',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
