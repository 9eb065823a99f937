import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../identity/accounts.store';
import { bookInvoice } from '../../invoicing/invoices.store';
import { createDirectory } from '../../identity/directory.service';
import { ensureSettlementSchedule } from '../../settlement/schedule';
import { verifySettlement } from '../../settlement/verify';
import { YEARLY_SETTLEMENT_SCHEDULE_ID } from '../../settlement/settlement.messages';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const year = 2025;

const providersCsv = [
  'provider_id,name,business_id,iban,email,language',
  '"a,b",Espoon kaupunki,0112038-9,FI2112345600000785,kartat@espoo.test,fi',
  'hki,"Helsinki, kaupunkimittaus",0112038-9,FI2112345600000785,kartta@hki.test,sv',
  // Issue 15: an id and a name a spreadsheet would run as formulas, and an id holding a comma.
  '@mml,"=HYPERLINK(""http://evil.test"",""Maanmittauslaitos"")",0112038-9,FI2112345600000785,mml@mml.test,en',
].join('\n');
const mapCsv = [
  'provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to',
  'hki,hki-500,200,500,2010-01-01,',
  '"a,b",esp-1000,300,1000,2010-01-01,',
  '@mml,topo,20000,20000,2000-01-01,',
].join('\n');
const addressCsv = 'provider_id,addresses\nhki,3000\n"a,b",1000\n';
const revenueCsv =
  'category,amount\nusage_fee,5000.00\ncopy_permit,1200.00\npublication_permit,300.00\naddress_search,1000.00\naddress_register_cost,200.00\n';

const get = (path: string, who = 'fin1') =>
  fetch(`${office.baseUrl}/api/v1/settlements/${year}${path}`, { headers: { authorization: `Bearer ${token[who]}` } });
const minor = (amount: string) => Math.round(Number(amount) * 100);
type ErrorBody = { error: { code: string; message: string; details: unknown } };
const upload = (type: string, csv: string, who = 'fin1') =>
  fetch(`${office.baseUrl}/api/v1/settlements/${year}/imports/${type}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token[who]}`, 'content-type': 'text/csv' },
    body: csv,
  }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { error?: { code: string; details: { line: number }[] }; rows?: number },
  }));

beforeAll(async () => {
  office = await startBackOffice({ SETTLEMENT_PAYER_IBAN: 'FI2112345600000785' });
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  for (const who of ['fin1', 'fin2', 'admin']) {
    await directory.createUser(
      { email: `${who}@test.se`, name: who, password: 'finance-pass-1', role: who === 'admin' ? 'admin' : 'finance' },
      { actorType: 'system' },
    );
    token[who] = await login(office.baseUrl, `${who}@test.se`, 'finance-pass-1');
  }
});
afterAll(() => office.drop());

describe('imports', () => {
  it('M5: settlement work is for finance only', async () => {
    const admin = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/run`, { token: token.admin });
    expect(admin.status).toBe(403);
  });

  it('M2–M4 inputs: refuses a bad file with every bad row and its line number, storing nothing', async () => {
    const res = await upload(
      'map-material',
      `${mapCsv}\nhki,hki-500,1,500,2010-01-01,\nespoo,x,-1,1000,2010-01-01,\nespoo,y,1,abc,2025-02-30,`,
    );
    expect(res.status).toBe(422);
    expect(res.body.error!.code).toBe('invalid_rows');
    expect(res.body.error!.details.map((d) => d.line)).toEqual([5, 6, 7, 7]);
    expect(await office.db('settlement_map_material')).toHaveLength(0);
  });

  it('M2–M3 inputs: refuses material of a provider that is not among the year’s providers, naming the line', async () => {
    await upload('providers', providersCsv);
    const res = await upload('address-material', 'provider_id,addresses\nhki,1\nghost,2\n');
    expect(res.status).toBe(422);
    expect(res.body.error!.details).toEqual([
      { line: 3, column: 'provider_id', message: 'unknown provider ghost; import the providers first' },
    ]);
  });

  it('M2, M5 inputs: a large file is read in batches as it arrives; a dataset id repeated far apart is still found, with both lines', async () => {
    const rows = Array.from({ length: 25_000 }, (_, i) => `hki,big-${i},1.5,500,2010-01-01,`);
    rows[24_000] = 'hki,big-7,2,500,2010-01-01,';
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([`${mapCsv.split('\n')[0]}\n${rows.join('\n')}\n`], { type: 'text/csv' }), 'map.csv');
    const res = await fetch(`${office.baseUrl}/api/v1/settlements/${year}/imports/map-material`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.fin1}` },
      body: form,
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.details).toEqual([
      { line: 24_002, column: 'dataset_id', message: 'dataset big-7 already appears on line 9' },
    ]);
    expect(await office.db('settlement_map_material')).toHaveLength(0);
  });

  it('M2–M4 inputs: a repeat of a bad row’s id, and repeats after the first problem, are found too', async () => {
    const res = await upload(
      'address-material',
      'provider_id,addresses\nhki,-1\nespoo,1.5\nhki,5\nespoo,7\nmml,1\nmml,2\n',
    );
    expect(res.status).toBe(422);
    expect(
      (res.body.error!.details as { line: number; column: string; message: string }[]).map((d) => [
        d.line,
        d.column,
        d.message.split(';')[0],
      ]),
    ).toEqual([
      [2, 'addresses', '"-1" is not a whole number of addresses'],
      [3, 'addresses', '"1.5" is not a whole number of addresses'],
      [4, 'provider_id', 'provider hki already appears on line 2'],
      [5, 'provider_id', 'provider espoo already appears on line 3'],
      [7, 'provider_id', 'provider mml already appears on line 6'],
    ]);
  });

  it('refuses a file that is not UTF-8, another media type, and a form without the field "file"', async () => {
    const latin1 = await fetch(`${office.baseUrl}/api/v1/settlements/${year}/imports/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.fin1}`, 'content-type': 'text/csv' },
      body: Buffer.from(
        'provider_id,name,business_id,iban,email,language\nesp,Espoo \xc4,0112038-9,FI2112345600000785,a@b.fi,fi\n',
        'latin1',
      ),
    });
    expect(latin1.status).toBe(400);
    expect(((await latin1.json()) as ErrorBody).error.code).toBe('not_utf8');
    const json = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/imports/providers`, {
      token: token.fin1,
      body: { rows: [] },
    });
    expect(json.status).toBe(415);
    expect(json.body.error.message).toMatch(/Content-Type: text\/csv/);
    const form = new FormData();
    form.append('csv', 'provider_id,addresses\nhki,5\n');
    const noFile = await fetch(`${office.baseUrl}/api/v1/settlements/${year}/imports/address-material`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.fin1}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as ErrorBody).error.code).toBe('file_missing');
  });

  it('M2–M4 inputs: a new import of a type replaces the previous one, also when sent as the multipart field "file"', async () => {
    const form = new FormData();
    form.append('file', new Blob(['provider_id,addresses\nhki,5\n'], { type: 'text/csv' }), 'addresses.csv');
    const multipart = await fetch(`${office.baseUrl}/api/v1/settlements/${year}/imports/address-material`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.fin1}` },
      body: form,
    });
    expect(multipart.status).toBe(200);
    expect(await multipart.json()).toMatchObject({ rows: 1 });
    expect((await upload('address-material', addressCsv)).body.rows).toBe(2);
    expect(await office.db('settlement_address_material').where({ year })).toHaveLength(2);
    expect((await upload('map-material', mapCsv)).status).toBe(200);
    expect((await upload('revenue', revenueCsv)).status).toBe(200);
  });
});

describe('the settlement of a year', () => {
  let hashes: { inputsSha256: string; statementSha256: string };

  it('M5: runs, waits for closed books, and computes the draft when they close', async () => {
    expect((await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/run`, { token: token.fin1 })).status).toBe(
      202,
    );
    expect((await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/run`, { token: token.fin1 })).status).toBe(
      409,
    );
    const closed = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/close-books`, { token: token.fin1 });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'draft', computedBy: expect.any(String) });
    const draft = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 });
    expect(draft.body).toMatchObject({
      status: 'draft',
      version: null,
      pools: {
        map: { total: { minor: 650_000, currency: 'EUR' } },
        address: { total: { minor: 80_000 }, deficit: null },
      },
    });
    hashes = { inputsSha256: draft.body.inputsSha256, statementSha256: draft.body.statementSha256 };
    expect(hashes.inputsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('M6 four eyes: the user who ran the run and closed the books cannot approve its draft', async () => {
    const refused = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin1 });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'four_eyes',
      message: expect.stringContaining('another finance user'),
    });
    expect((await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 })).body.status).toBe(
      'draft',
    );
  });

  it('M6: every pool adds up to the cent', async () => {
    const draft = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 });
    const sum = (pool: string) =>
      draft.body.lines
        .filter((l: { pool: string }) => l.pool === pool)
        .reduce((s: number, l: { amount: { minor: number } }) => s + l.amount.minor, 0);
    expect(sum('map')).toBe(650_000);
    expect(sum('address')).toBe(80_000);
    expect(draft.body.lines.filter((l: { providerId: string }) => l.providerId === 'hki')).toHaveLength(2); // a provider in both pools
  });

  it('M6: recomputing the same inputs gives the same hashes', async () => {
    const again = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/recompute`, { token: token.fin2 });
    expect(again.status).toBe(200);
    const draft = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin2 });
    expect({ inputsSha256: draft.body.inputsSha256, statementSha256: draft.body.statementSha256 }).toEqual(hashes);
  });

  it('M6 four eyes: the user who last recomputed cannot approve; another finance user can (M6: same hashes when frozen)', async () => {
    const refused = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin2 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('four_eyes');
    const approved = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin1 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', version: 1 });
    const statement = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 });
    expect(statement.body).toMatchObject({ status: 'approved', version: 1, ...hashes });
  });

  it('M5: on approval each provider gets its own statement in its language (fi, sv, en)', async () => {
    const [fi] = await mailTo('kartat@espoo.test');
    expect(fi!.subject).toBe('Käyttöoikeuskorvaukset 2025: tilitys Espoon kaupunki');
    expect(fi!.text).toContain('1147.06 EUR'); // 650000 × 3/17 = 114705.88 → 114706 cents
    const [sv] = await mailTo('kartta@hki.test');
    expect(sv!.subject).toContain('avräkning för Helsinki, kaupunkimittaus');
  });

  it('M6: refuses imports after approval, and keeps the frozen statement unchanged', async () => {
    const res = await upload('revenue', 'category,amount\nusage_fee,1.00\n');
    expect(res.status).toBe(409);
    expect(res.body.error!.code).toBe('settlement_approved');
    await expect(office.db('settlement_versions').update({ reason: 'x' })).rejects.toThrow(/frozen/);
  });

  it('M6: the statement CSV and both payout files add up to the pools', async () => {
    // Opened back with an independent reader, field by field (issue 15: no live formulas, aligned columns).
    const csv: string[][] = parse(await (await get('/statement.csv')).text());
    expect(csv[0]).toEqual(['provider_id', 'pool', 'basis', 'share', 'share_percent', 'amount']);
    expect(csv.slice(1)).toHaveLength(5);
    for (const row of csv) expect(row).toHaveLength(6);
    expect(csv.slice(1).map((c) => `${c[0]} ${c[1]}`)).toEqual(
      expect.arrayContaining(["'@mml map", 'a,b map', 'a,b address', 'hki map', 'hki address']),
    );
    const pool = (name: string) =>
      csv
        .slice(1)
        .filter((c) => c[1] === name)
        .reduce((s, c) => s + minor(c[5]!), 0);
    expect([pool('map'), pool('address')]).toEqual([650_000, 80_000]);

    const payouts: Record<string, string>[] = parse(await (await get('/payouts.csv')).text(), { columns: true });
    expect(payouts).toHaveLength(3);
    expect(payouts.reduce((s, p) => s + minor(p.amount!), 0)).toBe(730_000);
    expect(payouts.find((p) => p.provider_id === "'@mml")).toEqual({
      provider_id: "'@mml",
      name: '\'=HYPERLINK("http://evil.test","Maanmittauslaitos")',
      iban: 'FI2112345600000785',
      amount: expect.stringMatching(/^\d+\.\d\d$/),
      currency: 'EUR',
      reference: 'Royalties 2025 v1',
    });
    expect(payouts.find((p) => p.provider_id === 'a,b')).toMatchObject({ name: 'Espoon kaupunki', currency: 'EUR' });

    const xml = await (await get('/payouts.xml')).text();
    expect(xml).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    expect(xml).toContain('<NbOfTxs>3</NbOfTxs>');
    expect(xml).toContain('<CtrlSum>7300.00</CtrlSum>');
    expect([...xml.matchAll(/<InstdAmt Ccy="EUR">([\d.]+)<\/InstdAmt>/g)].reduce((s, m) => s + minor(m[1]!), 0)).toBe(
      730_000,
    );
    expect(await (await get('/payouts.xml')).text()).toBe(xml);

    const html = await (await get('/statement.html')).text();
    expect(html).toContain('Royalty settlement 2025');
    expect(html).toContain(
      (await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 })).body.statementSha256,
    );
  });

  it('M6: a provider’s lines come with the input rows behind them', async () => {
    const hki = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}/providers/hki`, { token: token.fin2 });
    expect(hki.status).toBe(200);
    expect(hki.body.lines.map((l: { pool: string }) => l.pool)).toEqual(['map', 'address']);
    expect(hki.body.inputs).toEqual({
      mapMaterial: [expect.objectContaining({ line: 2, datasetId: 'hki-500', areaKm2: '200' })],
      addressMaterial: [{ line: 2, providerId: 'hki', addresses: 3000 }],
    });
  });

  it('M6: a correction drafts version 2 with its reason; version 1 stays readable and unchanged', async () => {
    const v1 = (await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 })).body;
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/corrections`, {
          token: token.fin2,
          body: { reason: '' },
        })
      ).status,
    ).toBe(400);
    const corrected = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/corrections`, {
      token: token.fin2,
      body: { reason: 'Copy-permit revenue was missing 100 EUR' },
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ status: 'draft', version: 1, computedBy: expect.any(String) });
    expect((await upload('revenue', revenueCsv.replace('copy_permit,1200.00', 'copy_permit,1300.00'))).status).toBe(
      200,
    );
    // Revenue booked by our own invoicing with a category joins the imported revenue.
    const account = await createAccount(office.db, {
      kind: 'organisation',
      name: 'Kiinteistövälitys Oy',
      email: 'kv@test.fi',
      language: 'en',
      organisation_number: '556123-4567',
    });
    await bookInvoice(office.db, {
      idempotencyKey: `ledger-${year}`,
      accountId: account.id,
      date: `${year}-06-30`,
      currency: 'EUR',
      lines: [{ description: 'Usage fee', quantity: 1, unitPrice: { minor: 5000, currency: 'EUR' } }],
      revenueCategory: 'usage_fee',
    });
    const stale = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin1 });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'draft_outdated']);
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/recompute`, { token: token.fin2 })).status,
    ).toBe(200);
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin2 })).body.error
        .code,
    ).toBe('four_eyes');
    const approved = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin1 });
    expect(approved.body).toMatchObject({ status: 'approved', version: 2 });

    const v2 = (await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 })).body;
    expect((await call(office.baseUrl, 'GET', '/api/v1/settlements', { token: token.fin1 })).body).toEqual([
      expect.objectContaining({ year, status: 'approved', latestVersion: 2 }),
    ]);
    expect(v2).toMatchObject({
      version: 2,
      reason: 'Copy-permit revenue was missing 100 EUR',
      pools: { map: { total: { minor: 665_000 } } },
    });
    expect(v2.revenue[0]).toEqual({
      category: 'usage_fee',
      import: { minor: 500_000, currency: 'EUR' },
      ledger: { minor: 5000, currency: 'EUR' },
      total: { minor: 505_000, currency: 'EUR' },
    });
    expect(v2.inputsSha256).not.toBe(v1.inputsSha256);
    expect(
      (await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}?version=1`, { token: token.fin1 })).body,
    ).toEqual(v1);
    const payoutSum = async (version: number) =>
      (await (await get(`/payouts.csv?version=${version}`)).text())
        .trim()
        .split('\n')
        .slice(1)
        .reduce((s, l) => s + minor(l.split(',').at(-3)!), 0);
    expect([await payoutSum(1), await payoutSum(2)]).toEqual([730_000, 745_000]);
  });

  it('M6: each version verifies against its stored inputs with the admin CLI (`settlements verify`)', async () => {
    for (const version of [1, 2]) {
      expect(await verifySettlement(office.db, year, version)).toMatchObject({
        version,
        verified: true,
        inputsHashMatches: true,
        statementHashMatches: true,
        recomputedIdentical: true,
      });
    }
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'app/cli.ts', 'settlements', 'verify', '--year', String(year), '--version', '1', '--json'],
      {
        env: {
          PATH: process.env.PATH,
          LOG_LEVEL: 'warn',
          DATABASE_URL: office.config.databaseUrl,
          TEMPORAL_ADDRESS: office.config.temporalAddress,
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({
      year,
      version: 1,
      verified: true,
      lines: expect.arrayContaining([
        expect.objectContaining({ providerId: 'a,b', pool: 'map', amountEur: '1147.06' }),
      ]),
    });
  });

  it('M6: records every import, run, recompute, approval and new version in the audit log, with who did it', async () => {
    const rows = await office
      .db('audit_log')
      .where({ object_type: 'settlement', object_id: String(year) })
      .orderBy('id');
    expect(rows.every((r) => r.actor_id)).toBe(true);
    const actions = rows.map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'settlement.import.providers',
        'settlement.run',
        'settlement.books_closed',
        'settlement.computed',
        'settlement.recomputed',
        'settlement.approved',
        'settlement.correction_started',
        'settlement.new_version',
      ]),
    );
  });
});

it('M5: the January schedule is created once however often the back office starts', async () => {
  await ensureSettlementSchedule(office.temporal, office.config);
  await ensureSettlementSchedule(office.temporal, office.config);
  const schedules = [];
  for await (const s of office.temporal.schedule.list())
    if (s.scheduleId === YEARLY_SETTLEMENT_SCHEDULE_ID) schedules.push(s);
  expect(schedules).toHaveLength(1);
  const described = await office.temporal.schedule.getHandle(YEARLY_SETTLEMENT_SCHEDULE_ID).describe();
  expect(described.spec.timezone).toBe('Europe/Helsinki');
  expect(described.spec.calendars?.[0]).toMatchObject({
    month: [{ start: 'JANUARY', end: 'JANUARY', step: 1 }],
    dayOfMonth: [{ start: 15, end: 15, step: 1 }],
  });
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'yearlySettlement' });
  await office.temporal.schedule.getHandle(YEARLY_SETTLEMENT_SCHEDULE_ID).delete();
});
