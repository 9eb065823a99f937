import type { Knex } from 'knex';

/** Locate and planning cases (L1–L18): network owners, cases with their LK series, answers per owner, complaints. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('network_owners', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('email').notNullable();
    // L14: some owners only supply maps ("dig according to map").
    t.enum('mode', ['locates', 'map_only']).notNullable();
    t.jsonb('coverage').notNullable();
  });
  await knex.schema.createTable('case_series', (t) => {
    t.integer('year').primary();
    t.integer('last_sequence').notNullable();
  });
  await knex.schema.createTable('cases', (t) => {
    t.text('lk').primary();
    // A split part (L13) has no number of its own in the series: it is `<parent lk>-<n>`.
    t.integer('year');
    t.integer('sequence');
    t.text('parent_lk').references('cases.lk').index();
    t.enum('kind', ['locate', 'planning', 'survey']).notNullable();
    t.uuid('account_id').notNullable().references('accounts.id').index();
    t.jsonb('work_area').notNullable();
    t.integer('area_m2').notNullable();
    t.timestamp('registered_at', { useTz: true }).notNullable();
    t.date('order_time').notNullable();
    t.date('handling_deadline').notNullable();
    t.date('dig_start').notNullable();
    t.date('desired_locate_date');
    t.date('locate_date');
    t.boolean('express').notNullable().defaultTo(false);
    // L14, L17: paid add-ons ordered on the case (map-only owners' locates, planning add-ons).
    t.jsonb('add_ons').notNullable().defaultTo('[]');
    t.text('status').notNullable();
    t.boolean('overdue').notNullable().defaultTo(false);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['year', 'sequence']);
    t.index(['status', 'handling_deadline']);
  });
  await knex.schema.createTable('case_owners', (t) => {
    t.text('lk').notNullable().references('cases.lk').onDelete('CASCADE');
    t.text('owner_id').notNullable().references('network_owners.id');
    // L11: no_infrastructure | dig_according_to_map | information | locate_needed
    t.text('answer');
    t.text('note');
    t.text('answered_by');
    t.timestamp('answered_at', { useTz: true });
    t.primary(['lk', 'owner_id']);
  });
  // L7: complaints are made in writing and recorded against the case, with the handler's response.
  await knex.schema.createTable('case_complaints', (t) => {
    t.uuid('id').primary();
    t.text('lk').notNullable().references('cases.lk').index();
    t.text('text').notNullable();
    t.text('filed_by').notNullable();
    t.timestamp('filed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('response');
    t.text('responded_by');
    t.timestamp('responded_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('case_complaints');
  await knex.schema.dropTable('case_owners');
  await knex.schema.dropTable('cases');
  await knex.schema.dropTable('case_series');
  await knex.schema.dropTable('network_owners');
}
