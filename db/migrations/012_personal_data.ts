import type { Knex } from 'knex';

/**
 * L8: a person may restrict the processing of their data (kept, not used for new business) and
 * have it erased: the account is then anonymised, so its identity columns may be empty.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('restricted_at', { useTz: true });
    t.text('restriction_reason');
    t.timestamp('erased_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE accounts DROP CONSTRAINT accounts_kind_identity, ADD CONSTRAINT accounts_kind_identity CHECK (
    erased_at IS NOT NULL OR (kind = 'private' AND birth_date IS NOT NULL) OR (kind = 'organisation' AND organisation_number IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE accounts DROP CONSTRAINT accounts_kind_identity, ADD CONSTRAINT accounts_kind_identity CHECK (
    (kind = 'private' AND birth_date IS NOT NULL) OR (kind = 'organisation' AND organisation_number IS NOT NULL)) NOT VALID`);
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('erased_at');
    t.dropColumn('restriction_reason');
    t.dropColumn('restricted_at');
  });
}
