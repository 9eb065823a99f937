import type { Knex } from 'knex';

/**
 * T7: the reference rate (Riksbanken's, for 1 January and 1 July) as a versioned table finance
 * keeps, in basis points; an invoice's late-payment interest invoice names the invoice it charges for.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reference_rates', (t) => {
    t.date('valid_from').primary();
    t.integer('basis_points').notNullable();
    t.text('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE reference_rates ADD CONSTRAINT reference_rates_half_year
       CHECK (to_char(valid_from, 'MM-DD') IN ('01-01', '07-01') AND basis_points BETWEEN -2000 AND 5000)`,
  );
  await knex.schema.alterTable('invoices', (t) => {
    t.uuid('interest_for_invoice_id').references('invoices.id').unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.dropColumn('interest_for_invoice_id');
  });
  await knex.schema.dropTable('reference_rates');
}
