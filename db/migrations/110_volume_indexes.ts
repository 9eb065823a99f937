import type { Knex } from 'knex';

/**
 * Issue 20: the handlers' search (issue 18) and the lists at a year's volume. Contains-search over
 * names and e-mail addresses reads trigram GIN indexes (pg_trgm, in PostgreSQL's contrib), a work
 * area's bounding box is one `box` under a GiST index so `&&` finds a point or an area by index,
 * and the search's order (newest first, references in byte order) has indexes of the same order.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw('CREATE INDEX accounts_name_trgm ON accounts USING gin (name gin_trgm_ops)');
  await knex.raw('CREATE INDEX accounts_email_trgm ON accounts USING gin (email gin_trgm_ops)');
  await knex.raw(
    `CREATE INDEX accounts_organisation_digits_trgm ON accounts
       USING gin ((regexp_replace(organisation_number, '\\D', '', 'g')) gin_trgm_ops)`,
  );
  await knex.raw('CREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops)');
  await knex.raw('CREATE INDEX users_account_id_index ON users (account_id)');

  // Replaces 051's order indexes: the search sorts references in byte order ("C").
  await knex.schema.alterTable('cases', (t) => t.dropIndex(['registered_at', 'lk']));
  await knex.schema.alterTable('orders', (t) => t.dropIndex(['placed_at', 'id']));
  await knex.raw('CREATE INDEX cases_search_order ON cases (registered_at, (lk COLLATE "C"))');
  await knex.raw('CREATE INDEX cases_lk_prefix ON cases ((lk COLLATE "C"))');
  await knex.raw('CREATE INDEX cases_account_search_order ON cases (account_id, registered_at, (lk COLLATE "C"))');
  await knex.raw('CREATE INDEX cases_status_search_order ON cases (status, registered_at, (lk COLLATE "C"))');
  await knex.schema.alterTable('cases', (t) => t.dropIndex(['min_e', 'max_e']));
  await knex.raw(
    'CREATE INDEX cases_work_area_box ON cases USING gist (box(point(min_e, min_n), point(max_e, max_n)))',
  );
  await knex.raw('CREATE INDEX case_owners_owner_id_index ON case_owners (owner_id, lk)');

  await knex.raw('CREATE INDEX orders_search_order ON orders (placed_at, ((id::text) COLLATE "C"))');
  await knex.raw('CREATE INDEX orders_id_prefix ON orders (((id::text) COLLATE "C"))');
  await knex.raw(
    'CREATE INDEX orders_account_search_order ON orders (account_id, placed_at, ((id::text) COLLATE "C"))',
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const index of [
    'orders_account_search_order',
    'orders_id_prefix',
    'orders_search_order',
    'case_owners_owner_id_index',
    'cases_work_area_box',
    'cases_status_search_order',
    'cases_account_search_order',
    'cases_lk_prefix',
    'cases_search_order',
    'users_account_id_index',
    'users_email_trgm',
    'accounts_organisation_digits_trgm',
    'accounts_email_trgm',
    'accounts_name_trgm',
  ])
    await knex.raw(`DROP INDEX ${index}`);
  await knex.schema.alterTable('cases', (t) => {
    t.index(['min_e', 'max_e']);
    t.index(['registered_at', 'lk']);
  });
  await knex.schema.alterTable('orders', (t) => t.index(['placed_at', 'id']));
}
