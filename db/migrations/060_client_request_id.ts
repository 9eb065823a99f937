import type { Knex } from 'knex';

/** Issue 15: the server makes every request id; the id a client sent is kept beside it, never used as it. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.text('client_request_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropColumn('client_request_id');
  });
}
