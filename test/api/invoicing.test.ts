import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookInvoice, type InvoiceRow } from '../../invoicing/invoices.store';
import { createDirectory } from '../../identity/directory.service';
import { formatMoney, money } from '../../domain/money';
import { isValidOcr } from '../../domain/ocr';
import { call, clientCredentialsToken, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const tokens: Record<string, string> = {};
let systemToken: string;
let svInvoice: InvoiceRow;
let enInvoice: InvoiceRow;
const password = 'correct-horse-battery';

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Ledningsägaren AB', email: 'inv-org@example.se', organisationNumber: '556000-0017' },
    actor,
  );
  const person = await directory.createAccount(
    { kind: 'private', name: 'Pat Person', email: 'inv-pat@example.se', birthDate: '1970-01-01', language: 'en' },
    actor,
  );
  for (const role of ['handler', 'finance', 'admin'] as const)
    await directory.createUser({ email: `inv-${role}@test.se`, name: role, password, role }, actor);
  await directory.createUser(
    { email: 'inv-owner@test.se', name: 'Owner', password, role: 'customer', accountId: org.id, accountRole: 'admin' },
    actor,
  );
  await directory.createUser(
    {
      email: 'inv-orderer@test.se',
      name: 'Orderer',
      password,
      role: 'customer',
      accountId: org.id,
      accountRole: 'orderer',
    },
    actor,
  );
  await directory.createUser(
    { email: 'inv-pat-user@test.se', name: 'Pat', password, role: 'customer', accountId: person.id },
    actor,
  );
  for (const [key, email] of Object.entries({
    handler: 'inv-handler@test.se',
    finance: 'inv-finance@test.se',
    admin: 'inv-admin@test.se',
    owner: 'inv-owner@test.se',
    orderer: 'inv-orderer@test.se',
    pat: 'inv-pat-user@test.se',
  }))
    tokens[key] = await login(office.baseUrl, email, password);
  systemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(org.id, 'integration', actor),
  );
  svInvoice = await bookInvoice(office.db, {
    idempotencyKey: 'doc-sv',
    accountId: org.id,
    date: '2026-03-02',
    supplyDate: '2026-02-27',
    currency: 'SEK',
    reference: 'LK-2026-000123',
    lines: [
      { description: 'Ledningsanvisning', quantity: 2, unitPrice: money(123_450, 'SEK') },
      { description: 'Utsättning på plats', quantity: 3, unitPrice: money(1_001, 'SEK') },
      { description: 'Tryckt karta', quantity: 1, unitPrice: money(9_999, 'SEK'), vatPercent: 12 },
    ],
  });
  enInvoice = await bookInvoice(office.db, {
    idempotencyKey: 'doc-en',
    accountId: person.id,
    date: '2026-03-03',
    currency: 'SEK',
    reference: 'order-77',
    lines: [{ description: 'Property map', quantity: 1, unitPrice: money(50_000, 'SEK') }],
  });
});
afterAll(() => office.drop());

async function fetchDocument(id: string, token: string) {
  const res = await fetch(`${office.baseUrl}/api/v1/invoices/${id}/document`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The PDF's text as poppler reads it, spaces (no-break ones too) collapsed. */
export function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf })
    .toString('utf8')
    .replace(/[\s\u00a0]+/g, ' ');
}

const sek = (minor: number, lang: 'sv' | 'en') => formatMoney(money(minor, 'SEK'), lang).replace(/\u00a0/g, ' ');

describe('T6: the invoice document', () => {
  it("holds everything Swedish VAT law asks for, in the customer's language, with figures matching the lines", async () => {
    const doc = await fetchDocument(svInvoice.id, tokens.owner!);
    expect(doc.status).toBe(200);
    expect(doc.type).toBe('application/pdf');
    expect(doc.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(doc.bytes);
    const { config } = office;
    for (const expected of [
      `Faktura ${svInvoice.number}`,
      'Fakturadatum: 2026-03-02',
      'Leveransdatum: 2026-02-27',
      'Förfallodatum: 2026-04-01',
      'Avser: LK-2026-000123',
      config.SELLER_NAME,
      'Kartvägen 1',
      '802 64 Gävle',
      `Org.nr: ${config.SELLER_ORG_NUMBER}`,
      `Momsreg.nr: ${config.SELLER_VAT_NUMBER}`,
      'Ledningsägaren AB',
      'Org.nr: 556000-0017',
      `Betala till bankgiro: ${config.SELLER_BANKGIRO}`,
      `OCR-nummer: ${svInvoice.ocr}`,
    ])
      expect(text).toContain(expected);
    expect(isValidOcr(svInvoice.ocr)).toBe(true);
    // Each line: quantity, unit price, net, VAT rate and VAT (T2: VAT per line, half up).
    expect(text).toContain(`Ledningsanvisning 2 ${sek(123_450, 'sv')} ${sek(246_900, 'sv')} 25 ${sek(61_725, 'sv')}`);
    expect(text).toContain(`Utsättning på plats 3 ${sek(1_001, 'sv')} ${sek(3_003, 'sv')} 25 ${sek(751, 'sv')}`);
    expect(text).toContain(`Tryckt karta 1 ${sek(9_999, 'sv')} ${sek(9_999, 'sv')} 12 ${sek(1_200, 'sv')}`);
    // Totals per rate, then the invoice's totals.
    expect(text).toContain(`Moms 25 % (Netto ${sek(249_903, 'sv')}) ${sek(62_476, 'sv')}`);
    expect(text).toContain(`Moms 12 % (Netto ${sek(9_999, 'sv')}) ${sek(1_200, 'sv')}`);
    expect(svInvoice.net_minor).toBe(259_902);
    expect(svInvoice.vat_minor).toBe(63_676);
    expect(text).toContain(`Summa netto ${sek(259_902, 'sv')}`);
    expect(text).toContain(`Summa moms ${sek(63_676, 'sv')}`);
    expect(text).toContain(`Att betala ${sek(323_578, 'sv')}`);
  });

  it('speaks English to an English-speaking customer', async () => {
    const doc = await fetchDocument(enInvoice.id, tokens.pat!);
    expect(doc.status).toBe(200);
    const text = pdfText(doc.bytes);
    expect(text).toContain(`Invoice ${enInvoice.number}`);
    expect(text).toContain('Due date: 2026-04-02');
    expect(text).toContain('Date of supply: 2026-03-03');
    expect(text).toContain(`OCR reference: ${enInvoice.ocr}`);
    expect(text).toContain(`Amount due ${sek(62_500, 'en')}`);
    expect(text.match(/Org\. no\.:/g)).toHaveLength(1); // the seller's: a private buyer has none
  });

  it('is served to finance and admins too, and the same bytes each time', async () => {
    const a = await fetchDocument(svInvoice.id, tokens.finance!);
    const b = await fetchDocument(svInvoice.id, tokens.admin!);
    expect(a.status).toBe(200);
    expect(b.bytes.equals(a.bytes)).toBe(true);
  });

  it("refuses another account's invoice, a handler, an orderer and a system account", async () => {
    expect((await fetchDocument(enInvoice.id, tokens.owner!)).status).toBe(404);
    expect((await fetchDocument(svInvoice.id, tokens.handler!)).status).toBe(403);
    expect((await fetchDocument(svInvoice.id, tokens.orderer!)).status).toBe(403);
    expect((await fetchDocument(svInvoice.id, systemToken)).status).toBe(403);
    const anonymous = await call(office.baseUrl, 'GET', `/api/v1/invoices/${svInvoice.id}/document`);
    expect(anonymous.status).toBe(401);
    const bad = await call(office.baseUrl, 'GET', '/api/v1/invoices/not-a-uuid/document', { token: tokens.finance });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});

describe('T8: credit notes', () => {
  const credit = (id: string, body: unknown, token = tokens.finance, headers: Record<string, string> = {}) =>
    call(office.baseUrl, 'POST', `/api/v1/invoices/${id}/credit`, { token, body, headers });
  const creditNotes = async (id: string) => office.db('invoices').where({ credits_invoice_id: id });

  it('refuses anyone but finance, bad input and unknown lines, storing nothing', async () => {
    for (const who of ['handler', 'admin', 'owner'])
      expect((await credit(svInvoice.id, { reason: 'x' }, tokens[who])).status).toBe(403);
    expect((await credit(svInvoice.id, { reason: 'x' }, systemToken)).status).toBe(403);
    const noReason = await credit(svInvoice.id, { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('validation_failed');
    const unknown = await credit(svInvoice.id, { reason: 'fel rad', lines: [2, 9] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_line');
    expect((await credit('00000000-0000-4000-8000-000000000000', { reason: 'x' })).status).toBe(404);
    expect(await creditNotes(svInvoice.id)).toHaveLength(0);
  });

  it('credits by lines with its own number and document, audited; the open amount and balance follow', async () => {
    const res = await credit(svInvoice.id, { reason: 'Utsättningen gjordes inte', lines: [2] }, tokens.finance, {
      'Idempotency-Key': 'credit-line-2',
    });
    expect(res.status).toBe(201);
    const note = res.body;
    expect(note).toMatchObject({
      kind: 'credit_note',
      creditsInvoiceId: svInvoice.id,
      creditReason: 'Utsättningen gjordes inte',
      net: { minor: -3_003 },
      vat: { minor: -751 },
      total: { minor: -3_754 },
      lines: [{ position: 1, creditsPosition: 2, quantity: 3, unitPrice: { minor: -1_001 } }],
    });
    expect(note.number).toMatch(new RegExp(`^${svInvoice.year}-\\d{6}$`));
    expect(note.number > enInvoice.number).toBe(true);
    // The same Idempotency-Key answers the same credit note.
    const again = await credit(svInvoice.id, { reason: 'Utsättningen gjordes inte', lines: [2] }, tokens.finance, {
      'Idempotency-Key': 'credit-line-2',
    });
    expect(again.body.id).toBe(note.id);
    expect(await creditNotes(svInvoice.id)).toHaveLength(1);
    // A line is credited once.
    const twice = await credit(svInvoice.id, { reason: 'igen', lines: [2] });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_credited');
    // A credit note is not credited.
    expect((await credit(note.id, { reason: 'x' })).body.error.code).toBe('not_an_invoice');

    const invoice = await call(office.baseUrl, 'GET', `/api/v1/invoices/${svInvoice.id}`, { token: tokens.owner });
    expect(invoice.body).toMatchObject({ status: 'unpaid', open: { minor: 323_578 - 3_754 } });
    const audit = await office.db('audit_log').where({ action: 'invoice.credited', object_id: svInvoice.id });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ creditNoteId: note.id, reason: 'Utsättningen gjordes inte' });

    const doc = pdfText((await fetchDocument(note.id, tokens.owner!)).bytes);
    expect(doc).toContain(`Kreditfaktura ${note.number}`);
    expect(doc).toContain(`Krediterar faktura: ${svInvoice.number}`);
    expect(doc).toContain(`Utsättning på plats 3 ${sek(-1_001, 'sv')} ${sek(-3_003, 'sv')} 25 ${sek(-751, 'sv')}`);
    expect(doc).toContain(`Att återfå ${sek(3_754, 'sv')}`);
    expect(doc).not.toContain('OCR');
  });

  it('credits the rest wholly: the invoice is credited and nothing is left to credit', async () => {
    const res = await credit(svInvoice.id, { reason: 'Avbeställt' });
    expect(res.status).toBe(201);
    expect(res.body.lines.map((l: { creditsPosition: number }) => l.creditsPosition)).toEqual([1, 3]);
    expect(res.body.total.minor).toBe(-(323_578 - 3_754));
    const invoice = await call(office.baseUrl, 'GET', `/api/v1/invoices/${svInvoice.id}`, { token: tokens.finance });
    expect(invoice.body).toMatchObject({ status: 'credited', open: { minor: 0 } });
    const rest = await credit(svInvoice.id, { reason: 'igen' });
    expect(rest.status).toBe(409);
    expect(rest.body.error.code).toBe('already_credited');
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/invoices/${svInvoice.id}/paid`, { token: tokens.finance })).status,
    ).toBe(409);
  });

  it("the balance route: a customer sees its own account's, finance names the account", async () => {
    const own = await call(office.baseUrl, 'GET', '/api/v1/balance', { token: tokens.owner });
    expect(own.status).toBe(200);
    expect(own.body.balances).toEqual([
      {
        invoiced: { minor: 323_578, currency: 'SEK' },
        credited: { minor: -323_578, currency: 'SEK' },
        paid: { minor: 0, currency: 'SEK' },
        balance: { minor: 0, currency: 'SEK' },
      },
    ]);
    const pat = await call(office.baseUrl, 'GET', `/api/v1/balance?accountId=${enInvoice.account_id}`, {
      token: tokens.finance,
    });
    expect(pat.body.balances[0].balance).toEqual({ minor: 62_500, currency: 'SEK' });
    expect((await call(office.baseUrl, 'GET', '/api/v1/balance', { token: tokens.finance })).status).toBe(422);
    const foreign = `/api/v1/balance?accountId=${enInvoice.account_id}`;
    expect((await call(office.baseUrl, 'GET', foreign, { token: tokens.owner })).status).toBe(404);
    expect((await call(office.baseUrl, 'GET', foreign, { token: tokens.handler })).status).toBe(403);
    expect((await call(office.baseUrl, 'GET', foreign, { token: tokens.orderer })).status).toBe(403);
  });
});
