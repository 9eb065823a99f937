import type { Knex } from 'knex';

/** Geodata orders (G1–G10): catalogue with versioned prices, orders, agreements, deliveries. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('products', (t) => {
    t.text('id').primary();
    t.text('name_sv').notNullable();
    t.text('name_en').notNullable();
    // G1: open data is free; fee-based products are priced by area (G2).
    t.boolean('open_data').notNullable();
    t.specificType('formats', 'text[]').notNullable();
  });
  // T3: prices live in versions with a valid-from date; an order locks the version it was quoted from.
  await knex.schema.createTable('price_list', (t) => {
    t.text('product_id').notNullable().references('products.id');
    t.date('valid_from').notNullable();
    t.bigInteger('price_per_km2_minor').notNullable();
    t.bigInteger('minimum_fee_minor').notNullable();
    t.primary(['product_id', 'valid_from']);
  });
  await knex.schema.createTable('framework_agreements', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.uuid('account_id').notNullable().references('accounts.id');
    t.enum('kind', ['reseller', 'geodata_cooperation', 'other']).notNullable();
    t.specificType('product_ids', 'text[]').notNullable();
    t.date('valid_from').notNullable();
    t.date('valid_to');
  });
  await knex.schema.createTable('orders', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id').index();
    t.uuid('user_id').references('users.id');
    t.text('product_id').notNullable().references('products.id');
    t.text('format').notNullable();
    t.enum('delivery_method', ['download', 'physical_media']).notNullable();
    t.jsonb('selection').notNullable();
    t.integer('area_m2').notNullable();
    t.date('price_list_version').notNullable();
    t.jsonb('fee').notNullable();
    t.uuid('framework_agreement_id').references('framework_agreements.id');
    t.text('permitted_use').notNullable();
    t.text('status').notNullable();
    t.text('status_reason');
    t.jsonb('shipment');
    t.timestamp('placed_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'placed_at']);
  });
  await knex.schema.createTable('order_events', (t) => {
    t.bigIncrements('id');
    t.uuid('order_id').notNullable().references('orders.id').index();
    t.text('status').notNullable();
    t.text('reason');
    t.text('by');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // G4: the end-use agreement a fee-based order's approval concludes.
  await knex.schema.createTable('agreements', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.uuid('order_id').notNullable().unique().references('orders.id');
    t.uuid('account_id').notNullable().references('accounts.id').index();
    t.text('product_id').notNullable().references('products.id');
    t.jsonb('selection').notNullable();
    t.integer('area_m2').notNullable();
    t.text('permitted_use').notNullable();
    t.text('terms_version').notNullable();
    t.date('valid_from').notNullable();
    t.date('valid_to');
    t.text('approved_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('deliveries', (t) => {
    t.uuid('id').primary();
    t.uuid('order_id').notNullable().references('orders.id').index();
    t.enum('typ', ['BAS', 'FORANDRING']).notNullable();
    t.enum('status', ['PÅGÅENDE', 'LYCKAD', 'MISSLYCKAD']).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.schema.createTable('delivery_files', (t) => {
    t.uuid('delivery_id').notNullable().references('deliveries.id');
    t.text('name').notNullable();
    t.text('type').notNullable();
    t.bigInteger('length').notNullable();
    t.text('storage_key').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['delivery_id', 'name']);
  });

  // The demo catalogue (G1): reference data, the same in every environment until an admin changes it.
  await knex('products').insert([
    {
      id: 'terrangkartan',
      name_sv: 'Terrängkartan',
      name_en: 'Topographic map',
      open_data: true,
      formats: ['GeoJSON', 'GeoPackage'],
    },
    {
      id: 'hojddata',
      name_sv: 'Höjddata, grid 50+',
      name_en: 'Elevation grid 50+',
      open_data: true,
      formats: ['GeoTIFF'],
    },
    {
      id: 'fastighetskartan-vektor',
      name_sv: 'Fastighetskartan vektor',
      name_en: 'Property map, vector',
      open_data: false,
      formats: ['GeoJSON', 'GeoPackage'],
    },
    { id: 'byggnader', name_sv: 'Byggnader', name_en: 'Buildings', open_data: false, formats: ['GeoJSON'] },
  ]);
  await knex('price_list').insert([
    { product_id: 'terrangkartan', valid_from: '2020-01-01', price_per_km2_minor: 0, minimum_fee_minor: 0 },
    { product_id: 'hojddata', valid_from: '2020-01-01', price_per_km2_minor: 0, minimum_fee_minor: 0 },
    {
      product_id: 'fastighetskartan-vektor',
      valid_from: '2026-01-01',
      price_per_km2_minor: 12_500,
      minimum_fee_minor: 50_000,
    },
    { product_id: 'byggnader', valid_from: '2026-01-01', price_per_km2_minor: 4_000, minimum_fee_minor: 25_000 },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'delivery_files',
    'deliveries',
    'agreements',
    'order_events',
    'orders',
    'framework_agreements',
    'price_list',
    'products',
  ]) {
    await knex.schema.dropTable(table);
  }
}
