import PDFDocument from 'pdfkit';
import { formatMoney, money } from '../domain/money';
import type { Language } from '../domain/vocabulary';
import type { Db } from '../platform/db';
import type { Config } from '../platform/config';
import { getAccount } from '../identity/accounts.store';
import { getInvoice, type InvoiceLineRow, type InvoiceRow } from './invoices.store';

/** T6: the seller as Swedish VAT law asks an invoice to name it, and where to pay (SELLER_* settings). */
export interface Seller {
  name: string;
  /** Postal address lines. */
  address: string[];
  organisationNumber: string;
  vatNumber: string;
  bankgiro: string;
}

export interface Buyer {
  name: string;
  organisationNumber: string | null;
  email: string;
  language: Language;
}

export interface InvoiceDocumentInput {
  invoice: InvoiceRow & { lines: InvoiceLineRow[] };
  buyer: Buyer;
  seller: Seller;
  /** T8: the number of the invoice a credit note credits. */
  credits?: string | null;
}

const TEXTS = {
  sv: {
    invoice: 'Faktura',
    creditNote: 'Kreditfaktura',
    number: 'Fakturanummer',
    date: 'Fakturadatum',
    supplyDate: 'Leveransdatum',
    dueDate: 'Förfallodatum',
    reference: 'Avser',
    credits: 'Krediterar faktura',
    seller: 'Säljare',
    buyer: 'Köpare',
    orgNumber: 'Org.nr',
    vatNumber: 'Momsreg.nr',
    description: 'Beskrivning',
    quantity: 'Antal',
    unitPrice: 'À-pris',
    net: 'Netto',
    vatRate: 'Moms %',
    vat: 'Moms',
    perRate: 'Summa per momssats',
    rate: (p: number) => `Moms ${p} %`,
    totalNet: 'Summa netto',
    totalVat: 'Summa moms',
    total: 'Att betala',
    totalCredit: 'Att återfå',
    pay: 'Betala till bankgiro',
    ocr: 'OCR-nummer',
    payNote: 'Ange OCR-numret vid betalning. Vid sen betalning debiteras dröjsmålsränta enligt räntelagen.',
    creditNote2: 'Beloppet dras av från ert saldo hos oss.',
  },
  en: {
    invoice: 'Invoice',
    creditNote: 'Credit note',
    number: 'Invoice number',
    date: 'Invoice date',
    supplyDate: 'Date of supply',
    dueDate: 'Due date',
    reference: 'Concerns',
    credits: 'Credits invoice',
    seller: 'Seller',
    buyer: 'Buyer',
    orgNumber: 'Org. no.',
    vatNumber: 'VAT reg. no.',
    description: 'Description',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    net: 'Net',
    vatRate: 'VAT %',
    vat: 'VAT',
    perRate: 'Totals per VAT rate',
    rate: (p: number) => `VAT ${p} %`,
    totalNet: 'Total net',
    totalVat: 'Total VAT',
    total: 'Amount due',
    totalCredit: 'Amount credited',
    pay: 'Pay to bankgiro',
    ocr: 'OCR reference',
    payNote: 'Quote the OCR reference when paying. Late payment bears interest under the Swedish Interest Act.',
    creditNote2: 'The amount is deducted from your balance with us.',
  },
} satisfies Record<Language, unknown>;

/** T6: VAT totals per rate, in the order the rates first appear on the lines. */
export function totalsPerRate(lines: InvoiceLineRow[]): { vatPercent: number; netMinor: number; vatMinor: number }[] {
  const byRate = new Map<number, { vatPercent: number; netMinor: number; vatMinor: number }>();
  for (const l of lines) {
    const t = byRate.get(l.vat_percent) ?? { vatPercent: l.vat_percent, netMinor: 0, vatMinor: 0 };
    t.netMinor += l.net_minor;
    t.vatMinor += l.vat_minor;
    byRate.set(l.vat_percent, t);
  }
  return [...byRate.values()];
}

/** Column x positions and widths of the line table, on A4 with 50 pt margins. */
const COLUMNS = {
  description: { x: 50, width: 185, align: 'left' },
  quantity: { x: 235, width: 40, align: 'right' },
  unitPrice: { x: 275, width: 75, align: 'right' },
  net: { x: 350, width: 75, align: 'right' },
  vatRate: { x: 425, width: 45, align: 'right' },
  vat: { x: 470, width: 75, align: 'right' },
} as const;

/**
 * T6, T8: the invoice or credit note as a PDF in the buyer's language, with pdfkit's built-in
 * Helvetica (nothing fetched). The same bytes are served by the API and attached to the e-mail;
 * its dates come from the invoice, so rendering it twice gives the same document.
 */
export function invoicePdf(input: InvoiceDocumentInput): Promise<Buffer> {
  const { invoice, buyer, seller } = input;
  const t = TEXTS[buyer.language];
  const m = (minor: number) => formatMoney(money(minor, invoice.currency), buyer.language);
  const creditNote = invoice.kind === 'credit_note';
  const title = `${creditNote ? t.creditNote : t.invoice} ${invoice.number}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: title, Author: seller.name, CreationDate: new Date(`${invoice.invoice_date}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(title, 50, 50);
  doc.font('Helvetica').fontSize(10).moveDown(0.5);
  const facts: [string, string][] = [
    [t.number, invoice.number],
    [t.date, invoice.invoice_date],
    [t.supplyDate, invoice.supply_date],
  ];
  if (!creditNote) facts.push([t.dueDate, invoice.due_date]);
  if (input.credits) facts.push([t.credits, input.credits]);
  if (invoice.reference) facts.push([t.reference, invoice.reference]);
  for (const [label, value] of facts) doc.text(`${label}: ${value}`);

  const partiesY = doc.y + 15;
  doc.font('Helvetica-Bold').text(t.seller, 50, partiesY);
  doc.font('Helvetica').text(seller.name);
  for (const line of seller.address) doc.text(line);
  doc.text(`${t.orgNumber}: ${seller.organisationNumber}`);
  doc.text(`${t.vatNumber}: ${seller.vatNumber}`);
  const sellerEnd = doc.y;
  doc.font('Helvetica-Bold').text(t.buyer, 300, partiesY);
  doc.font('Helvetica').text(buyer.name, 300);
  if (buyer.organisationNumber) doc.text(`${t.orgNumber}: ${buyer.organisationNumber}`, 300);
  doc.text(buyer.email, 300);

  let y = Math.max(sellerEnd, doc.y) + 20;
  const row = (cells: Record<keyof typeof COLUMNS, string>, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    let height = 0;
    for (const [key, col] of Object.entries(COLUMNS) as [
      keyof typeof COLUMNS,
      (typeof COLUMNS)[keyof typeof COLUMNS],
    ][]) {
      const options = { width: col.width, align: col.align };
      doc.text(cells[key], col.x, y, options);
      height = Math.max(height, doc.heightOfString(cells[key], options));
    }
    y += height + 4;
    if (y > 740) {
      doc.addPage();
      y = 50;
    }
  };
  row(
    {
      description: t.description,
      quantity: t.quantity,
      unitPrice: t.unitPrice,
      net: t.net,
      vatRate: t.vatRate,
      vat: t.vat,
    },
    true,
  );
  for (const l of invoice.lines)
    row({
      description: l.description,
      quantity: String(l.quantity),
      unitPrice: m(l.unit_price_minor),
      net: m(l.net_minor),
      vatRate: String(l.vat_percent),
      vat: m(l.vat_minor),
    });

  y += 10;
  const sum = (label: string, value: string, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(label, 300, y, { width: 160 });
    doc.text(value, 460, y, { width: 85, align: 'right' });
    y += 16;
  };
  doc.font('Helvetica-Bold').text(t.perRate, 300, y);
  y += 16;
  for (const r of totalsPerRate(invoice.lines))
    sum(`${t.rate(r.vatPercent)} (${t.net} ${m(r.netMinor)})`, m(r.vatMinor));
  sum(t.totalNet, m(invoice.net_minor));
  sum(t.totalVat, m(invoice.vat_minor));
  sum(creditNote ? t.totalCredit : t.total, m(Math.abs(invoice.total_minor)), true);

  y += 20;
  doc.font('Helvetica');
  if (creditNote) doc.text(t.creditNote2, 50, y, { width: 495 });
  else {
    doc.font('Helvetica-Bold').text(`${t.pay}: ${seller.bankgiro}`, 50, y);
    doc.text(`${t.ocr}: ${invoice.ocr}`, 50);
    doc.font('Helvetica').text(t.payNote, 50, doc.y + 4, { width: 495 });
  }
  doc.end();
  return done;
}

/** T6: an invoice's document for its account (the buyer, in the account's language). */
export async function invoiceDocument(
  db: Db,
  seller: Seller,
  invoice: InvoiceRow & { lines: InvoiceLineRow[] },
): Promise<Buffer> {
  const account = await getAccount(db, invoice.account_id);
  if (!account) throw new Error(`invoice ${invoice.number}: account ${invoice.account_id} does not exist`);
  const credited = invoice.credits_invoice_id ? await getInvoice(db, invoice.credits_invoice_id) : undefined;
  return invoicePdf({
    invoice,
    seller,
    credits: credited?.number ?? null,
    buyer: {
      name: account.name,
      organisationNumber: account.organisation_number,
      email: account.email,
      language: account.language,
    },
  });
}

/** The seller as the SELLER_* settings name it; SELLER_ADDRESS's lines are separated by `|` or new lines. */
export const sellerOf = (config: Config): Seller => ({
  name: config.SELLER_NAME,
  address: config.SELLER_ADDRESS.split(/[|\n]/)
    .map((l) => l.trim())
    .filter(Boolean),
  organisationNumber: config.SELLER_ORG_NUMBER,
  vatNumber: config.SELLER_VAT_NUMBER,
  bankgiro: config.SELLER_BANKGIRO,
});
