import type { Knex } from 'knex';

/** The emergency fee of every existing price-list version (decision: the terms name none; twice express). */
const EMERGENCY_FEE_MINOR = 300_000;

/**
 * Issue 18: an emergency case (damage or urgent repair) is flagged, is due within hours (the
 * instant is kept beside the handling deadline's date) and has its own fee in the price list.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.boolean('emergency').notNullable().defaultTo(false);
    t.timestamp('handling_due_at', { useTz: true });
  });
  const versions: { valid_from: string }[] = await knex('case_price_list').distinct('valid_from');
  if (versions.length > 0)
    await knex('case_price_list').insert(
      versions.map((v) => ({ valid_from: v.valid_from, code: 'emergency', amount_minor: EMERGENCY_FEE_MINOR })),
    );
}

export async function down(knex: Knex): Promise<void> {
  await knex('case_price_list').where({ code: 'emergency' }).delete();
  await knex.schema.alterTable('cases', (t) => {
    t.dropColumn('handling_due_at');
    t.dropColumn('emergency');
  });
}
