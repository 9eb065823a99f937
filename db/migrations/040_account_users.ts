import type { Knex } from 'knex';

/**
 * A3: a customer user's role inside the account; the users there before (each the first and only
 * user of an account) become its admins. A2, A3, A4: an e-mail address is confirmed, and the
 * single-use links that confirm it, accept an invitation or reset a password are kept as hashes.
 * A3: a case records the user who registered it, as an order does, so its mail goes to them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('account_role');
    // Users created by staff are confirmed by that; a sign-up or an invitation sets it to null.
    t.timestamp('email_confirmed_at', { useTz: true }).defaultTo(knex.fn.now());
  });
  await knex('users').where({ role: 'customer' }).update({ account_role: 'admin' });
  await knex('users').update({ email_confirmed_at: knex.ref('created_at') });
  await knex.raw(`ALTER TABLE users
    ADD CONSTRAINT users_account_role CHECK (account_role IN ('admin', 'orderer', 'viewer', 'invoices')),
    ADD CONSTRAINT users_customer_has_account_role CHECK ((role = 'customer') = (account_role IS NOT NULL))`);
  await knex.schema.createTable('user_links', (t) => {
    t.text('token_hash').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.enum('purpose', ['confirm_email', 'invitation', 'password_reset']).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'purpose']);
  });
  await knex.schema.alterTable('cases', (t) => {
    t.uuid('user_id').references('users.id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => t.dropColumn('user_id'));
  await knex.schema.dropTable('user_links');
  await knex.raw(
    'ALTER TABLE users DROP CONSTRAINT users_customer_has_account_role, DROP CONSTRAINT users_account_role',
  );
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('email_confirmed_at');
    t.dropColumn('account_role');
  });
}
