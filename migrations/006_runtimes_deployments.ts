import type { Knex } from 'knex';

/**
 * Runtimes (where deployed models run), deployments (champion and challenger
 * versions of a model served to callers), their version history and API keys
 * (stored as sha256), and the prediction log monitoring reads (SPEC §8).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('runtimes', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.text('url');
    t.jsonb('tags').notNullable().defaultTo('[]');
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX runtimes_name_unique ON runtimes (lower(name))');
  await knex.raw(`ALTER TABLE runtimes ADD CONSTRAINT runtimes_kind_check CHECK (kind IN ('embedded', 'http'))`);

  await knex.schema.createTable('deployments', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.uuid('model_id').notNullable().references('models.id');
    // A runtime in use cannot be deleted: its deployments go first.
    t.uuid('runtime_id').notNullable().references('runtimes.id');
    t.uuid('champion_version_id').notNullable().references('model_versions.id');
    t.uuid('challenger_version_id').references('model_versions.id');
    t.text('importance').notNullable();
    t.text('access').notNullable();
    t.jsonb('members').notNullable().defaultTo('[]');
    t.text('status').notNullable().defaultTo('inactive');
    t.text('approval_status').notNullable().defaultTo('needs_approval');
    t.uuid('owner_id').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['model_id']);
    t.index(['owner_id']);
  });
  await knex.raw('CREATE UNIQUE INDEX deployments_name_unique ON deployments (lower(name))');
  await knex.raw(`ALTER TABLE deployments ADD CONSTRAINT deployments_status_check CHECK (status IN ('active', 'inactive'))`);
  await knex.raw(`ALTER TABLE deployments ADD CONSTRAINT deployments_access_check CHECK (access IN ('public', 'instance', 'project'))`);

  // Every champion/challenger a deployment had, in order: rollback returns to one of them.
  await knex.schema.createTable('deployment_history', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('deployment_id').notNullable().references('deployments.id').onDelete('CASCADE');
    t.uuid('champion_version_id').notNullable().references('model_versions.id');
    t.uuid('challenger_version_id').references('model_versions.id');
    t.text('action').notNullable();
    t.uuid('by').references('users.id').onDelete('SET NULL');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['deployment_id', 'id']);
  });

  await knex.schema.createTable('deployment_keys', (t) => {
    t.uuid('id').primary();
    t.uuid('deployment_id').notNullable().references('deployments.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('prefix').notNullable();
    t.text('key_hash').notNullable().unique();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.index(['deployment_id']);
  });

  // Written in batches off the request path; monitoring reads a time window of it.
  await knex.schema.createTable('prediction_logs', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('deployment_id').notNullable().references('deployments.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable();
    t.uuid('champion_version_id');
    t.uuid('challenger_version_id');
    t.integer('row_count').notNullable();
    t.jsonb('rows');
    t.jsonb('predictions');
    t.jsonb('challenger_predictions');
    t.double('latency_ms').notNullable();
    t.text('error_code');
    t.index(['deployment_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('prediction_logs');
  await knex.schema.dropTableIfExists('deployment_keys');
  await knex.schema.dropTableIfExists('deployment_history');
  await knex.schema.dropTableIfExists('deployments');
  await knex.schema.dropTableIfExists('runtimes');
}
