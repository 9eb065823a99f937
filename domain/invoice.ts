import { add, money, multiply, vatOn, VAT_PERCENT, type Currency, type Money } from './money';

/** T5, L6: every invoice is due 30 days after its date. */
export const PAYMENT_TERMS_DAYS = 30;

export interface InvoiceLineInput {
  description: string;
  quantity: number;
  unitPrice: Money;
  vatPercent?: number;
}

export interface PricedInvoiceLine {
  description: string;
  quantity: number;
  unitPrice: Money;
  net: Money;
  vatPercent: number;
  vat: Money;
  total: Money;
}

export interface PricedInvoice {
  currency: Currency;
  lines: PricedInvoiceLine[];
  net: Money;
  vat: Money;
  total: Money;
}

/** Prices each line and rounds its VAT half up to whole öre, per line (T2). */
export function priceInvoice(currency: Currency, lines: InvoiceLineInput[]): PricedInvoice {
  if (lines.length === 0) throw new RangeError('an invoice needs at least one line');
  const priced = lines.map((line) => {
    if (line.unitPrice.currency !== currency)
      throw new RangeError(`line "${line.description}" is in ${line.unitPrice.currency}, the invoice in ${currency}`);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1)
      throw new RangeError(`line "${line.description}": quantity must be a positive whole number`);
    const net = multiply(line.unitPrice, line.quantity);
    const vatPercent = line.vatPercent ?? VAT_PERCENT;
    const vat = vatOn(net, vatPercent);
    return {
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      net,
      vatPercent,
      vat,
      total: add(net, vat),
    };
  });
  const zero = money(0, currency);
  const net = priced.reduce((a, l) => add(a, l.net), zero);
  const vat = priced.reduce((a, l) => add(a, l.vat), zero);
  return { currency, lines: priced, net, vat, total: add(net, vat) };
}

/** Due date of an invoice dated `date` (YYYY-MM-DD), T5. */
export function dueDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + PAYMENT_TERMS_DAYS);
  return d.toISOString().slice(0, 10);
}

/** Invoice numbers read `2026-000042`: year and a gapless sequence within it. */
export function invoiceNumber(year: number, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}
