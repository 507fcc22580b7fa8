import type { Knex } from 'knex';

/**
 * "Own + shared" (SPEC §9): contributors see what they own and what its owner
 * (or an administrator) shared. Models and datasets are private by default.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['models', 'datasets']) {
    await knex.schema.alterTable(table, (t) => {
      t.boolean('shared').notNullable().defaultTo(false);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['models', 'datasets']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumn('shared');
    });
  }
}
