import type { Knex } from 'knex';

/** G10: the customer's own marking of an order (`ordermarkning`), shown back by the delivery API. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.text('ordermarkning');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('ordermarkning');
  });
}
