import type { Knex } from 'knex';

/** L17 and surveys: the files a case was delivered with (name and size; the bytes are in the delivery store). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => t.jsonb('files').notNullable().defaultTo('[]'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => t.dropColumn('files'));
}
