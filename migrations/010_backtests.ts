import type { Knex } from 'knex';

/**
 * The backtest history of deployments (SPEC §8, §11): one row per backtest of
 * a deployment's champion on a window of labeled data, with the standardized
 * test result and its threshold check. Rows outlive their deployment (no
 * foreign key): the history is evidence.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('backtests', (t) => {
    t.uuid('id').primary();
    t.uuid('deployment_id').notNullable();
    t.text('deployment_name').notNullable();
    t.uuid('model_id').notNullable();
    t.uuid('version_id').notNullable();
    t.integer('version_number').notNullable();
    t.uuid('dataset_id').notNullable();
    t.timestamp('window_from', { useTz: true });
    t.timestamp('window_to', { useTz: true });
    // ok: tested and within thresholds; breached: tested, some threshold breached; no_data: no labeled rows in the window.
    t.text('status').notNullable();
    t.integer('rows').notNullable().defaultTo(0);
    t.jsonb('result');
    t.jsonb('thresholds').notNullable().defaultTo('[]');
    t.jsonb('breaches').notNullable().defaultTo('[]');
    t.uuid('job_id');
    t.uuid('process_instance_id');
    // The service task's idempotency key: a re-run task finds its row instead of adding another.
    t.text('idempotency_key').unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['deployment_id', 'created_at']);
  });
  await knex.raw(`ALTER TABLE backtests ADD CONSTRAINT backtests_status_check CHECK (status IN ('ok', 'breached', 'no_data'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('backtests');
}
