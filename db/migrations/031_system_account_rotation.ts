import type { Knex } from 'knex';

/**
 * A1: an account admin rotates a system account's secret; the previous one stays valid until a
 * time the admin chose (at most 24 hours), so the integration can switch without downtime.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('system_accounts', (t) => {
    t.text('previous_secret_hash');
    t.timestamp('previous_secret_expires_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('system_accounts', (t) => {
    t.dropColumn('previous_secret_expires_at');
    t.dropColumn('previous_secret_hash');
  });
}
