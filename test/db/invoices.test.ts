import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../identity/accounts.store';
import { bookInvoice, getInvoice } from '../../invoicing/invoices.store';
import { money } from '../../domain/money';
import { createTestDatabase } from '../support/env';
import { invoiceOcr, isValidOcr } from '../../domain/ocr';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let accountId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  accountId = (
    await createAccount(database.db, {
      kind: 'organisation',
      name: 'Test AB',
      email: 't@example.se',
      language: 'sv',
      organisation_number: '556000-0001',
    })
  ).id;
});
afterAll(() => database.drop());

const line = (minor: number, quantity = 1) => ({
  description: 'Fastighetskarta',
  quantity,
  unitPrice: money(minor, 'SEK'),
});

describe('booking invoices', () => {
  it('T2: VAT is rounded half up per line and the totals add the rounded lines', async () => {
    const invoice = await bookInvoice(database.db, {
      idempotencyKey: 'vat-1',
      accountId,
      date: '2026-03-02',
      currency: 'SEK',
      lines: [line(2), line(6), line(10_000)],
    });
    const full = await getInvoice(database.db, invoice.id);
    // 2 öre × 25 % = 0.5 → 1; 6 öre × 25 % = 1.5 → 2; 100 kr → 25 kr
    expect(full!.lines.map((l) => l.vat_minor)).toEqual([1, 2, 2500]);
    expect(invoice.net_minor).toBe(10_008);
    expect(invoice.vat_minor).toBe(2503);
    expect(invoice.total_minor).toBe(12_511);
  });

  it('T6: each invoice stores the OCR reference of its number', async () => {
    const invoice = await bookInvoice(database.db, {
      idempotencyKey: 'ocr-1',
      accountId,
      date: '2026-03-02',
      currency: 'SEK',
      lines: [line(100)],
    });
    expect(invoice.ocr).toBe(invoiceOcr(invoice.year, invoice.sequence));
    expect(invoice.ocr.startsWith(invoice.number.replace('-', ''))).toBe(true);
    expect(isValidOcr(invoice.ocr)).toBe(true);
  });

  it('T5: is due 30 days after its date, across a month and a year end', async () => {
    const a = await bookInvoice(database.db, {
      idempotencyKey: 'due-1',
      accountId,
      date: '2026-01-31',
      currency: 'SEK',
      lines: [line(100)],
    });
    const b = await bookInvoice(database.db, {
      idempotencyKey: 'due-2',
      accountId,
      date: '2026-12-15',
      currency: 'SEK',
      lines: [line(100)],
    });
    expect(a.due_date).toBe('2026-03-02');
    expect(b.due_date).toBe('2027-01-14');
  });

  it('books once per idempotency key, also when retried concurrently', async () => {
    const input = {
      idempotencyKey: 'retried-1',
      accountId,
      date: '2025-05-05',
      currency: 'SEK' as const,
      lines: [line(5000)],
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => bookInvoice(database.db, input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await database.db('invoices').where({ idempotency_key: 'retried-1' })).toHaveLength(1);
    expect(await database.db('invoices').where({ year: 2025 })).toHaveLength(1);
  });

  it('numbers concurrent bookings from a gapless series per year', async () => {
    const bookings = Array.from({ length: 40 }, (_, i) =>
      bookInvoice(database.db, {
        idempotencyKey: `concurrent-${i}`,
        accountId,
        date: '2024-06-01',
        currency: 'SEK',
        lines: [line(100 + i)],
      }),
    );
    const invoices = await Promise.all(bookings);
    const sequences = invoices.map((i) => i.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(invoices.map((i) => i.number)).toContain('2024-000040');
  });

  it('returns the number of a failed booking to the series (no gap)', async () => {
    await bookInvoice(database.db, {
      idempotencyKey: 'gap-1',
      accountId,
      date: '2023-01-10',
      currency: 'SEK',
      lines: [line(100)],
    });
    await expect(
      bookInvoice(database.db, {
        idempotencyKey: 'gap-2',
        accountId: '00000000-0000-0000-0000-000000000000',
        date: '2023-01-10',
        currency: 'SEK',
        lines: [line(100)],
      }),
    ).rejects.toThrow();
    const next = await bookInvoice(database.db, {
      idempotencyKey: 'gap-3',
      accountId,
      date: '2023-01-11',
      currency: 'SEK',
      lines: [line(100)],
    });
    expect(next.number).toBe('2023-000002');
  });
});
