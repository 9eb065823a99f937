import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../lib/directory';
import { ensureSettlementSchedule } from '../../lib/settlement-schedule';
import { workflowIds } from '../../workflows/ids';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const year = 2025;

const providersCsv = [
  'provider_id,name,business_id,iban,email,language',
  'espoo,Espoon kaupunki,0112038-9,FI2112345600000785,kartat@espoo.test,fi',
  'hki,"Helsinki, kaupunkimittaus",0112038-9,FI2112345600000785,kartta@hki.test,sv',
  'mml,Maanmittauslaitos,0112038-9,FI2112345600000785,mml@mml.test,en',
].join('\n');
const mapCsv = [
  'provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to',
  'hki,hki-500,200,500,2010-01-01,',
  'espoo,esp-1000,300,1000,2010-01-01,',
  'mml,topo,20000,20000,2000-01-01,',
].join('\n');
const addressCsv = 'provider_id,addresses\nhki,3000\nespoo,1000\n';
const revenueCsv = 'category,amount\nusage_fee,5000.00\ncopy_permit,1200.00\npublication_permit,300.00\naddress_search,1000.00\naddress_register_cost,200.00\n';

const upload = (type: string, csv: string, who = 'fin1') =>
  fetch(`${office.baseUrl}/api/v1/settlements/${year}/imports/${type}`, { method: 'POST', headers: { authorization: `Bearer ${token[who]}`, 'content-type': 'text/csv' }, body: csv }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: string; details: { line: number }[] }; rows?: number } }));

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  for (const who of ['fin1', 'fin2']) {
    await directory.createUser({ email: `${who}@test.se`, name: who, password: 'finance-pass-1', role: 'finance' }, { actorType: 'system' });
    token[who] = await login(office.baseUrl, `${who}@test.se`, 'finance-pass-1');
  }
});
afterAll(() => office.drop());

describe('imports', () => {
  it('refuses a bad file with every bad row and its line number, storing nothing', async () => {
    const res = await upload('map-material', `${mapCsv}\nhki,hki-500,1,500,2010-01-01,\nespoo,x,-1,1000,2010-01-01,\nespoo,y,1,abc,2025-02-30,`);
    expect(res.status).toBe(422);
    expect(res.body.error!.code).toBe('invalid_rows');
    expect(res.body.error!.details.map((d) => d.line)).toEqual([5, 6, 7, 7]);
    expect(await office.db('settlement_map_material')).toHaveLength(0);
  });

  it('refuses material of a provider that is not among the year’s providers, naming the line', async () => {
    await upload('providers', providersCsv);
    const res = await upload('address-material', 'provider_id,addresses\nhki,1\nghost,2\n');
    expect(res.status).toBe(422);
    expect(res.body.error!.details).toEqual([{ line: 3, column: 'provider_id', message: 'unknown provider ghost; import the providers first' }]);
  });

  it('a new import of a type replaces the previous one', async () => {
    expect((await upload('address-material', 'provider_id,addresses\nhki,5\n')).body.rows).toBe(1);
    expect((await upload('address-material', addressCsv)).body.rows).toBe(2);
    expect(await office.db('settlement_address_material').where({ year })).toHaveLength(2);
    expect((await upload('map-material', mapCsv)).status).toBe(200);
    expect((await upload('revenue', revenueCsv)).status).toBe(200);
  });
});

describe('the settlement of a year', () => {
  let hashes: { inputsSha256: string; statementSha256: string };

  it('M5: runs, waits for closed books, and computes the draft when they close', async () => {
    expect((await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/run`, { token: token.fin1 })).status).toBe(202);
    expect((await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/run`, { token: token.fin1 })).status).toBe(409);
    const closed = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/close-books`, { token: token.fin1 });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'draft', computedBy: expect.any(String) });
    const draft = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 });
    expect(draft.body).toMatchObject({ status: 'draft', version: null, pools: { map: { total: { minor: 650_000, currency: 'EUR' } }, address: { total: { minor: 80_000 }, deficit: false } } });
    hashes = { inputsSha256: draft.body.inputsSha256, statementSha256: draft.body.statementSha256 };
    expect(hashes.inputsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('M6: every pool adds up to the cent', async () => {
    const draft = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 });
    const sum = (pool: string) => draft.body.lines.filter((l: { pool: string }) => l.pool === pool).reduce((s: number, l: { amount: { minor: number } }) => s + l.amount.minor, 0);
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

  it('four eyes: the user who last recomputed cannot approve; another finance user can', async () => {
    const refused = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin2 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('four_eyes');
    const approved = await call(office.baseUrl, 'POST', `/api/v1/settlements/${year}/approve`, { token: token.fin1 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', version: 1 });
    const statement = await call(office.baseUrl, 'GET', `/api/v1/settlements/${year}`, { token: token.fin1 });
    expect(statement.body).toMatchObject({ status: 'approved', version: 1, ...hashes });
  });

  it('sends each provider its statement in its language', async () => {
    const [fi] = await mailTo('kartat@espoo.test');
    expect(fi!.subject).toBe('Käyttöoikeuskorvaukset 2025: tilitys Espoon kaupunki');
    expect(fi!.text).toContain('1147.06 EUR'); // 650000 × 3/17 = 114705.88 → 114706 cents
    const [sv] = await mailTo('kartta@hki.test');
    expect(sv!.subject).toContain('avräkning för Helsinki, kaupunkimittaus');
  });

  it('refuses imports after approval, and keeps the frozen statement unchanged', async () => {
    const res = await upload('revenue', 'category,amount\nusage_fee,1.00\n');
    expect(res.status).toBe(409);
    expect(res.body.error!.code).toBe('settlement_approved');
    await expect(office.db('settlement_versions').update({ reason: 'x' })).rejects.toThrow(/frozen/);
  });

  it('serves the statement and the payout file as CSV that add up', async () => {
    const csv = await (await fetch(`${office.baseUrl}/api/v1/settlements/${year}/statement.csv`, { headers: { authorization: `Bearer ${token.fin1}` } })).text();
    const lines = csv.trim().split('\n').slice(1);
    expect(lines).toHaveLength(5);
    const payouts = await (await fetch(`${office.baseUrl}/api/v1/settlements/${year}/payouts.csv`, { headers: { authorization: `Bearer ${token.fin1}` } })).text();
    const amounts = payouts.trim().split('\n').slice(1).map((l) => Math.round(Number(l.split(',').at(-3)) * 100));
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(730_000);
  });

  it('records every step in the audit log', async () => {
    const actions = (await office.db('audit_log').where({ object_type: 'settlement', object_id: String(year) }).orderBy('id')).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['settlement.import.providers', 'settlement.run', 'settlement.books_closed', 'settlement.computed', 'settlement.approved']));
  });
});

it('M5: the January schedule is created once however often the back office starts', async () => {
  await ensureSettlementSchedule(office.temporal, office.config);
  await ensureSettlementSchedule(office.temporal, office.config);
  const schedules = [];
  for await (const s of office.temporal.schedule.list()) if (s.scheduleId === workflowIds.yearlySettlementSchedule) schedules.push(s);
  expect(schedules).toHaveLength(1);
  const described = await office.temporal.schedule.getHandle(workflowIds.yearlySettlementSchedule).describe();
  expect(described.spec.timezone).toBe('Europe/Helsinki');
  expect(described.spec.calendars?.[0]).toMatchObject({ month: [{ start: 'JANUARY', end: 'JANUARY', step: 1 }], dayOfMonth: [{ start: 15, end: 15, step: 1 }] });
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'yearlySettlement' });
  await office.temporal.schedule.getHandle(workflowIds.yearlySettlementSchedule).delete();
});
