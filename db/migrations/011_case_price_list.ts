import type { Knex } from 'knex';

/**
 * T3 for cases: the case fees (L12, L14–L17) in a versioned price list, and on each case the
 * version valid at its order time, kept for good. The demo values are the first version.
 */
const FIRST_VERSION = {
  express: 150_000,
  change: 50_000,
  cancellation: 75_000,
  mapOnlyOwnerLocate: 120_000,
  planningFasterDelivery: 100_000,
  planningVectorFormat: 80_000,
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_price_list', (t) => {
    t.date('valid_from').notNullable();
    t.text('code').notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.primary(['valid_from', 'code']);
    t.check('amount_minor >= 0', [], 'case_price_list_amount');
  });
  await knex('case_price_list').insert(
    Object.entries(FIRST_VERSION).map(([code, amount_minor]) => ({ valid_from: '2020-01-01', code, amount_minor })),
  );
  await knex.schema.alterTable('cases', (t) => t.jsonb('fees'));
  const amounts = Object.fromEntries(
    Object.entries(FIRST_VERSION).map(([code, minor]) => [code, { minor, currency: 'SEK' }]),
  );
  await knex('cases').update({ fees: JSON.stringify({ version: '2020-01-01', amounts }) });
  await knex.raw('ALTER TABLE cases ALTER COLUMN fees SET NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => t.dropColumn('fees'));
  await knex.schema.dropTable('case_price_list');
}
