import iconv from 'iconv-lite';
import type { Db } from '../platform/db';

/**
 * The ledger export (issue 17): a period's invoices, credit notes and matched payments as a SIE 4
 * file (the Swedish import format of accounting systems), one voucher each, every voucher balanced.
 * SIE files are written in IBM PC 8-bit (code page 437), `#FORMAT PC8`, with amounts in kronor with
 * a decimal point; a positive amount is a debit, a negative one a credit.
 */

export interface LedgerAccounts {
  receivables: string;
  bank: string;
  outputVat25: string;
  revenueOrders: string;
  revenueCases: string;
  interest: string;
}

/** BAS accounts of the VAT rates other than 25 %, which SIE_ACCOUNT_OUTPUT_VAT sets. */
const OTHER_VAT_ACCOUNTS: Record<number, string> = { 12: '2621', 6: '2631' };

const ACCOUNT_NAMES: Record<keyof LedgerAccounts, string> = {
  receivables: 'Kundfordringar',
  bank: 'Bank',
  outputVat25: 'Utgående moms 25 %',
  revenueOrders: 'Försäljning geodata',
  revenueCases: 'Försäljning ledningsanvisning',
  interest: 'Ränteintäkter från kundfordringar',
};

export interface Voucher {
  series: 'F' | 'B';
  date: string;
  text: string;
  transactions: { account: string; amountMinor: number }[];
}

const kronor = (minor: number) =>
  `${minor < 0 ? '-' : ''}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;
const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
const compact = (date: string) => date.replaceAll('-', '');

/** The vouchers of the period [from, to] (dates inclusive), invoices first, then payments, by date. */
export async function ledgerVouchers(db: Db, accounts: LedgerAccounts, from: string, to: string): Promise<Voucher[]> {
  const invoices: {
    id: string;
    number: string;
    kind: string;
    invoice_date: string;
    total_minor: string;
    reference: string | null;
    interest_for_invoice_id: string | null;
  }[] = await db('invoices')
    .whereBetween('invoice_date', [from, to])
    .orderBy([{ column: 'invoice_date' }, { column: 'year' }, { column: 'sequence' }]);
  const lines: { invoice_id: string; net_minor: string; vat_minor: string; vat_percent: number }[] = invoices.length
    ? await db('invoice_lines').whereIn(
        'invoice_id',
        invoices.map((i) => i.id),
      )
    : [];
  const vouchers: Voucher[] = invoices.map((invoice) => {
    // The line of business: a case's invoices name its LK number; interest has its own account.
    const revenue = invoice.interest_for_invoice_id
      ? accounts.interest
      : invoice.reference?.startsWith('LK-')
        ? accounts.revenueCases
        : accounts.revenueOrders;
    const credits = new Map<string, number>();
    const add = (account: string, minor: number) => credits.set(account, (credits.get(account) ?? 0) + minor);
    for (const l of lines.filter((l) => l.invoice_id === invoice.id)) {
      add(revenue, Number(l.net_minor));
      if (Number(l.vat_minor) !== 0)
        add(
          l.vat_percent === 25 ? accounts.outputVat25 : (OTHER_VAT_ACCOUNTS[l.vat_percent] ?? accounts.outputVat25),
          Number(l.vat_minor),
        );
    }
    return {
      series: 'F',
      date: invoice.invoice_date,
      text: `${invoice.kind === 'credit_note' ? 'Kreditfaktura' : 'Faktura'} ${invoice.number}`,
      transactions: [
        { account: accounts.receivables, amountMinor: Number(invoice.total_minor) },
        ...[...credits].map(([account, minor]) => ({ account, amountMinor: -minor })),
      ],
    };
  });
  // Payments once matched to an invoice; one waiting for finance is booked when it is matched.
  const payments: { paid_on: string; amount_minor: string; number: string; source: string }[] = await db(
    'payments as p',
  )
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .whereBetween('p.paid_on', [from, to])
    .orderBy([{ column: 'p.paid_on' }, { column: 'p.created_at' }, { column: 'p.id' }])
    .select('p.paid_on', 'p.amount_minor', 'i.number', 'p.source');
  for (const p of payments)
    vouchers.push({
      series: 'B',
      date: p.paid_on,
      text: `Betalning ${p.source === 'bgmax' ? 'bankgiro' : 'manuell'} faktura ${p.number}`,
      transactions: [
        { account: accounts.bank, amountMinor: Number(p.amount_minor) },
        { account: accounts.receivables, amountMinor: -Number(p.amount_minor) },
      ],
    });
  return vouchers;
}

/** The SIE 4 file of the vouchers, encoded as SIE asks (code page 437). */
export function sieFile(input: {
  company: string;
  organisationNumber: string;
  accounts: LedgerAccounts;
  from: string;
  to: string;
  generated: string;
  vouchers: Voucher[];
}): Buffer {
  const { accounts } = input;
  const out = [
    '#FLAGGA 0',
    '#FORMAT PC8',
    '#SIETYP 4',
    '#PROGRAM "Kartkontor" 1',
    `#GEN ${compact(input.generated)}`,
    `#FNAMN ${quoted(input.company)}`,
    `#ORGNR ${input.organisationNumber}`,
    `#RAR 0 ${input.from.slice(0, 4)}0101 ${input.from.slice(0, 4)}1231`,
    `#PERIOD ${compact(input.from)} ${compact(input.to)}`,
    '#KPTYP BAS2014',
  ];
  const named = new Map<string, string>();
  for (const key of Object.keys(ACCOUNT_NAMES) as (keyof LedgerAccounts)[])
    if (!named.has(accounts[key])) named.set(accounts[key], ACCOUNT_NAMES[key]);
  named.set(OTHER_VAT_ACCOUNTS[12]!, named.get(OTHER_VAT_ACCOUNTS[12]!) ?? 'Utgående moms 12 %');
  named.set(OTHER_VAT_ACCOUNTS[6]!, named.get(OTHER_VAT_ACCOUNTS[6]!) ?? 'Utgående moms 6 %');
  for (const [account, name] of [...named].sort(([a], [b]) => a.localeCompare(b)))
    out.push(`#KONTO ${account} ${quoted(name)}`);
  const numbers = { F: 0, B: 0 };
  for (const v of input.vouchers) {
    numbers[v.series] += 1;
    out.push(`#VER ${v.series} ${numbers[v.series]} ${compact(v.date)} ${quoted(v.text)}`, '{');
    for (const t of v.transactions) out.push(`   #TRANS ${t.account} {} ${kronor(t.amountMinor)}`);
    out.push('}');
  }
  return iconv.encode(`${out.join('\r\n')}\r\n`, 'cp437');
}
