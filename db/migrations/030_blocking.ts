import type { Knex } from 'knex';

/**
 * A5, L9: staff block an account or a single user with a reason; `accounts.blocked_at` existed
 * since 001 without a reason. Every request reads these columns (identity/blocking.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('blocked_reason');
  });
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('blocked_at', { useTz: true });
    t.text('blocked_reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('blocked_reason');
    t.dropColumn('blocked_at');
  });
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('blocked_reason');
  });
}
