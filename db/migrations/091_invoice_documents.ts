import type { Knex } from 'knex';

/**
 * T6: an invoice's date of supply (its date unless the booking names another); T8: a credit note
 * is an invoice row of kind credit_note, numbered in the same series, that names the invoice it
 * credits and finance's reason; T6: every booked invoice waits in invoice_mailings until it has been
 * put in the outbox with its PDF, which outbox_attachments holds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.enum('kind', ['invoice', 'credit_note']).notNullable().defaultTo('invoice');
    t.date('supply_date');
    t.uuid('credits_invoice_id').references('invoices.id').index();
    t.text('credit_reason');
  });
  await knex('invoices').update({ supply_date: knex.ref('invoice_date') });
  await knex.raw('ALTER TABLE invoices ALTER COLUMN supply_date SET NOT NULL');
  await knex.raw(
    `ALTER TABLE invoices ADD CONSTRAINT invoices_credit_note CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL))`,
  );
  await knex.schema.createTable('invoice_mailings', (t) => {
    t.uuid('invoice_id').primary().references('invoices.id');
    t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('mailed_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
  });
  await knex.raw('CREATE INDEX invoice_mailings_waiting ON invoice_mailings (queued_at) WHERE mailed_at IS NULL');
  await knex.schema.createTable('outbox_attachments', (t) => {
    t.uuid('outbox_id').notNullable().references('outbox.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('filename').notNullable();
    t.text('content_type').notNullable();
    t.binary('content').notNullable();
    t.primary(['outbox_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox_attachments');
  await knex.schema.dropTable('invoice_mailings');
  await knex.schema.alterTable('invoices', (t) => {
    t.dropChecks(['invoices_credit_note']);
    t.dropColumn('credit_reason');
    t.dropColumn('credits_invoice_id');
    t.dropColumn('supply_date');
    t.dropColumn('kind');
  });
}
