import type { Knex } from 'knex';

/**
 * Issue 20: every list pages by keyset. Each list, with each filter it offers, has an index in
 * the list's own order ending in a unique key, so a page reads its rows and no others.
 */
const INDEXES: [name: string, table: string, columns: string, where?: string][] = [
  // The handlers' case queue by deadline, by status and overdue, and a customer's own cases.
  ['cases_deadline_order', 'cases', 'handling_deadline, lk'],
  ['cases_status_deadline_order', 'cases', 'status, handling_deadline, lk'],
  ['cases_overdue_deadline_order', 'cases', 'handling_deadline, lk', 'overdue'],
  ['cases_account_deadline_order', 'cases', 'account_id, handling_deadline, lk'],
  // Orders oldest first: the queue awaiting approval, failed deliveries, a customer's own.
  ['orders_placed_order', 'orders', 'placed_at, id'],
  ['orders_status_placed_order', 'orders', 'status, placed_at, id'],
  ['orders_account_placed_order', 'orders', 'account_id, placed_at, id'],
  ['invoices_status_number_order', 'invoices', 'status, year, sequence'],
  ['invoices_account_number_order', 'invoices', 'account_id, year, sequence'],
  ['agreements_created_order', 'agreements', 'created_at, id'],
  ['agreements_account_created_order', 'agreements', 'account_id, created_at, id'],
  ['accounts_created_order', 'accounts', 'created_at, id'],
  ['audit_log_object_order', 'audit_log', 'object_type, object_id, id'],
  ['audit_log_object_type_order', 'audit_log', 'object_type, id'],
  ['outbox_created_order', 'outbox', 'created_at, id'],
  ['outbox_status_created_order', 'outbox', 'status, created_at, id'],
  ['outbox_to_created_order', 'outbox', 'to_address, created_at, id'],
  ['outbox_account_created_order', 'outbox', 'account_id, created_at, id'],
];
/** Indexes the ones above replace: the same leading columns without the unique key. */
const REPLACED: [table: string, columns: string[]][] = [
  ['cases', ['status', 'handling_deadline']],
  ['cases', ['account_id']],
  ['orders', ['status', 'placed_at']],
  ['orders', ['account_id']],
  ['invoices', ['account_id']],
  ['agreements', ['account_id']],
  ['audit_log', ['object_type', 'object_id']],
  ['outbox', ['status', 'created_at']],
];

export async function up(knex: Knex): Promise<void> {
  for (const [name, table, columns, where] of INDEXES)
    await knex.raw(`CREATE INDEX ${name} ON ${table} (${columns})${where ? ` WHERE ${where}` : ''}`);
  for (const [table, columns] of REPLACED) await knex.schema.alterTable(table, (t) => t.dropIndex(columns));
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, columns] of REPLACED) await knex.schema.alterTable(table, (t) => t.index(columns));
  for (const [name] of INDEXES) await knex.raw(`DROP INDEX ${name}`);
}
