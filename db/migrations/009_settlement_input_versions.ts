import type { Knex } from 'knex';

/**
 * M6 at scale: the input rows of a year are kept per statement version instead of as one JSON
 * document, so a million map datasets are imported, summed and frozen inside PostgreSQL.
 * Version 0 holds the rows being imported and drafted; approving version n copies them as n.
 */
const KEYS: Record<string, string> = {
  settlement_providers: 'provider_id',
  settlement_map_material: 'dataset_id',
  settlement_address_material: 'provider_id',
  settlement_revenue: 'line',
};

export async function up(knex: Knex): Promise<void> {
  for (const [table, key] of Object.entries(KEYS)) {
    await knex.schema.alterTable(table, (t) => {
      t.integer('version').notNullable().defaultTo(0);
      t.dropPrimary();
    });
    await knex.schema.alterTable(table, (t) => t.primary(['year', 'version', key]));
  }
  // Providers keep their file line too, so a repeated provider id names both lines.
  await knex.schema.alterTable('settlement_providers', (t) => t.integer('line'));
  // M6: each import's rows are fingerprinted once, when they are stored.
  await knex.schema.alterTable('settlement_imports', (t) => t.text('rows_sha256'));
  // Frozen rows are never changed, like the version they belong to.
  await knex.raw(`
    CREATE FUNCTION settlement_input_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (TG_OP = 'DELETE' AND OLD.version <> 0) OR (TG_OP = 'UPDATE' AND (OLD.version <> 0 OR NEW.version <> 0)) THEN
        RAISE EXCEPTION 'the input rows of an approved settlement statement are frozen';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END $$;
  `);
  for (const table of Object.keys(KEYS)) {
    await knex.raw(
      `CREATE TRIGGER ${table}_frozen BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION settlement_input_frozen()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, key] of Object.entries(KEYS)) {
    await knex.raw(`DROP TRIGGER ${table}_frozen ON ${table}`);
    await knex(table).whereNot({ version: 0 }).delete();
    await knex.schema.alterTable(table, (t) => {
      t.dropPrimary();
      t.dropColumn('version');
    });
    await knex.schema.alterTable(table, (t) => t.primary(['year', key]));
  }
  await knex.raw('DROP FUNCTION settlement_input_frozen()');
  await knex.schema.alterTable('settlement_imports', (t) => t.dropColumn('rows_sha256'));
  await knex.schema.alterTable('settlement_providers', (t) => t.dropColumn('line'));
}
