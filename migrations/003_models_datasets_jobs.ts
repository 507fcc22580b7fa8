import type { Knex } from 'knex';

/**
 * Models and their versions (artifacts stored with their sha256), labeled
 * datasets (one database row per CSV row), jobs (train, test, ...) and the
 * test results stored per version and job (SPEC §5, §7).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('models', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('type').notNullable();
    t.uuid('owner_id').references('users.id').onDelete('SET NULL');
    t.text('importance').notNullable();
    t.jsonb('tags').notNullable().defaultTo('[]');
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['owner_id']);
  });
  await knex.raw('CREATE UNIQUE INDEX models_name_unique ON models (lower(name))');

  await knex.schema.createTable('datasets', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('label_column').notNullable();
    t.text('timestamp_column');
    // Column name → kind, fixed by the first upload; null until then.
    t.jsonb('schema');
    t.bigInteger('row_count').notNullable().defaultTo(0);
    t.integer('upload_count').notNullable().defaultTo(0);
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_by']);
  });
  await knex.raw('CREATE UNIQUE INDEX datasets_name_unique ON datasets (lower(name))');

  await knex.schema.createTable('dataset_rows', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('dataset_id').notNullable().references('datasets.id').onDelete('CASCADE');
    // The row's timestamp column, or the time it was uploaded (labeled) when the dataset has none.
    t.timestamp('at', { useTz: true }).notNullable();
    t.jsonb('data').notNullable();
    t.index(['dataset_id', 'id']);
    t.index(['dataset_id', 'at']);
  });

  await knex.schema.createTable('jobs', (t) => {
    t.uuid('id').primary();
    t.text('type').notNullable();
    t.text('status').notNullable();
    t.integer('progress').notNullable().defaultTo(0);
    t.jsonb('log').notNullable().defaultTo('[]');
    t.uuid('requested_by').references('users.id').onDelete('SET NULL');
    t.uuid('model_id').references('models.id').onDelete('SET NULL');
    t.uuid('process_instance_id');
    // A re-invoked service task finds its job by this key instead of starting another.
    t.text('idempotency_key').unique();
    t.jsonb('params').notNullable().defaultTo('{}');
    t.jsonb('result');
    t.text('error');
    t.text('locked_by');
    t.timestamp('heartbeat_at', { useTz: true });
    t.boolean('cancel_requested').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'created_at']);
    t.index(['requested_by']);
    t.index(['model_id']);
  });

  await knex.schema.createTable('model_versions', (t) => {
    t.uuid('id').primary();
    t.uuid('model_id').notNullable().references('models.id').onDelete('CASCADE');
    t.integer('number').notNullable();
    t.text('source').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('uri');
    t.uuid('train_job_id').references('jobs.id').onDelete('SET NULL');
    // The exact artifact JSON text (sha256 over its UTF-8 bytes). Text, not bytea or jsonb:
    // jsonb reorders keys, and the embedded database stores a 1.6 MB bytea 30x slower than text.
    t.text('artifact');
    t.text('artifact_sha256');
    t.integer('artifact_bytes');
    t.jsonb('training_metrics');
    // Where the training rows came from: { datasetId, from, to } (drift is measured against them).
    t.jsonb('training_data');
    t.text('status').notNullable();
    t.jsonb('status_history').notNullable().defaultTo('[]');
    t.uuid('submitted_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['model_id', 'number']);
  });

  await knex.schema.createTable('test_results', (t) => {
    t.uuid('id').primary();
    t.uuid('model_id').notNullable().references('models.id').onDelete('CASCADE');
    t.uuid('version_id').notNullable().references('model_versions.id').onDelete('CASCADE');
    t.uuid('job_id').references('jobs.id').onDelete('SET NULL');
    t.uuid('dataset_id').references('datasets.id').onDelete('SET NULL');
    t.timestamp('window_from', { useTz: true });
    t.timestamp('window_to', { useTz: true });
    t.jsonb('result').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['version_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('test_results');
  await knex.schema.dropTableIfExists('model_versions');
  await knex.schema.dropTableIfExists('jobs');
  await knex.schema.dropTableIfExists('dataset_rows');
  await knex.schema.dropTableIfExists('datasets');
  await knex.schema.dropTableIfExists('models');
}
