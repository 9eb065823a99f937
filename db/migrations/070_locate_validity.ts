import type { Knex } from 'knex';

/**
 * Issue 18: the day a locate's marks were made, from which their validity counts. Cases located
 * before keep their locate date as that day.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.date('located_on');
  });
  await knex('cases')
    .where({ status: 'located' })
    .update({ located_on: knex.ref('locate_date') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.dropColumn('located_on');
  });
}
