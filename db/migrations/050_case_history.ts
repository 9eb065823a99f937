import type { Knex } from 'knex';

/**
 * Issue 18: a case's history (every step, who and when), owners that primarily supply maps
 * (003 §3.1, L14) and complaints a handler records from an e-mail (L7, §2.4).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_events', (t) => {
    t.bigIncrements('id').primary();
    t.text('lk').notNullable().references('cases.lk').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable();
    // A user's id, or `system` for the case workflow's own steps (deadlines, reminders).
    t.text('actor').notNullable();
    t.text('actor_role');
    t.jsonb('data').notNullable().defaultTo('{}');
    // One event per step: a retried activity records nothing twice.
    t.text('idempotency_key').unique();
    t.index(['lk', 'id']);
  });
  await knex.raw(`ALTER TABLE network_owners DROP CONSTRAINT network_owners_mode_check,
    ADD CONSTRAINT network_owners_mode_check CHECK (mode IN ('locates', 'maps_primarily', 'map_only'))`);
  await knex.schema.alterTable('case_complaints', (t) => {
    // `portal` (filed by the questioner) or `email` (received in writing and recorded by a handler).
    t.text('channel').notNullable().defaultTo('portal');
    t.timestamp('received_at', { useTz: true });
    t.text('attachment_name');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case_complaints', (t) => {
    t.dropColumn('attachment_name');
    t.dropColumn('received_at');
    t.dropColumn('channel');
  });
  await knex.raw(`ALTER TABLE network_owners DROP CONSTRAINT network_owners_mode_check,
    ADD CONSTRAINT network_owners_mode_check CHECK (mode IN ('locates', 'map_only')) NOT VALID`);
  await knex.schema.dropTable('case_events');
}
