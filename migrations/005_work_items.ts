import type { Knex } from 'knex';

/**
 * Work items (SPEC §6) on top of the engine's user tasks: decisions,
 * approvals, context, comments, approval policies and timeouts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_tasks', (t) => {
    t.text('kind').notNullable().defaultTo('approval');
    t.jsonb('context').notNullable().defaultTo('{}');
    t.text('submitted_by');
    t.integer('approvals_required').notNullable().defaultTo(1);
    t.jsonb('approvals').notNullable().defaultTo('[]');
    t.text('decision');
    t.text('comment');
    t.timestamp('claimed_at', { useTz: true });
    t.text('timeout_action');
    t.text('escalation_group');
    t.uuid('policy_id');
    t.uuid('incident_id');
    t.index(['due_date']);
  });
  // Work items for failures (incidents) have no BPMN execution behind them.
  await knex.raw('ALTER TABLE user_tasks ALTER COLUMN execution_id DROP NOT NULL');
  await knex.raw('CREATE INDEX user_tasks_candidate_groups ON user_tasks USING gin (candidate_groups)');

  await knex.schema.createTable('task_comments', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('task_id').notNullable().references('user_tasks.id').onDelete('CASCADE');
    t.uuid('user_id');
    t.text('user_name').notNullable();
    t.text('text').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['task_id']);
  });

  await knex.schema.createTable('approval_policies', (t) => {
    t.uuid('id').primary();
    t.text('event_type').notNullable();
    t.text('importance').notNullable();
    t.text('approver_group').notNullable();
    t.integer('approvals_required').notNullable().defaultTo(1);
    t.text('timeout');
    t.text('timeout_action');
    t.text('escalation_group');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['event_type', 'importance']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('approval_policies');
  await knex.schema.dropTableIfExists('task_comments');
  await knex.raw('DROP INDEX IF EXISTS user_tasks_candidate_groups');
  await knex('user_tasks').whereNull('execution_id').del();
  await knex.raw('ALTER TABLE user_tasks ALTER COLUMN execution_id SET NOT NULL');
  await knex.schema.alterTable('user_tasks', (t) => {
    t.dropIndex(['due_date']);
    for (const column of ['kind', 'context', 'submitted_by', 'approvals_required', 'approvals', 'decision', 'comment', 'claimed_at', 'timeout_action', 'escalation_group', 'policy_id', 'incident_id']) {
      t.dropColumn(column);
    }
  });
}
