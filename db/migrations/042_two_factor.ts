import type { Knex } from 'knex';

/**
 * A4: two-factor sign-in (TOTP, RFC 6238). The secret waits in `totp_pending_secret` until the
 * first code proves the authenticator app has it; `totp_last_step` keeps a code from being used
 * twice. Recovery codes are stored as hashes and used once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('totp_pending_secret');
    t.text('totp_secret');
    t.timestamp('totp_enabled_at', { useTz: true });
    t.bigInteger('totp_last_step');
  });
  await knex.schema.createTable('user_recovery_codes', (t) => {
    t.text('code_hash').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('used_at', { useTz: true });
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_recovery_codes');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('totp_last_step');
    t.dropColumn('totp_enabled_at');
    t.dropColumn('totp_secret');
    t.dropColumn('totp_pending_secret');
  });
}
