import type { Knex } from 'knex';

/**
 * Change requests of deployments (SPEC §6, §8): replacing the model, changing
 * importance or deleting a deployment, held for approval when an approval
 * policy says so. Rows outlive their deployment (no foreign key): a request to
 * delete one stays as evidence.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('change_requests', (t) => {
    t.uuid('id').primary();
    t.uuid('deployment_id').notNullable();
    t.text('deployment_name').notNullable();
    t.text('type').notNullable();
    t.text('event_type').notNullable();
    t.text('importance').notNullable();
    // The requested change as sent (the PATCH body; {} for a deletion).
    t.jsonb('payload').notNullable().defaultTo('{}');
    // The touched fields as they were when requested, and as requested (null for a deletion).
    t.jsonb('before').notNullable();
    t.jsonb('after');
    t.text('status').notNullable().defaultTo('pending');
    t.text('apply_mode').notNullable().defaultTo('automatic');
    t.uuid('requested_by');
    // A user id, or `system` for a policy's automatic timeout decision.
    t.text('decided_by');
    t.text('decision_comment');
    t.uuid('applied_by');
    t.text('error');
    t.uuid('process_instance_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('applied_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['deployment_id', 'created_at']);
    t.index(['status']);
  });
  await knex.raw(`ALTER TABLE change_requests ADD CONSTRAINT change_requests_type_check CHECK (type IN ('replace-model', 'change-importance', 'delete'))`);
  await knex.raw(
    `ALTER TABLE change_requests ADD CONSTRAINT change_requests_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'applied', 'failed', 'cancelled'))`,
  );
  await knex.raw(`ALTER TABLE change_requests ADD CONSTRAINT change_requests_apply_mode_check CHECK (apply_mode IN ('automatic', 'manual'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('change_requests');
}
