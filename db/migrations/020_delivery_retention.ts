import type { Knex } from 'knex';

/** G10: a delivery's files are kept `lagringstid` days, then removed; the delivery records when. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => {
    t.timestamp('files_removed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => {
    t.dropColumn('files_removed_at');
  });
}
