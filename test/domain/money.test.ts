import { describe, expect, it } from 'vitest';
import { dueDate, invoiceNumber, priceInvoice } from '../../domain/invoice';
import { displayPrice, formatMoney, money, mulDivHalfUp, vatOn } from '../../domain/money';

describe('money (T1, T2)', () => {
  it('T1: refuses fractional minor units', () => {
    expect(() => money(10.5, 'SEK')).toThrow(/whole number/);
  });

  it('T2: VAT 25 % rounds half up to whole öre', () => {
    expect(vatOn(money(1, 'SEK')).minor).toBe(0); // 0.25
    expect(vatOn(money(2, 'SEK')).minor).toBe(1); // 0.5 → 1
    expect(vatOn(money(3, 'SEK')).minor).toBe(1); // 0.75
    expect(vatOn(money(10, 'SEK')).minor).toBe(3); // 2.5 → 3
    expect(vatOn(money(123_457, 'SEK')).minor).toBe(30_864); // 30864.25
    expect(vatOn(money(-2, 'SEK')).minor).toBe(-1); // a credit line rounds away from zero too
  });

  it('T2: computes in bigint, exact for amounts beyond float precision', () => {
    expect(mulDivHalfUp(9_007_199_254_740_991, 1n, 1n)).toBe(9_007_199_254_740_991);
    expect(mulDivHalfUp(900_719_925_474_099, 25n, 100n)).toBe(225_179_981_368_525); // …524.75 → …525
  });

  it('T2, L5: a private person sees prices with VAT, an organisation without', () => {
    expect(displayPrice(money(10_000, 'SEK'), 'private')).toEqual({ amount: money(12_500, 'SEK'), includesVat: true });
    expect(displayPrice(money(10_000, 'SEK'), 'organisation')).toEqual({
      amount: money(10_000, 'SEK'),
      includesVat: false,
    });
  });

  it('refuses to add different currencies', () => {
    expect(() => priceInvoice('SEK', [{ description: 'x', quantity: 1, unitPrice: money(1, 'EUR') }])).toThrow(/EUR/);
  });

  it('formats for Swedish and English readers', () => {
    expect(formatMoney(money(123_456_78, 'SEK'), 'sv')).toBe('123\u00a0456,78 kr');
    expect(formatMoney(money(123_456_78, 'SEK'), 'en')).toBe('SEK 123,456.78');
    expect(formatMoney(money(-5, 'EUR'), 'en')).toBe('-EUR 0.05');
  });
});

describe('invoices (T2, T5)', () => {
  it('T2: rounds VAT per line, not on the total', () => {
    const invoice = priceInvoice('SEK', [
      { description: 'a', quantity: 1, unitPrice: money(2, 'SEK') },
      { description: 'b', quantity: 1, unitPrice: money(2, 'SEK') },
    ]);
    // per line: 0.5 → 1 each, so 2 öre; on the total it would have been 4 × 0.25 = 1 öre
    expect(invoice.vat.minor).toBe(2);
    expect(invoice.total.minor).toBe(6);
  });

  it('T2: multiplies the unit price by the quantity before VAT', () => {
    const invoice = priceInvoice('SEK', [{ description: 'km²', quantity: 3, unitPrice: money(3333, 'SEK') }]);
    expect(invoice.lines[0]!.net.minor).toBe(9999);
    expect(invoice.lines[0]!.vat.minor).toBe(2500); // 2499.75 → 2500
  });

  it('T5: due 30 days after the invoice date, also over February in a leap year', () => {
    expect(dueDate('2028-02-10')).toBe('2028-03-11');
    expect(dueDate('2027-02-10')).toBe('2027-03-12');
  });

  it('numbers read year and a zero-padded sequence', () => {
    expect(invoiceNumber(2026, 42)).toBe('2026-000042');
  });
});
