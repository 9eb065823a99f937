import type { Knex } from 'knex';

/**
 * T8: a credit note's line names the line of the invoice it credits (each line credited once), and
 * a wholly credited invoice is `credited`. T9: incoming payments, matched to an invoice or waiting
 * for finance (invoice_id null), from a BgMax file (each file once, by its SHA-256) or by hand.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoice_lines', (t) => {
    t.integer('credits_position');
  });
  await knex.raw('ALTER TABLE invoices DROP CONSTRAINT invoices_status_check');
  await knex.raw(
    `ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('unpaid', 'paid', 'credited'))`,
  );
  await knex.schema.createTable('bgmax_files', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.text('sha256').notNullable().unique();
    t.text('bankgiro').notNullable();
    t.timestamp('written_at', { useTz: true });
    t.integer('payments').notNullable();
    t.jsonb('row_errors').notNullable().defaultTo('[]');
    t.text('uploaded_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('payments', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.enum('source', ['bgmax', 'manual']).notNullable();
    t.uuid('invoice_id').references('invoices.id').index();
    t.enum('currency', ['SEK', 'EUR']).notNullable();
    t.bigInteger('amount_minor').notNullable();
    /** The reference the payer gave (an OCR reference, or free text). */
    t.text('reference');
    t.text('payer');
    t.date('paid_on').notNullable();
    t.uuid('bgmax_file_id').references('bgmax_files.id');
    t.integer('file_row');
    t.timestamp('matched_at', { useTz: true });
    t.text('matched_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['bgmax_file_id', 'file_row']);
  });
  await knex.raw('ALTER TABLE payments ADD CONSTRAINT payments_positive CHECK (amount_minor > 0)');
  // Invoices marked paid by hand before payments were kept: paid in full, on the day they were marked.
  await knex.raw(
    `INSERT INTO payments (source, invoice_id, currency, amount_minor, paid_on, matched_at, reference)
     SELECT 'manual', id, currency, total_minor, (paid_at AT TIME ZONE 'Europe/Stockholm')::date, paid_at, ocr
       FROM invoices WHERE status = 'paid' AND total_minor > 0 AND paid_at IS NOT NULL`,
  );
  await knex.raw('CREATE INDEX payments_unmatched ON payments (created_at, id) WHERE invoice_id IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments');
  await knex.schema.dropTable('bgmax_files');
  await knex('invoices').where({ status: 'credited' }).update({ status: 'paid' });
  await knex.raw('ALTER TABLE invoices DROP CONSTRAINT invoices_status_check');
  await knex.raw(`ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('unpaid', 'paid'))`);
  await knex.schema.alterTable('invoice_lines', (t) => {
    t.dropColumn('credits_position');
  });
}
