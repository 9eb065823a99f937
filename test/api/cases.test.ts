import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { addDays, addWorkingDays, orderTime as orderTimeOf, stockholmDate, weekday } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';
import { readZip } from '../support/zip';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const password = 'case-password-1';

// A 200 m square inside both Stockholm Elnät's and Fiber Öst's coverage, outside Vatten Syd's.
const E = 675_000;
const N = 6_580_000;
const workArea = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 200, N],
      [E + 200, N + 200],
      [E, N + 200],
      [E, N],
    ],
  ],
};

beforeAll(async () => {
  office = await startBackOffice();
  await seedNetworkOwners(office.db);
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Gräv & Co AB',
      email: 'case-org@test.se',
      organisationNumber: '556111-2222',
      language: 'sv',
    },
    actor,
  );
  const other = await directory.createAccount(
    { kind: 'organisation', name: 'Annan AB', email: 'case-other@test.se', organisationNumber: '556111-3333' },
    actor,
  );
  const adult = await directory.createAccount(
    { kind: 'private', name: 'Privat Person', email: 'case-private@test.se', birthDate: '1980-01-01', language: 'sv' },
    actor,
  );
  await directory.createUser(
    { email: 'case-private-user@test.se', name: 'P', password, role: 'customer', accountId: adult.id },
    actor,
  );
  const teen = await directory.createAccount(
    { kind: 'private', name: 'Young Person', email: 'case-teen@test.se', birthDate: '2010-01-01', language: 'en' },
    actor,
  );
  await directory.createUser(
    { email: 'case-customer@test.se', name: 'C', password, role: 'customer', accountId: org.id },
    actor,
  );
  await directory.createUser(
    { email: 'case-other-user@test.se', name: 'O', password, role: 'customer', accountId: other.id },
    actor,
  );
  await directory.createUser(
    { email: 'case-teen-user@test.se', name: 'T', password, role: 'customer', accountId: teen.id },
    actor,
  );
  await directory.createUser({ email: 'case-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  await directory.createUser({ email: 'case-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const [who, email] of Object.entries({
    customer: 'case-customer@test.se',
    other: 'case-other-user@test.se',
    teen: 'case-teen-user@test.se',
    private: 'case-private-user@test.se',
    handler: 'case-handler@test.se',
    admin: 'case-admin@test.se',
  })) {
    token[who] = await login(office.baseUrl, email, password);
  }
});
afterAll(() => office.drop());

const register = (who: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  call(office.baseUrl, 'POST', '/api/v1/cases', { token: token[who], body: { acceptTerms: true, ...body }, headers });

describe('registering a locate case', () => {
  let lk: string;
  let orderTime: string;

  it('L1, L3, L4, L10, L12: answers the LK number, order time, deadline and locate window, and confirms by e-mail at once', async () => {
    orderTime = orderTimeOf(new Date());
    const desired = addWorkingDays(orderTime, 8);
    const res = await register('customer', {
      kind: 'locate',
      workArea,
      digStart: addWorkingDays(orderTime, 10),
      desiredLocateDate: desired,
    });
    expect(res.status).toBe(201);
    lk = res.body.lk;
    expect(lk).toMatch(new RegExp(`^LK-${orderTime.slice(0, 4)}-\\d{6}$`));
    expect(Date.parse(res.body.agreementConcludedAt)).toBeLessThanOrEqual(Date.now()); // L1
    expect(res.body).toMatchObject({
      orderTime,
      handlingDeadline: addWorkingDays(orderTime, 10 - 5), // L10: 5 working days before the dig start, later than the next working day
      earliestNormalLocateDate: addWorkingDays(orderTime, 5),
      expressWindow: { first: addWorkingDays(orderTime, 1), last: addWorkingDays(orderTime, 4) },
    });
    expect(res.body.owners.map((o: { id: string }) => o.id).sort()).toEqual(['fiber-ost', 'stockholm-el']);
    const [mail] = await mailTo('case-customer@test.se');
    expect(mail!.subject).toBe(`Bekräftelse: ärende ${lk}`);
    expect(mail!.text).toContain(orderTime);
  });

  it('L4: LK numbers follow each other without gaps, also after a refused registration', async () => {
    const refused = await register('customer', {
      kind: 'locate',
      workArea: { type: 'Polygon', coordinates: [] },
      digStart: '2099-01-01',
      desiredLocateDate: '2099-01-01',
    });
    expect(refused.status).toBe(422);
    const next = await register('customer', { kind: 'planning', workArea, digStart: addWorkingDays(orderTime, 20) });
    expect(next.status).toBe(201);
    expect(Number(next.body.lk.slice(-6))).toBe(Number(lk.slice(-6)) + 1);
  });

  it('L11: handlers answer per owner; the questioner gets one summary when all have answered, and the locate is scheduled (L12)', async () => {
    const first = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, {
      token: token.handler,
      body: { ownerId: 'fiber-ost', answer: 'dig_according_to_map' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ answered: 1, of: 2 });
    const again = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, {
      token: token.handler,
      body: { ownerId: 'fiber-ost', answer: 'information' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_answered');
    const unknown = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, {
      token: token.handler,
      body: { ownerId: 'vatten-syd', answer: 'information' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_owner');
    const byCustomer = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, {
      token: token.customer,
      body: { ownerId: 'stockholm-el', answer: 'locate_needed' },
    });
    expect(byCustomer.status).toBe(403);

    await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/answers`, {
      token: token.handler,
      body: { ownerId: 'stockholm-el', answer: 'locate_needed', note: 'högspänning' },
    });
    const findSummary = async () =>
      (await mailTo('case-customer@test.se', 1)).find((m) => m.subject === `Svar i ärende ${lk}`);
    await expect.poll(findSummary, { timeout: 15_000 }).toBeDefined();
    const summary = (await findSummary())!;
    expect(summary.text).toContain('Fiber Öst AB: gräv enligt karta');
    expect(summary.text).toContain('Stockholm Elnät AB: utsättning krävs (högspänning)');
    const desired = addWorkingDays(orderTime, 8);
    expect(summary.text).toContain(`Utsättning sker ${desired}`);

    const c = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer });
    expect(c.body).toMatchObject({ status: 'locate_scheduled', locateDate: desired, express: false });
    expect(c.body.owners.find((o: { id: string }) => o.id === 'stockholm-el')).toMatchObject({
      answer: 'locate_needed',
      note: 'högspänning',
    });
  });

  it('L15: moving well ahead is quoted free and confirmed; a stale quote is refused with 409', async () => {
    const newDate = addWorkingDays(orderTime, 9);
    const quote = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}/locate/quote?date=${newDate}`, {
      token: token.customer,
    });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({
      action: 'move',
      locateDate: newDate,
      fees: { total: { minor: 0, currency: 'SEK' } },
    });
    const stale = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/move`, {
      token: token.customer,
      body: { date: newDate, expectedFeeMinor: 50_000 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('fee_changed');
    const moved = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/move`, {
      token: token.customer,
      body: { date: newDate, expectedFeeMinor: 0 },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.locateDate).toBe(newDate);
  });

  it("a customer cannot see or change another account's case (404)", async () => {
    expect((await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.other })).status).toBe(404);
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/cancel`, {
          token: token.other,
          body: { expectedFeeMinor: 0 },
        })
      ).status,
    ).toBe(404);
    const list = await call(office.baseUrl, 'GET', '/api/v1/cases', { token: token.other });
    expect(list.body.items).toEqual([]);
  });

  it('L16: cancelling well ahead is free; the technician can then not mark it done', async () => {
    const quote = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}/locate/quote`, { token: token.customer });
    expect(quote.body).toMatchObject({ action: 'cancel', fees: { total: { minor: 0 } } });
    const cancelled = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate/cancel`, {
      token: token.customer,
      body: { expectedFeeMinor: 0 },
    });
    expect(cancelled.status).toBe(200);
    const done = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/locate-done`, { token: token.handler });
    expect(done.status).toBe(409);
    expect(done.body.error.code).toBe('closed');
  });
});

describe('refusals store nothing', () => {
  it('L1: the order is only completed when the questioner accepts the terms', async () => {
    const before = (await office.db('cases').count('* as n').first())!.n;
    const res = await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05', acceptTerms: false });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('terms_not_accepted');
    expect((await office.db('cases').count('* as n').first())!.n).toBe(before);
  });

  it('L9: a blocked account cannot register cases', async () => {
    const account = await office.db('users').where({ email: 'case-other-user@test.se' }).first('account_id');
    await office.db('accounts').where({ id: account.account_id }).update({ blocked_at: new Date() });
    try {
      const res = await register('other', { kind: 'planning', workArea, digStart: '2099-01-05' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('account_blocked');
    } finally {
      await office.db('accounts').where({ id: account.account_id }).update({ blocked_at: null });
    }
  });

  it('L5: a private person under 18 is refused', async () => {
    const res = await register('teen', { kind: 'planning', workArea, digStart: '2099-01-05' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('under_age');
  });

  it('L2: a locate needs a desired locate date; an invalid work area says what is wrong', async () => {
    const before = (await office.db('cases').count('* as n').first())!.n;
    const noDate = await register('customer', { kind: 'locate', workArea, digStart: '2099-01-05' });
    expect(noDate.status).toBe(400);
    expect(noDate.body.error.details[0].field).toBe('body.desiredLocateDate');
    const open = await register('customer', {
      kind: 'survey',
      workArea: {
        type: 'Polygon',
        coordinates: [
          [
            [E, N],
            [E + 10, N],
            [E + 10, N + 10],
            [E, N + 10],
          ],
        ],
      },
      digStart: '2099-01-05',
    });
    expect(open.status).toBe(422);
    expect(open.body.error.details[0].code).toBe('ring_not_closed');
    expect((await office.db('cases').count('* as n').first())!.n).toBe(before);
  });
});

describe('planning cases', () => {
  it('L17: a handler delivers the planning PDF; the questioner is e-mailed a link and downloads it', async () => {
    const lk = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    const pdfPath = `/api/v1/cases/${lk}/planning-basis.pdf`;
    expect((await call(office.baseUrl, 'GET', pdfPath, { token: token.customer })).status).toBe(404);
    expect((await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/deliver`, { token: token.customer })).status).toBe(
      403,
    );
    const delivered = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/deliver`, { token: token.handler });
    expect(delivered.status).toBe(200);
    const mail = async () =>
      (await mailTo('case-customer@test.se', 1)).find(
        (m) => m.subject === `Projekteringsunderlag levererat i ärende ${lk}`,
      );
    await expect.poll(mail, { timeout: 15_000 }).toBeDefined();
    // Issue 16: the mail links to the case page's files, not to the API route of each file.
    expect((await mail())!.text).toContain(`/app/cases/${lk}#files`);
    expect((await mail())!.text).toContain(`projekteringsunderlag-${lk}.pdf`);
    expect((await mail())!.text).toContain('får inte användas för markarbeten');
    const res = await fetch(`${office.baseUrl}${pdfPath}`, { headers: { authorization: `Bearer ${token.customer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer()).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf).toContain(`Projekteringsunderlag ${lk}`);
    expect(pdf).toContain('Fiber \\326st AB'); // Latin-1 octal escape of Ö
    expect((await call(office.baseUrl, 'GET', pdfPath, { token: token.other })).status).toBe(404);
  });

  it('L17: ordered vector formats are delivered beside the PDF: DXF with the work area, a zipped ESRI shapefile, DWG as DXF', async () => {
    const lk = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    const ordered = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/add-ons`, {
      token: token.customer,
      body: { formats: ['DXF', 'Shape', 'DWG'], expectedFeeMinor: 240_000 },
    });
    expect(ordered.status).toBe(200);
    const delivered = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/deliver`, { token: token.handler });
    expect(delivered.status).toBe(200);
    const { files } = (await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer })).body as {
      files: { name: string; bytes: number; href: string }[];
    };
    expect(files.map((f) => f.name)).toEqual([
      `projekteringsunderlag-${lk}.pdf`,
      `projekteringsunderlag-${lk}.dxf`,
      `projekteringsunderlag-${lk}-dwg.dxf`,
      `projekteringsunderlag-${lk}-shape.zip`,
    ]);
    const download = async (href: string) =>
      Buffer.from(
        await (
          await fetch(`${office.baseUrl}${href}`, { headers: { authorization: `Bearer ${token.customer}` } })
        ).arrayBuffer(),
      );

    const dxf = (await download(files[1]!.href)).toString('latin1').split('\r\n');
    const vertices = dxf.flatMap((v, i) => (v === 'VERTEX' ? [[Number(dxf[i + 4]), Number(dxf[i + 6])]] : []));
    expect(vertices).toEqual([
      [E, N],
      [E + 200, N],
      [E + 200, N + 200],
      [E, N + 200],
    ]);
    expect(dxf.at(-2)).toBe('EOF');

    const zip = await download(files[3]!.href);
    const entries = await readZip(zip);
    expect(Object.keys(entries).sort()).toEqual(
      ['dbf', 'prj', 'shp', 'shx'].map((ext) => `projekteringsunderlag-${lk}.${ext}`),
    );
    const shp = entries[`projekteringsunderlag-${lk}.shp`]!;
    expect([shp.readInt32BE(0), shp.readInt32LE(32), shp.readInt32BE(24) * 2]).toEqual([9994, 5, shp.length]);
    expect([shp.readDoubleLE(36), shp.readDoubleLE(44), shp.readDoubleLE(52), shp.readDoubleLE(60)]).toEqual([
      E,
      N,
      E + 200,
      N + 200,
    ]);
    // One ring of five points, clockwise as the format wants: north first from the south-west corner.
    const points = Array.from({ length: shp.readInt32LE(148) }, (_, i) => [
      shp.readDoubleLE(156 + 16 * i),
      shp.readDoubleLE(164 + 16 * i),
    ]);
    expect(points).toEqual([
      [E, N],
      [E, N + 200],
      [E + 200, N + 200],
      [E + 200, N],
      [E, N],
    ]);
    expect(entries[`projekteringsunderlag-${lk}.dbf`]!.toString('latin1')).toContain(lk);
    expect(entries[`projekteringsunderlag-${lk}.prj`]!.toString()).toContain('SWEREF99_TM');
    expect(
      (await fetch(`${office.baseUrl}${files[3]!.href}`, { headers: { authorization: `Bearer ${token.other}` } }))
        .status,
    ).toBe(404);
  });

  it('L18: a planning case can be withdrawn within 48 hours, once', async () => {
    const res = await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' });
    const lk = res.body.lk;
    const withdrawn = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/withdraw`, { token: token.customer });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const again = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/withdraw`, { token: token.customer });
    expect(again.status).toBe(409);
    expect((await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer })).body.status).toBe(
      'withdrawn',
    );
  });
});

describe('surveys', () => {
  it('a handler delivers a survey with its file; the questioner is e-mailed a link and downloads the same bytes', async () => {
    const lk = (await register('customer', { kind: 'survey', workArea, digStart: '2099-01-05' })).body.lk;
    const deliver = (body?: Buffer | FormData, headers: Record<string, string> = {}, query = '') =>
      fetch(`${office.baseUrl}/api/v1/cases/${lk}/deliver${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.handler}`, ...headers },
        body,
      });
    const noFile = await deliver(undefined, { 'content-type': 'application/json' });
    expect(noFile.status).toBe(415);
    const bytes = Buffer.from('E,N,HOJD\n675010.12,6580010.55,12.3\n');
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'Inmätning ledning 1.csv');
    const res = await deliver(form);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('delivered');
    const c = (await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer })).body as {
      status: string;
      files: { name: string; bytes: number; href: string }[];
    };
    expect(c.status).toBe('delivered');
    expect(c.files).toEqual([
      {
        name: 'Inmatning_ledning_1.csv',
        bytes: bytes.length,
        href: `/api/v1/cases/${lk}/files/Inmatning_ledning_1.csv`,
      },
    ]);
    const mail = async () =>
      (await mailTo('case-customer@test.se', 1)).find((m) => m.subject === `Inmätning levererad i ärende ${lk}`);
    await expect.poll(mail, { timeout: 15_000 }).toBeDefined();
    // Issue 16: the mail names the file and links to the case page that lists it.
    expect((await mail())!.text).toContain(`/app/cases/${lk}#files`);
    expect((await mail())!.text).toContain('Inmatning_ledning_1.csv');
    const download = await fetch(`${office.baseUrl}${c.files[0]!.href}`, {
      headers: { authorization: `Bearer ${token.customer}` },
    });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    const again = await deliver(bytes, { 'content-type': 'application/octet-stream' }, '?filename=x.csv');
    expect(again.status).toBe(409);
  });
});

describe('bad dates', () => {
  it('L2, L12: a desired locate date in the past or on a non-working day is refused; nothing is stored', async () => {
    const before = (await office.db('cases').count('* as n').first())!.n;
    const orderTime = orderTimeOf(new Date());
    const later = addWorkingDays(orderTime, 6);
    const saturday = addDays(later, (6 - weekday(later) + 7) % 7 || 7);
    const weekend = await register('customer', {
      kind: 'locate',
      workArea,
      digStart: addWorkingDays(orderTime, 10),
      desiredLocateDate: saturday,
    });
    expect(weekend.status).toBe(422);
    expect(weekend.body.error.code).toBe('not_a_working_day');
    const past = await register('customer', {
      kind: 'locate',
      workArea,
      digStart: addWorkingDays(orderTime, 10),
      desiredLocateDate: '2020-03-02',
    });
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('desired_locate_date_in_past');
    expect((await office.db('cases').count('* as n').first())!.n).toBe(before);
  });
});

describe('split, add-ons and complaints', () => {
  let lk: string;
  beforeAll(async () => {
    const orderTime = orderTimeOf(new Date());
    lk = (
      await register('customer', {
        kind: 'locate',
        workArea,
        digStart: addWorkingDays(orderTime, 10),
        desiredLocateDate: addWorkingDays(orderTime, 8),
      })
    ).body.lk;
  });

  it('L13: a handler splits a case into parts with their own number, sub-area and owners; the questioner sees the parts', async () => {
    // Part 1 lies only in Stockholm Elnät's coverage, part 2 in both owners'.
    const square = (e: number, n: number) => ({
      type: 'Polygon',
      coordinates: [
        [
          [e, n],
          [e + 100, n],
          [e + 100, n + 100],
          [e, n + 100],
          [e, n],
        ],
      ],
    });
    const parts = [{ workArea: square(662_000, 6_572_000) }, { workArea: square(E, N) }];
    expect(
      (await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/split`, { token: token.customer, body: { parts } }))
        .status,
    ).toBe(403);
    const bad = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/split`, {
      token: token.handler,
      body: { parts: [parts[0], { workArea: { type: 'Point' } }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_work_area');
    const split = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/split`, {
      token: token.handler,
      body: { parts },
    });
    expect(split.status).toBe(200);
    expect(split.body.parts).toEqual([`${lk}-1`, `${lk}-2`]);
    const part1 = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}-1`, { token: token.customer });
    expect(part1.status).toBe(200);
    expect(part1.body).toMatchObject({ parentLk: lk, status: 'registered' });
    expect(part1.body.owners.map((o: { id: string }) => o.id)).toEqual(['stockholm-el']);
    const parent = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer });
    expect(parent.body).toMatchObject({ status: 'split', parts: [{ lk: `${lk}-1` }, { lk: `${lk}-2` }] });
    expect((await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}-1`, { token: token.other })).status).toBe(404);
  });

  it('L14, L17: paid orders without expectedFeeMinor answer the fee only', async () => {
    const mapOnly = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/map-only-locate`, {
      token: token.customer,
      body: { ownerId: 'fiber-ost' },
    });
    // T2: an organisation is quoted the net fee with the VAT shown; it is invoiced both.
    expect(mapOnly.body).toMatchObject({
      confirmed: false,
      fees: {
        net: { minor: 120_000, currency: 'SEK' },
        vat: { minor: 30_000, currency: 'SEK' },
        total: { minor: 150_000, currency: 'SEK' },
        customerKind: 'organisation',
      },
    });
    const addOns = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/add-ons`, {
      token: token.customer,
      body: { formats: ['DXF', 'DWG'] },
    });
    expect(addOns.body.fees.net.minor).toBe(160_000);
    const badFormat = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/add-ons`, {
      token: token.customer,
      body: { formats: ['PNG'] },
    });
    expect(badFormat.status).toBe(400);
    const notPlanning = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/add-ons`, {
      token: token.customer,
      body: { formats: ['DXF'], expectedFeeMinor: 80_000 },
    });
    expect(notPlanning.status).toBe(409);
  });

  it('L7: the questioner files a written complaint; handlers are notified; the response is recorded and sent', async () => {
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/complaints`, {
          token: token.other,
          body: { text: 'Fel' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/complaints`, {
          token: token.customer,
          body: { text: '  ' },
        })
      ).status,
    ).toBe(400);
    const filed = await call(office.baseUrl, 'POST', `/api/v1/cases/${lk}/complaints`, {
      token: token.customer,
      body: { text: 'Markeringen saknades på plats.' },
    });
    expect(filed.status).toBe(201);
    const notice = async () =>
      (await mailTo('case-handler@test.se', 1)).find((m) => m.subject === `Reklamation i ärende ${lk}`);
    await expect.poll(notice, { timeout: 15_000 }).toBeDefined();
    expect((await notice())!.text).toContain('Markeringen saknades på plats.');

    const path = `/api/v1/cases/${lk}/complaints/${filed.body.id}/response`;
    expect((await call(office.baseUrl, 'POST', path, { token: token.customer, body: { response: 'x' } })).status).toBe(
      403,
    );
    expect(
      (
        await call(office.baseUrl, 'POST', path, {
          token: token.handler,
          body: { response: 'Vi kommer ut igen i morgon.' },
        })
      ).status,
    ).toBe(200);
    const again = await call(office.baseUrl, 'POST', path, { token: token.handler, body: { response: 'Igen' } });
    expect(again.status).toBe(409); // the complaint's workflow has ended with its response
    const reply = async () =>
      (await mailTo('case-customer@test.se', 1)).find((m) => m.subject === `Svar på din reklamation i ärende ${lk}`);
    await expect.poll(reply, { timeout: 15_000 }).toBeDefined();
    const c = await call(office.baseUrl, 'GET', `/api/v1/cases/${lk}`, { token: token.customer });
    expect(c.body.complaints).toMatchObject([
      { id: filed.body.id, text: 'Markeringen saknades på plats.', response: 'Vi kommer ut igen i morgon.' },
    ]);
  });
});

describe('T3: the case price list', () => {
  it('T3: a case keeps the fees of the price list valid at its order time; a new version prices only later cases', async () => {
    const before = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body;
    expect(before.fees).toMatchObject({
      priceListVersion: '2020-01-01',
      planningVectorFormat: { minor: 80_000, currency: 'SEK' },
    });
    // The list changes (a version valid from today, as if it had been added in advance).
    const today = stockholmDate(new Date());
    await office.db('case_price_list').insert(
      (await office.db('case_price_list').where({ valid_from: '2020-01-01' })).map((r) => ({
        ...r,
        valid_from: today,
        amount_minor: r.amount_minor * 2,
      })),
    );
    try {
      const quote = await call(office.baseUrl, 'POST', `/api/v1/cases/${before.lk}/add-ons`, {
        token: token.customer,
        body: { formats: ['DXF'] },
      });
      expect(quote.body.fees.net.minor).toBe(80_000);
      const after = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body;
      expect(after.fees).toMatchObject({ priceListVersion: today, planningVectorFormat: { minor: 160_000 } });
      const quoteAfter = await call(office.baseUrl, 'POST', `/api/v1/cases/${after.lk}/add-ons`, {
        token: token.customer,
        body: { formats: ['DXF'] },
      });
      expect(quoteAfter.body.fees.net.minor).toBe(160_000);
    } finally {
      await office.db('case_price_list').where({ valid_from: today }).delete();
    }
  });

  it('T3: an admin adds a version from a future date only, with every fee; versions are listed newest first and never rewritten', async () => {
    const amounts = {
      express: 160_000,
      change: 55_000,
      cancellation: 80_000,
      mapOnlyOwnerLocate: 125_000,
      planningFasterDelivery: 110_000,
      planningVectorFormat: 85_000,
      emergency: 310_000,
    };
    const today = stockholmDate(new Date());
    const past = await call(office.baseUrl, 'POST', '/api/v1/case-prices', {
      token: token.admin,
      body: { validFrom: today, amounts },
    });
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('valid_from_not_in_future');
    const missing = await call(office.baseUrl, 'POST', '/api/v1/case-prices', {
      token: token.admin,
      body: { validFrom: '2098-01-01', amounts: { ...amounts, express: undefined } },
    });
    expect(missing.status).toBe(400);
    expect(
      (
        await call(office.baseUrl, 'POST', '/api/v1/case-prices', {
          token: token.handler,
          body: { validFrom: '2098-01-01', amounts },
        })
      ).status,
    ).toBe(403);
    const added = await call(office.baseUrl, 'POST', '/api/v1/case-prices', {
      token: token.admin,
      body: { validFrom: '2098-01-01', amounts },
    });
    expect(added.status).toBe(201);
    const again = await call(office.baseUrl, 'POST', '/api/v1/case-prices', {
      token: token.admin,
      body: { validFrom: '2098-01-01', amounts: { ...amounts, express: 1 } },
    });
    expect(again.status).toBe(409);
    const list = await call(office.baseUrl, 'GET', '/api/v1/case-prices', { token: token.customer });
    expect(list.body.items.map((v: { priceListVersion: string }) => v.priceListVersion)).toEqual([
      '2098-01-01',
      '2020-01-01',
    ]);
    expect(list.body.items[0].express).toEqual({ minor: 160_000, currency: 'SEK' });
  });
});

describe('issue 18: VAT for private persons, the history and the handler tools', () => {
  const api = (method: string, path: string, who: string, body?: unknown) =>
    call(office.baseUrl, method, path, { token: token[who], body });

  it('L5, T2: a private person is quoted the fee with 25 % VAT in the total, and confirms with the net sum', async () => {
    const lk = (await register('private', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    const quote = await api('POST', `/api/v1/cases/${lk}/add-ons`, 'private', { formats: ['DXF'] });
    expect(quote.body.fees).toMatchObject({
      lines: [
        { code: 'planningVectorFormat', net: { minor: 80_000 }, vat: { minor: 20_000 }, amount: { minor: 100_000 } },
      ],
      net: { minor: 80_000 },
      vat: { minor: 20_000 },
      total: { minor: 100_000 },
      customerKind: 'private',
    });
    // Registering an express locate answers its fee with VAT too.
    const express = await register('private', {
      kind: 'locate',
      workArea,
      digStart: addWorkingDays(orderTimeOf(new Date()), 10),
      desiredLocateDate: addWorkingDays(orderTimeOf(new Date()), 2),
      express: true,
    });
    expect(express.body.expressFee).toMatchObject({
      net: { minor: 150_000 },
      vat: { minor: 37_500 },
      total: { minor: 187_500 },
      customerKind: 'private',
    });
    const ordered = await api('POST', `/api/v1/cases/${lk}/add-ons`, 'private', {
      formats: ['DXF'],
      expectedFeeMinor: quote.body.fees.net.minor,
    });
    expect(ordered.status).toBe(200);
    // The invoice carries the same VAT the quote showed.
    await expect
      .poll(() => office.db('invoices').where({ reference: lk }).first())
      .toMatchObject({ net_minor: 80_000, vat_minor: 20_000 });
  });

  it('L18, T8: withdrawing a planning case credits the add-ons already invoiced, with a credit note in the same series', async () => {
    const lk = (await register('private', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    const ordered = await api('POST', `/api/v1/cases/${lk}/add-ons`, 'private', {
      formats: ['DXF'],
      expectedFeeMinor: 80_000,
    });
    expect(ordered.status).toBe(200);
    const invoice = await office.db('invoices').where({ reference: lk, kind: 'invoice' }).first();
    expect(invoice).toMatchObject({ total_minor: 100_000, status: 'unpaid' });
    expect((await api('POST', `/api/v1/cases/${lk}/withdraw`, 'private')).status).toBe(200);
    const notes = await office.db('invoices').where({ credits_invoice_id: invoice.id });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      kind: 'credit_note',
      net_minor: -80_000,
      vat_minor: -20_000,
      total_minor: -100_000,
      year: invoice.year,
      credit_reason: `${lk} withdrawn (L18)`,
    });
    expect(notes[0].sequence).toBeGreaterThan(invoice.sequence);
    expect((await office.db('invoices').where({ id: invoice.id }).first()).status).toBe('credited');
  });

  it("history: every step with who and when, for the questioner (staff by role) and the handler; a handler moves the locate on the questioner's behalf", async () => {
    const orderTime = orderTimeOf(new Date());
    const lk = (
      await register('customer', {
        kind: 'locate',
        workArea,
        digStart: addWorkingDays(orderTime, 12),
        desiredLocateDate: addWorkingDays(orderTime, 10),
      })
    ).body.lk;
    for (const ownerId of ['stockholm-el', 'fiber-ost'])
      await api('POST', `/api/v1/cases/${lk}/answers`, 'handler', { ownerId, answer: 'locate_needed' });
    await expect
      .poll(async () => (await api('GET', `/api/v1/cases/${lk}`, 'customer')).body.status)
      .toBe('locate_scheduled');
    const date = addWorkingDays(orderTime, 11);
    const quote = await api('GET', `/api/v1/cases/${lk}/locate/quote?date=${date}`, 'handler');
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ action: 'move', locateDate: date, fees: { net: { minor: 0 } } });
    const moved = await api('POST', `/api/v1/cases/${lk}/locate/move`, 'handler', {
      date,
      expectedFeeMinor: quote.body.fees.net.minor,
    });
    expect(moved.status).toBe(200);
    expect((await api('POST', `/api/v1/cases/${lk}/locate/move`, 'admin', { date, expectedFeeMinor: 0 })).status).toBe(
      403,
    );

    const handlerView = await api('GET', `/api/v1/cases/${lk}`, 'handler');
    const types = handlerView.body.history.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'registered',
      'terms_accepted',
      'deadline_set',
      'answered',
      'answered',
      'locate_scheduled',
      'locate_moved',
    ]);
    const handlerId = handlerView.body.history[3].actor;
    expect(handlerView.body.history[3]).toMatchObject({ actorRole: 'handler', data: { answer: 'locate_needed' } });
    expect(handlerView.body.history[6]).toMatchObject({
      actor: handlerId,
      data: { from: addWorkingDays(orderTime, 10), to: date, fees: [] },
    });
    expect(handlerView.body.history[2].data).toMatchObject({
      orderTime,
      handlingDeadline: handlerView.body.handlingDeadline,
    });
    // The questioner sees the staff's steps by role only.
    const customerView = await api('GET', `/api/v1/cases/${lk}`, 'customer');
    expect(customerView.body.history[3].actor).toBeUndefined();
    expect(customerView.body.history[3].actorRole).toBe('handler');
    expect(customerView.body.history[0].actor).toBeDefined();
    expect(Date.parse(customerView.body.history[0].at)).toBeLessThanOrEqual(Date.now());
  });

  it('L7 (§2.4): a handler records a complaint received by e-mail with the original attached; others cannot', async () => {
    const lk = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    const path = `/api/v1/cases/${lk}/complaints`;
    const receivedAt = new Date(Date.now() - 3_600_000).toISOString();
    const original = {
      name: 'reklamation.eml',
      contentBase64: Buffer.from('From: a@b.se\r\n\r\nFel!').toString('base64'),
    };
    expect((await api('POST', path, 'handler', { text: 'Fel på leveransen' })).body.error.code).toBe(
      'received_at_missing',
    );
    const future = await api('POST', path, 'handler', {
      text: 'Fel',
      receivedAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.body.error.code).toBe('received_in_future');
    expect((await api('POST', path, 'customer', { text: 'Fel', receivedAt })).body.error.code).toBe('unexpected_field');
    expect((await api('POST', path, 'admin', { text: 'Fel', receivedAt })).status).toBe(403);
    expect(await office.db('case_complaints').where({ lk })).toEqual([]);

    const filed = await api('POST', path, 'handler', { text: 'Fel på leveransen', receivedAt, original });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ channel: 'email' });
    const c = await api('GET', `/api/v1/cases/${lk}`, 'customer');
    expect(c.body.complaints).toMatchObject([
      { id: filed.body.id, channel: 'email', receivedAt, attachment: 'reklamation.eml' },
    ]);
    expect(c.body.history.map((e: { type: string }) => e.type)).toContain('complaint_filed');
    const res = await fetch(`${office.baseUrl}${path}/${filed.body.id}/original`, {
      headers: { authorization: `Bearer ${token.customer}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('From: a@b.se\r\n\r\nFel!');
    expect((await api('GET', `${path}/${filed.body.id}/original`, 'other')).status).toBe(404);
  });

  it('L18 (§4.2): a handler records a withdrawal notice received by e-mail; the questioner cannot backdate one', async () => {
    const lk = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    const path = `/api/v1/cases/${lk}/withdraw`;
    const noticeReceivedAt = new Date(Date.now() - 60_000).toISOString();
    expect((await api('POST', path, 'handler', {})).body.error.code).toBe('notice_received_at_missing');
    expect((await api('POST', path, 'customer', { noticeReceivedAt })).body.error.code).toBe('unexpected_field');
    expect((await api('POST', path, 'admin', { noticeReceivedAt })).status).toBe(403);
    const withdrawn = await api('POST', path, 'handler', { noticeReceivedAt });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const history = (await api('GET', `/api/v1/cases/${lk}`, 'handler')).body.history;
    expect(history.at(-1)).toMatchObject({ type: 'withdrawn', actorRole: null, data: { noticeReceivedAt } });
  });
});

describe('issue 18: search for handlers', () => {
  const search = (query: string, who = 'handler') =>
    call(office.baseUrl, 'GET', `/api/v1/search?${query}`, { token: token[who] });

  it('finds cases by LK number, customer name, organisation number, owner and a point on the map; refuses customers', async () => {
    const orderTime = orderTimeOf(new Date());
    const lk = (
      await register('customer', {
        kind: 'locate',
        workArea,
        digStart: addWorkingDays(orderTime, 10),
        desiredLocateDate: addWorkingDays(orderTime, 8),
      })
    ).body.lk;
    const refs = async (query: string) =>
      (await search(query)).body.items.map((i: { ref: string }) => i.ref) as string[];
    expect(await refs(`q=${lk}`)).toEqual([lk]);
    expect(await refs(`q=${encodeURIComponent('gräv & co')}&limit=200`)).toContain(lk);
    expect(await refs('q=5561112222&limit=200')).toContain(lk);
    expect(await refs('q=556111-2222&limit=200')).toContain(lk);
    expect(await refs(`q=${encodeURIComponent('Annan AB')}&limit=200`)).not.toContain(lk);
    expect(await refs('ownerId=fiber-ost&limit=200')).toContain(lk);
    expect(await refs('ownerId=vatten-syd&limit=200')).not.toContain(lk);
    expect(await refs(`point=${E + 100},${N + 100}&limit=200`)).toContain(lk);
    expect(await refs(`point=${E - 5_000},${N}&limit=200`)).not.toContain(lk);
    expect(await refs(`box=${E - 10},${N - 10},${E + 10},${N + 10}&limit=200`)).toContain(lk);
    const today = stockholmDate(new Date());
    expect(await refs(`from=${today}&to=${today}&status=registered&limit=200`)).toContain(lk);
    expect(await refs(`to=${addDays(today, -1)}&limit=200`)).not.toContain(lk);

    expect((await search(`q=${lk}`, 'customer')).status).toBe(403);
    expect((await search('cursor=not-a-cursor')).body.error.code).toBe('invalid_cursor');
    expect((await search('box=1,2,3')).status).toBe(400);
    expect((await search('point=1,2&box=0,0,3,3')).body.error.code).toBe('point_and_box');
  });

  it('pages by keyset: every hit once, newest first, the same as one big page', async () => {
    for (let i = 0; i < 5; i++) await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' });
    const all = (await search('limit=200')).body.items as { ref: string; at: string }[];
    expect(all.length).toBeGreaterThan(5);
    const paged: typeof all = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: typeof all; next: string | null } } = await search(
        `limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      paged.push(...page.body.items);
      cursor = page.body.next;
    }
    expect(paged.map((h) => h.ref)).toEqual(all.map((h) => h.ref));
    expect(new Set(paged.map((h) => h.ref)).size).toBe(paged.length);
    const times = paged.map((h) => Date.parse(h.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('issue 18: from locate-service practice', () => {
  const api = (method: string, path: string, who: string, body?: unknown) =>
    call(office.baseUrl, method, path, { token: token[who], body });
  /** A locate case answered "locate needed" and marked done by a handler. */
  async function locatedCase() {
    const orderTime = orderTimeOf(new Date());
    const lk = (
      await register('customer', {
        kind: 'locate',
        workArea,
        digStart: addWorkingDays(orderTime, 12),
        desiredLocateDate: addWorkingDays(orderTime, 10),
      })
    ).body.lk as string;
    await api('POST', `/api/v1/cases/${lk}/answers`, 'handler', { ownerId: 'stockholm-el', answer: 'locate_needed' });
    await api('POST', `/api/v1/cases/${lk}/answers`, 'handler', { ownerId: 'fiber-ost', answer: 'information' });
    await expect
      .poll(async () => (await api('GET', `/api/v1/cases/${lk}`, 'customer')).body.status)
      .toBe('locate_scheduled');
    expect((await api('POST', `/api/v1/cases/${lk}/locate-done`, 'handler')).status).toBe(200);
    return lk;
  }

  it('validity: a done locate shows its marks valid 30 days (validUntil, expired); a renewal is quoted free and refused while they are valid', async () => {
    const lk = await locatedCase();
    const today = stockholmDate(new Date());
    const shown = await api('GET', `/api/v1/cases/${lk}`, 'customer');
    expect(shown.body).toMatchObject({
      status: 'located',
      locatedOn: today,
      validUntil: addDays(today, 30),
      expired: false,
    });
    const scheduled = await api('GET', `/api/v1/cases/${lk}`, 'handler');
    expect(scheduled.body.validUntil).toBe(addDays(today, 30));

    const quote = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', { reason: 'renewal' });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ confirmed: false, fees: { lines: [], total: { minor: 0 } } });
    const early = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', {
      reason: 'renewal',
      expectedFeeMinor: 0,
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('marks_still_valid');
    // Refusals: handlers and other accounts cannot order it, an unknown reason is 400; nothing changes.
    const byHandler = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'handler', {
      reason: 'renewal',
      expectedFeeMinor: 0,
    });
    expect(byHandler.status).toBe(403);
    const byOther = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'other', {
      reason: 'renewal',
      expectedFeeMinor: 0,
    });
    expect(byOther.status).toBe(404);
    const unknown = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', {
      reason: 'because',
      expectedFeeMinor: 0,
    });
    expect(unknown.status).toBe(400);
    expect((await office.db('cases').where({ lk }).first()).status).toBe('located');

    // Marks made 31 days ago have expired (the API reads the day they were made).
    await office
      .db('cases')
      .where({ lk })
      .update({ located_on: addDays(today, -31) });
    expect((await api('GET', `/api/v1/cases/${lk}`, 'customer')).body).toMatchObject({
      validUntil: addDays(today, -1),
      expired: true,
    });
  });

  it('re-mark: the questioner asks for destroyed marks to be marked again, fee quoted first (free) and confirmed; the case is scheduled anew', async () => {
    const lk = await locatedCase();
    const quote = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', { reason: 'marks_destroyed' });
    expect(quote.body).toMatchObject({ confirmed: false, fees: { lines: [], net: { minor: 0 }, total: { minor: 0 } } });
    const stale = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', {
      reason: 'marks_destroyed',
      expectedFeeMinor: 50_000,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('fee_changed');
    const byHandler = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'handler', {
      reason: 'marks_destroyed',
      expectedFeeMinor: 0,
    });
    expect(byHandler.status).toBe(403);
    const remarked = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', {
      reason: 'marks_destroyed',
      expectedFeeMinor: 0,
    });
    expect(remarked.status).toBe(200);
    const expected = addWorkingDays(orderTimeOf(new Date()), 5);
    expect(remarked.body).toEqual({ locateDate: expected, fees: [] });
    const shown = await api('GET', `/api/v1/cases/${lk}`, 'customer');
    expect(shown.body).toMatchObject({
      status: 'locate_scheduled',
      locateDate: expected,
      validUntil: null,
      expired: false,
    });
    expect(shown.body.history.map((e: { type: string }) => e.type)).toContain('locate_remark_ordered');
    // Once scheduled again there is no done locate to re-mark.
    const again = await api('POST', `/api/v1/cases/${lk}/locate/remark`, 'customer', {
      reason: 'marks_destroyed',
      expectedFeeMinor: 0,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('locate_not_done');
  });

  it('emergency: a locate registered as an emergency is due 3 hours after registration, quoted its own fee and alerts handlers at once', async () => {
    const before = Date.now();
    // Digging may start today, whatever the hour (the order time may already be the next working day).
    const res = await register('customer', {
      kind: 'locate',
      workArea,
      digStart: stockholmDate(new Date()),
      emergency: true,
    });
    expect(res.status).toBe(201);
    const lk = res.body.lk as string;
    const dueAt = Date.parse(res.body.handlingDueAt);
    expect(dueAt).toBeGreaterThanOrEqual(before + 3 * 3_600_000);
    expect(dueAt).toBeLessThanOrEqual(Date.now() + 3 * 3_600_000);
    expect(res.body).toMatchObject({
      emergency: true,
      handlingDeadline: stockholmDate(new Date(dueAt)),
      emergencyFee: { lines: [{ code: 'emergency', net: { minor: 300_000 } }], net: { minor: 300_000 } },
      expressFee: null,
    });
    const shown = await api('GET', `/api/v1/cases/${lk}`, 'handler');
    expect(shown.body).toMatchObject({ emergency: true, handlingDueAt: res.body.handlingDueAt });
    expect(shown.body.fees.emergency).toEqual({ minor: 300_000, currency: 'SEK' });
    const alert = async () => (await mailTo('case-handler@test.se', 1)).find((m) => m.subject === `Akut ärende ${lk}`);
    await expect.poll(alert, { timeout: 15_000 }).toBeDefined();
    await expect
      .poll(() => office.db('invoices').where({ reference: lk }).first(), { timeout: 15_000 })
      .toMatchObject({ net_minor: 300_000 });
  });

  it('emergency: only a locate without express or a desired date can be one; refused registrations store nothing', async () => {
    const before = (await office.db('cases').count('* as n').first())!.n;
    const digStart = addWorkingDays(orderTimeOf(new Date()), 1);
    for (const body of [
      { kind: 'planning', workArea, digStart, emergency: true },
      { kind: 'locate', workArea, digStart, emergency: true, express: true },
      { kind: 'locate', workArea, digStart, emergency: true, desiredLocateDate: addWorkingDays(digStart, 5) },
    ]) {
      const res = await register('customer', body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('emergency_locate_only');
    }
    expect((await register('handler', { kind: 'locate', workArea, digStart, emergency: true })).status).toBe(403);
    expect((await office.db('cases').count('* as n').first())!.n).toBe(before);
  });

  it('validity: a case not yet located has no validity', async () => {
    const lk = (await register('customer', { kind: 'planning', workArea, digStart: '2099-01-05' })).body.lk;
    expect((await api('GET', `/api/v1/cases/${lk}`, 'customer')).body).toMatchObject({
      locatedOn: null,
      validUntil: null,
      expired: false,
    });
  });
});
