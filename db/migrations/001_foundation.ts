import type { Knex } from 'knex';

/** Accounts, users, credentials, invoicing, the e-mail outbox, the audit log and idempotency keys. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.enum('kind', ['private', 'organisation']).notNullable();
    t.text('name').notNullable();
    t.date('birth_date');
    t.text('organisation_number');
    t.text('email').notNullable();
    t.enum('language', ['sv', 'en']).notNullable().defaultTo('sv');
    t.timestamp('blocked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(
      `(kind = 'private' AND birth_date IS NOT NULL) OR (kind = 'organisation' AND organisation_number IS NOT NULL)`,
      [],
      'accounts_kind_identity',
    );
  });
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.uuid('account_id').references('accounts.id');
    t.text('email').notNullable().unique();
    t.text('name').notNullable();
    t.text('password_hash').notNullable();
    t.enum('role', ['customer', 'handler', 'finance', 'admin']).notNullable();
    t.enum('language', ['sv', 'en']).notNullable().defaultTo('sv');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`(role = 'customer') = (account_id IS NOT NULL)`, [], 'users_customer_has_account');
  });
  await knex.schema.createTable('system_accounts', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.uuid('account_id').notNullable().references('accounts.id');
    t.text('client_id').notNullable().unique();
    t.text('secret_hash').notNullable();
    t.text('description');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });
  await knex.schema.createTable('access_tokens', (t) => {
    t.text('token_hash').primary();
    t.uuid('user_id').references('users.id').onDelete('CASCADE');
    t.uuid('system_account_id').references('system_accounts.id').onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('(user_id IS NULL) <> (system_account_id IS NULL)', [], 'access_tokens_one_subject');
  });

  await knex.schema.createTable('invoice_series', (t) => {
    t.integer('year').primary();
    t.integer('last_sequence').notNullable();
  });
  await knex.schema.createTable('invoices', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.text('number').notNullable().unique();
    t.integer('year').notNullable();
    t.integer('sequence').notNullable();
    t.uuid('account_id').notNullable().references('accounts.id').index();
    t.date('invoice_date').notNullable();
    t.date('due_date').notNullable();
    t.enum('currency', ['SEK', 'EUR']).notNullable();
    t.bigInteger('net_minor').notNullable();
    t.bigInteger('vat_minor').notNullable();
    t.bigInteger('total_minor').notNullable();
    t.enum('status', ['unpaid', 'paid']).notNullable().defaultTo('unpaid');
    t.timestamp('paid_at', { useTz: true });
    t.text('reference');
    t.text('revenue_category');
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['year', 'sequence']);
  });
  await knex.schema.createTable('invoice_lines', (t) => {
    t.uuid('invoice_id').notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('description').notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_minor').notNullable();
    t.bigInteger('net_minor').notNullable();
    t.integer('vat_percent').notNullable();
    t.bigInteger('vat_minor').notNullable();
    t.bigInteger('total_minor').notNullable();
    t.primary(['invoice_id', 'position']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.text('idempotency_key').notNullable().unique();
    t.text('template').notNullable();
    t.enum('locale', ['sv', 'en']).notNullable();
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('html').notNullable();
    t.text('text').notNullable();
    t.enum('status', ['pending', 'sent', 'held', 'failed']).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.text('message_id').notNullable();
    t.uuid('account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.index(['status', 'created_at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.enum('actor_type', ['user', 'system_account', 'system']).notNullable();
    t.text('actor_id');
    t.text('action').notNullable();
    t.text('object_type').notNullable();
    t.text('object_id');
    t.text('request_id');
    t.jsonb('details');
    t.index(['object_type', 'object_id']);
  });
  // Append-only: the audit trail can be added to, never rewritten.
  await knex.raw(`
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  `);

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('scope').notNullable();
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['scope', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
  await knex.schema.dropTable('audit_log');
  await knex.raw('DROP FUNCTION audit_log_append_only()');
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('invoice_lines');
  await knex.schema.dropTable('invoices');
  await knex.schema.dropTable('invoice_series');
  await knex.schema.dropTable('access_tokens');
  await knex.schema.dropTable('system_accounts');
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('accounts');
}
