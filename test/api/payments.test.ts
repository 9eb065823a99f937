import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookInvoice, type InvoiceRow } from '../../invoicing/invoices.store';
import { createDirectory } from '../../identity/directory.service';
import { money } from '../../domain/money';
import { call, clientCredentialsToken, login, startBackOffice, type TestBackOffice } from '../support/env';
import { bgmaxFile, type TestPayment } from '../support/bgmax';

let office: TestBackOffice & { drop(): Promise<void> };
const tokens: Record<string, string> = {};
let systemToken: string;
let accountId: string;
const invoices: Record<'full' | 'partial' | 'over' | 'settled', InvoiceRow> = {} as never;
const password = 'correct-horse-battery';

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Betalaren AB', email: 'pay-org@example.se', organisationNumber: '556000-0033' },
    actor,
  );
  accountId = org.id;
  for (const role of ['handler', 'finance', 'admin'] as const)
    await directory.createUser({ email: `pay-${role}@test.se`, name: role, password, role }, actor);
  await directory.createUser(
    { email: 'pay-owner@test.se', name: 'Owner', password, role: 'customer', accountId: org.id, accountRole: 'admin' },
    actor,
  );
  for (const who of ['handler', 'finance', 'admin', 'owner'])
    tokens[who] = await login(office.baseUrl, `pay-${who}@test.se`, password);
  systemToken = await clientCredentialsToken(office.baseUrl, await directory.createSystemAccount(org.id, 'erp', actor));
  for (const key of ['full', 'partial', 'over', 'settled'] as const)
    invoices[key] = await bookInvoice(office.db, {
      idempotencyKey: `pay-${key}`,
      accountId: org.id,
      date: '2026-04-01',
      currency: 'SEK',
      lines: [{ description: `Karta ${key}`, quantity: 2, unitPrice: money(40_000, 'SEK') }],
    });
  // Paid by hand already: a BgMax payment of it is not taken as its payment.
  await call(office.baseUrl, 'POST', `/api/v1/invoices/${invoices.settled.id}/paid`, { token: tokens.finance });
});
afterAll(() => office.drop());

const TOTAL = 100_000; // 2 × 400 kr + 25 % VAT
const upload = (text: string, token = tokens.finance, type = 'text/plain') =>
  fetch(`${office.baseUrl}/api/v1/payments/bgmax`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: Buffer.from(text, 'latin1'),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Awaited<ReturnType<typeof call>>['body'] }));
const file = (payments: TestPayment[], bankgiro = office.config.SELLER_BANKGIRO, date = '2026-05-04') =>
  bgmaxFile([{ bankgiro, date, payments }]);
const invoice = (id: string) =>
  call(office.baseUrl, 'GET', `/api/v1/invoices/${id}`, { token: tokens.finance }).then((r) => r.body);

describe('T9: BgMax payments', () => {
  let unmatchedId: string;
  const first = () =>
    file([
      { reference: invoices.full.ocr, amountMinor: TOTAL, message: 'Tack för kartan' },
      { reference: invoices.partial.ocr, amountMinor: 30_000 },
      { reference: invoices.over.ocr, amountMinor: TOTAL + 5_000 },
      { reference: '99999999999999', amountMinor: 70_000 },
      { reference: invoices.settled.ocr, amountMinor: TOTAL },
    ]);

  it('refuses anyone but finance, a file that is not BgMax and another bankgiro, storing nothing', async () => {
    for (const who of ['handler', 'admin', 'owner']) expect((await upload(first(), tokens[who])).status).toBe(403);
    expect((await upload(first(), systemToken)).status).toBe(403);
    const garbage = await upload('this is not a BgMax file\n');
    expect(garbage.status).toBe(422);
    expect(garbage.body.error.code).toBe('bgmax_invalid');
    const other = await upload(file([{ reference: invoices.full.ocr, amountMinor: TOTAL }], '123-4567'));
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('wrong_bankgiro');
    expect((await upload(first(), tokens.finance, 'application/octet-stream')).status).toBe(415);
    expect(await office.db('payments').where({ source: 'bgmax' })).toHaveLength(0);
    expect(await office.db('bgmax_files')).toHaveLength(0);
  });

  it('matches by OCR reference: full, partial and over-payments recorded, the rest waits for finance; all audited', async () => {
    const res = await upload(first());
    expect(res.status).toBe(201);
    expect(res.body.rowErrors).toEqual([]);
    expect(res.body.payments.map((p: { outcome: string }) => p.outcome)).toEqual([
      'full',
      'partial',
      'over',
      'unmatched',
      'unmatched',
    ]);
    expect(res.body.payments[0]).toMatchObject({ invoiceNumber: invoices.full.number, amount: { minor: TOTAL } });
    unmatchedId = res.body.payments[3].paymentId;

    expect(await invoice(invoices.full.id)).toMatchObject({ status: 'paid', open: { minor: 0 } });
    expect(await invoice(invoices.partial.id)).toMatchObject({ status: 'unpaid', open: { minor: TOTAL - 30_000 } });
    expect(await invoice(invoices.over.id)).toMatchObject({ status: 'paid', open: { minor: -5_000 } });
    expect(await invoice(invoices.settled.id)).toMatchObject({ status: 'paid', open: { minor: 0 } });
    const [payment] = await office.db('payments').where({ invoice_id: invoices.full.id });
    expect(payment).toMatchObject({ paid_on: '2026-05-04', source: 'bgmax', matched_by: 'bgmax' });
    expect(payment.payer).toContain('Tack för kartan');

    const audit = await office.db('audit_log').where({ action: 'payment.received' });
    expect(audit).toHaveLength(5);
    expect(audit.map((a) => a.details.outcome).sort()).toEqual(['full', 'over', 'partial', 'unmatched', 'unmatched']);

    // The account's balance: 4 invoices, 4 × 1000 kr paid by hand or by Bankgirot, of which 50 kr too much.
    const balance = await call(office.baseUrl, 'GET', `/api/v1/balance?accountId=${accountId}`, {
      token: tokens.finance,
    });
    expect(balance.body.balances[0]).toMatchObject({
      invoiced: { minor: 4 * TOTAL },
      paid: { minor: TOTAL + 30_000 + TOTAL + 5_000 + TOTAL },
      balance: { minor: TOTAL - 30_000 - 5_000 },
    });
  });

  it('refuses the same file twice', async () => {
    const again = await upload(first());
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_imported');
    expect(await office.db('payments').where({ source: 'bgmax' })).toHaveLength(5);
  });

  it('lists the unmatched payments a page at a time, oldest first', async () => {
    await upload(file([{ reference: 'OKÄND', amountMinor: 12_300, referenceCode: '3' }], undefined, '2026-05-05'));
    const list = (query: string) =>
      call(office.baseUrl, 'GET', `/api/v1/payments/unmatched${query}`, { token: tokens.finance }).then((r) => r.body);
    const all = await list('');
    expect(
      all.items.map((p: { amount: { minor: number } }) => p.amount.minor).sort((a: number, b: number) => a - b),
    ).toEqual([12_300, 70_000, TOTAL]);
    const seen: string[] = [];
    let page = await list('?limit=2');
    seen.push(...page.items.map((p: { id: string }) => p.id));
    expect(page.next).toBeTruthy();
    page = await list(`?limit=2&cursor=${page.next}`);
    seen.push(...page.items.map((p: { id: string }) => p.id));
    expect(page.next).toBeNull();
    expect(seen.sort()).toEqual(all.items.map((p: { id: string }) => p.id).sort());
    expect(
      (await call(office.baseUrl, 'GET', '/api/v1/payments/unmatched?cursor=xyz', { token: tokens.finance })).status,
    ).toBe(400);
    expect((await call(office.baseUrl, 'GET', '/api/v1/payments/unmatched', { token: tokens.handler })).status).toBe(
      403,
    );
  });

  it('finance matches a waiting payment by hand, once, audited', async () => {
    const match = (paymentId: string, invoiceId: string, token = tokens.finance) =>
      call(office.baseUrl, 'POST', `/api/v1/payments/${paymentId}/match`, { token, body: { invoiceId } });
    expect((await match(unmatchedId, invoices.partial.id, tokens.handler)).status).toBe(403);
    expect((await match(unmatchedId, 'nope')).status).toBe(400);
    expect((await match(unmatchedId, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const res = await match(unmatchedId, invoices.partial.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'full', invoiceStatus: 'paid', invoiceId: invoices.partial.id });
    expect(await invoice(invoices.partial.id)).toMatchObject({ status: 'paid', open: { minor: 0 } });
    const again = await match(unmatchedId, invoices.partial.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_matched');
    const audit = await office.db('audit_log').where({ action: 'payment.matched', object_id: unmatchedId });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ invoiceId: invoices.partial.id, outcome: 'full' });
  });
});

describe('T7: the reference rates and late-payment interest', () => {
  const rates = (body: unknown, token = tokens.finance) =>
    call(office.baseUrl, 'POST', '/api/v1/reference-rates', { token, body });

  it('finance keeps the versioned reference rates; others may not, and a version is never changed', async () => {
    expect((await rates({ validFrom: '2026-01-01', ratePercent: '2.00' }, tokens.admin)).status).toBe(403);
    expect((await rates({ validFrom: '2026-01-01', ratePercent: '2.00' }, tokens.handler)).status).toBe(403);
    expect((await rates({ validFrom: '2026-03-01', ratePercent: '2.00' })).status).toBe(400);
    expect((await rates({ validFrom: '2026-01-01', ratePercent: '2,00' })).status).toBe(400);
    expect(await office.db('reference_rates')).toHaveLength(0);
    expect((await rates({ validFrom: '2026-01-01', ratePercent: '2' })).status).toBe(201);
    const july = await rates({ validFrom: '2026-07-01', ratePercent: '1.75' });
    expect(july.body).toEqual({ validFrom: '2026-07-01', ratePercent: '1.75', lateInterestPercent: '9.75' });
    const again = await rates({ validFrom: '2026-07-01', ratePercent: '1.50' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('rate_exists');
    const list = await call(office.baseUrl, 'GET', '/api/v1/reference-rates', { token: tokens.admin });
    expect(
      list.body.items.map((r: { validFrom: string; lateInterestPercent: string }) => [
        r.validFrom,
        r.lateInterestPercent,
      ]),
    ).toEqual([
      ['2026-07-01', '9.75'],
      ['2026-01-01', '10.00'],
    ]);
    expect(await office.db('audit_log').where({ action: 'reference_rate.added' })).toHaveLength(2);
  });

  it('a debt paid late across 1 July is charged its interest exactly, on an invoice of its own', async () => {
    // Paid late before any rate was entered: not charged, and the audit log says why.
    expect(
      await office.db('audit_log').where({ action: 'invoice.interest_not_invoiced', object_id: invoices.full.id }),
    ).toHaveLength(1);

    const late = await bookInvoice(office.db, {
      idempotencyKey: 'pay-late',
      accountId,
      date: '2026-05-21',
      currency: 'SEK',
      lines: [{ description: 'Stor karta', quantity: 1, unitPrice: money(8_000_000, 'SEK') }],
    });
    expect(late).toMatchObject({ due_date: '2026-06-20', total_minor: 10_000_000 });
    const res = await upload(file([{ reference: late.ocr, amountMinor: 10_000_000 }], undefined, '2026-07-10'));
    expect(res.body.payments[0].outcome).toBe('full');
    const [interest] = await office.db('invoices').where({ interest_for_invoice_id: late.id });
    // 21–30 June at 10.00 %, 1–10 July at 9.75 %: 10 000 000 × (10 × 1000 + 10 × 975) / 3 650 000 = 54 109.59 öre.
    expect(interest).toMatchObject({ total_minor: 54_110, vat_minor: 0, reference: late.number, status: 'unpaid' });
    const [line] = await office.db('invoice_lines').where({ invoice_id: interest.id });
    expect(line.description).toContain(`faktura ${late.number}, 20 dagar`);
    const [audit] = await office.db('audit_log').where({ action: 'invoice.interest_invoiced', object_id: late.id });
    expect(audit.details).toMatchObject({ interestMinor: 54_110, interestInvoiceId: interest.id });
    // The interest invoice is mailed as every invoice is (T6).
    expect(await office.db('invoice_mailings').where({ invoice_id: interest.id })).toHaveLength(1);
  });
});

describe('the ledger export (SIE 4)', () => {
  const sie = (query: string, token = tokens.finance) =>
    fetch(`${office.baseUrl}/api/v1/ledger/sie${query}`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses others than finance and admins, and a period that is not one', async () => {
    expect((await sie('?from=2026-01-01&to=2026-12-31', tokens.handler)).status).toBe(403);
    expect((await sie('?from=2026-01-01&to=2026-12-31', tokens.owner)).status).toBe(403);
    expect((await sie('?from=2026-12-31&to=2026-01-01')).status).toBe(400);
    expect((await sie('?from=2025-12-01&to=2026-01-31')).status).toBe(400);
  });

  it("holds the period's invoices, credit notes and matched payments, every voucher balanced, read back", async () => {
    const res = await sie('?from=2026-01-01&to=2026-12-31', tokens.admin);
    expect(res.status).toBe(200);
    const text = iconv.decode(Buffer.from(await res.arrayBuffer()), 'cp437');
    expect(text).toMatch(/^#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n/);
    expect(text).toContain('#KONTO 2611 "Utgående moms 25 %"');
    expect(text).toContain(`#ORGNR ${office.config.SELLER_ORG_NUMBER}`);
    // An independent reading: each #VER's block of #TRANS rows, summed in öre.
    const vouchers = [...text.matchAll(/#VER (\w) (\d+) (\d{8}) "([^"]*)"\r\n\{\r\n((?:\s+#TRANS .*\r\n)+)\}/g)].map(
      (m) => ({
        series: m[1],
        date: m[3],
        text: m[4]!,
        trans: [...m[5]!.matchAll(/#TRANS (\d{4}) \{\} (-?\d+)\.(\d{2})/g)].map((t) => ({
          account: t[1],
          minor: (t[2]!.startsWith('-') ? -1 : 1) * (Math.abs(Number(t[2])) * 100 + Number(t[3])),
        })),
      }),
    );
    expect(vouchers.length).toBe(text.match(/#VER /g)!.length);
    for (const v of vouchers) expect(v.trans.reduce((a, t) => a + t.minor, 0)).toBe(0);

    const invoicesInYear = await office.db('invoices').whereBetween('invoice_date', ['2026-01-01', '2026-12-31']);
    const matched = await office
      .db('payments')
      .whereNotNull('invoice_id')
      .whereBetween('paid_on', ['2026-01-01', '2026-12-31']);
    expect(vouchers.filter((v) => v.series === 'F')).toHaveLength(invoicesInYear.length);
    expect(vouchers.filter((v) => v.series === 'B')).toHaveLength(matched.length);
    expect(vouchers.find((v) => v.text === `Faktura ${invoices.full.number}`)!.trans).toEqual([
      { account: '1510', minor: TOTAL },
      { account: '3010', minor: -80_000 },
      { account: '2611', minor: -20_000 },
    ]);
    const interest = await office.db('invoices').whereNotNull('interest_for_invoice_id').first();
    if (interest.invoice_date.startsWith('2026'))
      expect(vouchers.find((v) => v.text === `Faktura ${interest.number}`)!.trans).toEqual([
        { account: '1510', minor: 54_110 },
        { account: '8313', minor: -54_110 },
      ]);
    expect(vouchers.filter((v) => v.text === `Betalning bankgiro faktura ${invoices.partial.number}`)).toHaveLength(2);
  });
});
