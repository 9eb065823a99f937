import type { Knex } from 'knex';

/** Subscription terms (G8): the subscription workflow's state mirrored, its terms, its scheduled runs, data versions of deliveries. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    // G8: a fixed-interval subscription delivers by itself; null means on request only.
    t.enum('delivery_interval', ['monthly', 'quarterly', 'yearly']);
  });
  await knex.schema.alterTable('deliveries', (t) => {
    // The version of the data a delivery holds; FORANDRING holds the changes since `since_version`.
    t.bigInteger('data_version');
    t.bigInteger('since_version');
  });
  // The backstop of the workflow's validators: at most one delivery in progress per order.
  await knex.raw(`CREATE UNIQUE INDEX deliveries_one_in_progress ON deliveries (order_id) WHERE status = 'PÅGÅENDE'`);
  await knex.schema.createTable('subscriptions', (t) => {
    t.uuid('order_id').primary().references('orders.id');
    t.enum('status', ['active', 'cancelled', 'suspended', 'ended', 'terminated']).notNullable();
    t.integer('term').notNullable();
    t.timestamp('term_start', { useTz: true }).notNullable();
    t.timestamp('term_end', { useTz: true }).notNullable();
    t.text('cancelled_by');
    t.text('terminated_by');
    t.text('terminated_reason');
    t.uuid('last_delivery_id');
    t.bigInteger('last_data_version');
    t.jsonb('unpaid_invoices').notNullable().defaultTo('[]');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('subscription_terms', (t) => {
    t.uuid('order_id').notNullable().references('orders.id');
    t.integer('term').notNullable();
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.uuid('invoice_id').notNullable().unique().references('invoices.id');
    t.primary(['order_id', 'term']);
  });
  // G8: each scheduled run of a fixed-interval subscription, also the ones skipped.
  await knex.schema.createTable('subscription_runs', (t) => {
    t.uuid('order_id').notNullable().references('orders.id');
    t.integer('term').notNullable();
    t.integer('run').notNullable();
    t.timestamp('scheduled_at', { useTz: true }).notNullable();
    t.enum('outcome', ['started', 'skipped']).notNullable();
    t.uuid('delivery_id');
    t.text('reason');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['order_id', 'term', 'run']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('subscription_runs');
  await knex.schema.dropTable('subscription_terms');
  await knex.schema.dropTable('subscriptions');
  await knex.raw('DROP INDEX deliveries_one_in_progress');
  await knex.schema.alterTable('deliveries', (t) => {
    t.dropColumn('data_version');
    t.dropColumn('since_version');
  });
  await knex.schema.alterTable('orders', (t) => t.dropColumn('delivery_interval'));
}
