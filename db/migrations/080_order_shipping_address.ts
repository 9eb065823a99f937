import type { Knex } from 'knex';

/** G7: an order delivered on a hard drive keeps the address it is shipped to; a download has none. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.jsonb('shipping_address');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('shipping_address');
  });
}
