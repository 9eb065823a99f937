import type { Knex } from 'knex';

/**
 * T6: every invoice carries its OCR reference: the number's digits (year, six-digit sequence),
 * Bankgirot's length digit and a Luhn check digit. Kept here as the migration's own copy of the
 * rule (domain/ocr.ts), so this migration backfills the same references however the domain changes.
 */
function ocr(year: number, sequence: number): string {
  const base = `${year}${String(sequence).padStart(6, '0')}${(String(year).length + 6 + 2) % 10}`;
  let sum = 0;
  for (let i = base.length - 1, double = true; i >= 0; i -= 1, double = !double) {
    const d = Number(base[i]) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return `${base}${(10 - (sum % 10)) % 10}`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.text('ocr');
  });
  const rows: { id: string; year: number; sequence: number }[] = await knex('invoices').select(
    'id',
    'year',
    'sequence',
  );
  for (const row of rows)
    await knex('invoices')
      .where({ id: row.id })
      .update({ ocr: ocr(row.year, row.sequence) });
  await knex.raw('ALTER TABLE invoices ALTER COLUMN ocr SET NOT NULL');
  await knex.schema.alterTable('invoices', (t) => {
    t.unique(['ocr']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.dropColumn('ocr');
  });
}
