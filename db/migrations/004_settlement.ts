import type { Knex } from 'knex';

/** The yearly royalty settlement (M1–M6): the year's inputs and its statements. */
export async function up(knex: Knex): Promise<void> {
  // Providers are written to in Finnish as well.
  await knex.raw(
    `ALTER TABLE outbox DROP CONSTRAINT outbox_locale_check, ADD CONSTRAINT outbox_locale_check CHECK (locale IN ('sv', 'en', 'fi'))`,
  );
  await knex.schema.createTable('settlement_providers', (t) => {
    t.integer('year').notNullable();
    t.text('provider_id').notNullable();
    t.text('name').notNullable();
    t.text('business_id').notNullable();
    t.text('iban').notNullable();
    t.text('email').notNullable();
    t.enum('language', ['fi', 'sv', 'en']).notNullable();
    t.primary(['year', 'provider_id']);
  });
  await knex.schema.createTable('settlement_map_material', (t) => {
    t.integer('year').notNullable();
    t.integer('line').notNullable();
    t.text('provider_id').notNullable();
    t.text('dataset_id').notNullable();
    // Decimal text, so the calculation reads exactly what was imported.
    t.text('area_km2').notNullable();
    t.integer('scale_denominator').notNullable();
    t.date('in_service_from').notNullable();
    t.date('in_service_to');
    t.primary(['year', 'dataset_id']);
  });
  await knex.schema.createTable('settlement_address_material', (t) => {
    t.integer('year').notNullable();
    t.integer('line').notNullable();
    t.text('provider_id').notNullable();
    t.bigInteger('addresses').notNullable();
    t.primary(['year', 'provider_id']);
  });
  await knex.schema.createTable('settlement_revenue', (t) => {
    t.integer('year').notNullable();
    t.integer('line').notNullable();
    t.text('category').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.primary(['year', 'line']);
  });
  await knex.schema.createTable('settlement_imports', (t) => {
    t.integer('year').notNullable();
    t.text('type').notNullable();
    t.integer('rows').notNullable();
    t.text('imported_by').notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['year', 'type']);
  });
  await knex.schema.createTable('settlements', (t) => {
    t.integer('year').primary();
    t.enum('status', ['waiting_for_books', 'draft', 'approved']).notNullable();
    t.text('books_closed_by');
    t.timestamp('books_closed_at', { useTz: true });
    t.text('computed_by');
    t.timestamp('computed_at', { useTz: true });
    t.jsonb('inputs');
    t.jsonb('statement');
    t.text('inputs_sha256');
    t.text('statement_sha256');
    // Set while a draft corrects an approved version; becomes the new version's reason.
    t.text('correction_reason');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Approved statements are frozen: a new version is a new row, never an update.
  await knex.schema.createTable('settlement_versions', (t) => {
    t.integer('year').notNullable().references('settlements.year');
    t.integer('version').notNullable();
    t.jsonb('inputs').notNullable();
    t.jsonb('statement').notNullable();
    t.text('inputs_sha256').notNullable();
    t.text('statement_sha256').notNullable();
    t.text('computed_by').notNullable();
    t.text('approved_by').notNullable();
    t.timestamp('approved_at', { useTz: true }).notNullable();
    t.text('reason');
    t.primary(['year', 'version']);
  });
  // The payments of an approved version, with the provider's name and IBAN as they were then,
  // so the payout files of a version read the same for ever (frozen like the version).
  await knex.schema.createTable('settlement_payouts', (t) => {
    t.integer('year').notNullable();
    t.integer('version').notNullable();
    t.text('provider_id').notNullable();
    t.text('name').notNullable();
    t.text('iban').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.primary(['year', 'version', 'provider_id']);
    t.foreign(['year', 'version']).references(['year', 'version']).inTable('settlement_versions');
  });
  await knex.raw(`
    CREATE FUNCTION settlement_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'an approved settlement statement is frozen'; END $$;
    CREATE TRIGGER settlement_versions_no_change BEFORE UPDATE OR DELETE ON settlement_versions
      FOR EACH ROW EXECUTE FUNCTION settlement_versions_frozen();
    CREATE TRIGGER settlement_payouts_no_change BEFORE UPDATE OR DELETE ON settlement_payouts
      FOR EACH ROW EXECUTE FUNCTION settlement_versions_frozen();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('settlement_payouts');
  await knex.schema.dropTable('settlement_versions');
  await knex.raw('DROP FUNCTION settlement_versions_frozen()');
  for (const table of [
    'settlements',
    'settlement_imports',
    'settlement_revenue',
    'settlement_address_material',
    'settlement_map_material',
    'settlement_providers',
  ]) {
    await knex.schema.dropTable(table);
  }
  await knex.raw(
    `ALTER TABLE outbox DROP CONSTRAINT outbox_locale_check, ADD CONSTRAINT outbox_locale_check CHECK (locale IN ('sv', 'en'))`,
  );
}
