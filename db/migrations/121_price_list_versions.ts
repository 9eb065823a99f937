import type { Knex } from 'knex';

/**
 * Issue 21 (T3): staff add geodata price-list versions from a future date; a stored version never
 * changes, so the price list refuses updates and deletes as the audit log does (orders keep the
 * version they were quoted from, and it must stay what they were quoted).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE price_list ADD CONSTRAINT price_list_amounts
      CHECK (price_per_km2_minor >= 0 AND minimum_fee_minor >= 0 AND (annual_fee_minor IS NULL OR annual_fee_minor >= 0));
    CREATE FUNCTION price_list_unchanging() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'a stored price-list version never changes (T3)'; END $$;
    CREATE TRIGGER price_list_no_change BEFORE UPDATE OR DELETE ON price_list
      FOR EACH ROW EXECUTE FUNCTION price_list_unchanging();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER price_list_no_change ON price_list;
    DROP FUNCTION price_list_unchanging();
    ALTER TABLE price_list DROP CONSTRAINT price_list_amounts;
  `);
}
