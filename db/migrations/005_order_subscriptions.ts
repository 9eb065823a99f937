import type { Knex } from 'knex';

/** Subscriptions (G8) and the expiring links of delivery e-mails (G7), on top of 002_orders. */
export async function up(knex: Knex): Promise<void> {
  // G8, T3: the annual subscription fee is versioned with the other prices; a version
  // without one means the product cannot be subscribed to while that version applies.
  await knex.schema.alterTable('price_list', (t) => {
    t.bigInteger('annual_fee_minor');
  });
  await knex.schema.alterTable('orders', (t) => {
    t.boolean('subscription').notNullable().defaultTo(false);
  });
  // G7: one link per delivery; the token is the capability, like the e-mail that carries it.
  await knex.schema.createTable('delivery_links', (t) => {
    t.text('token').primary();
    t.uuid('delivery_id').notNullable().unique().references('deliveries.id');
    t.uuid('order_id').notNullable().references('orders.id');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // The demo catalogue's fee-based products can be subscribed to.
  await knex('price_list')
    .where({ product_id: 'fastighetskartan-vektor', valid_from: '2026-01-01' })
    .update({ annual_fee_minor: 1_200_000 });
  await knex('price_list')
    .where({ product_id: 'byggnader', valid_from: '2026-01-01' })
    .update({ annual_fee_minor: 400_000 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('delivery_links');
  await knex.schema.alterTable('orders', (t) => t.dropColumn('subscription'));
  await knex.schema.alterTable('price_list', (t) => t.dropColumn('annual_fee_minor'));
}
