import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseFeesOn } from '../../cases/cases.store';
import { createDirectory } from '../../identity/directory.service';
import { call, clientCredentialsToken, login, startBackOffice, type TestBackOffice } from '../support/env';

// Issue 20: every list pages by keyset: `next` is the cursor of the page after, no offset, no count.
let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
let accountId: string;
let otherAccountId: string;
let systemToken: string;
const password = 'lists-password-1';
/** Rows that tie on their time: only the unique key orders them, which a keyset must not lose. */
const AT = new Date('2026-03-02T09:00:00Z');
const ROWS = 7;

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  accountId = (
    await directory.createAccount(
      { kind: 'organisation', name: 'Lists AB', email: 'lists-org@test.se', organisationNumber: '556888-0000' },
      actor,
    )
  ).id;
  otherAccountId = (
    await directory.createAccount(
      { kind: 'private', name: 'Other', email: 'lists-other@test.se', birthDate: '1970-01-01' },
      actor,
    )
  ).id;
  await directory.createUser(
    { email: 'lists-customer@test.se', name: 'C', password, role: 'customer', accountId },
    actor,
  );
  for (const role of ['handler', 'admin', 'finance'] as const)
    await directory.createUser({ email: `lists-${role}@test.se`, name: role, password, role }, actor);
  for (const who of ['customer', 'handler', 'admin', 'finance'])
    token[who] = await login(office.baseUrl, `lists-${who}@test.se`, password);
  systemToken = await clientCredentialsToken(
    office.baseUrl,
    await directory.createSystemAccount(accountId, 'lists integration', actor),
  );

  const db = office.db;
  const owner = (i: number) => (i % 2 === 0 ? accountId : otherAccountId);
  await db('accounts').insert(
    Array.from({ length: ROWS }, (_, i) => ({
      kind: 'private',
      name: `Tied ${i}`,
      email: `tied-${i}@test.se`,
      birth_date: '1980-01-01',
      created_at: AT,
    })),
  );
  const fees = JSON.stringify(await caseFeesOn(db, '2026-03-02'));
  const area = {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 0],
      ],
    ],
  };
  await db('cases').insert(
    Array.from({ length: ROWS }, (_, i) => ({
      lk: `LK-2019-${String(900 + i).padStart(6, '0')}`,
      kind: 'locate',
      account_id: owner(i),
      work_area: JSON.stringify(area),
      area_m2: 100,
      registered_at: AT,
      order_time: '2026-03-02',
      handling_deadline: '2026-03-09',
      dig_start: '2026-03-12',
      status: 'registered',
      overdue: i < 4,
      fees,
    })),
  );
  await db('orders').insert(
    Array.from({ length: ROWS }, (_, i) => ({
      id: crypto.randomUUID(),
      account_id: owner(i),
      product_id: 'terrangkartan',
      format: 'GeoJSON',
      delivery_method: 'download',
      selection: JSON.stringify(area),
      area_m2: 100,
      price_list_version: '2026-01-01',
      fee: JSON.stringify({ lines: [], net: null, vat: null, total: null, minimumApplied: false }),
      permitted_use: 'internal',
      status: 'awaiting_approval',
      placed_at: AT,
    })),
  );
  await db('invoices').insert(
    Array.from({ length: ROWS }, (_, i) => ({
      number: `L-${i}`,
      year: 2019,
      sequence: 1 + i,
      account_id: owner(i),
      invoice_date: '2019-03-02',
      due_date: '2019-04-01',
      currency: 'SEK',
      net_minor: 100,
      vat_minor: 25,
      total_minor: 125,
      idempotency_key: `lists-invoice-${i}`,
      ocr: `${9000 + i}`,
      supply_date: '2019-03-02',
    })),
  );
  await db('audit_log').insert(
    Array.from({ length: ROWS }, (_, i) => ({
      at: AT,
      actor_type: 'system',
      action: 'lists.test',
      object_type: 'lists',
      object_id: String(i % 2),
    })),
  );
  await db('outbox').insert(
    Array.from({ length: ROWS }, (_, i) => ({
      idempotency_key: `lists-mail-${i}`,
      template: 'order-confirmation',
      locale: 'sv',
      to_address: 'lists-mail@test.se',
      subject: 'S',
      html: '',
      text: '',
      message_id: `<lists-${i}@test>`,
      status: 'held',
      // now(): one time with microseconds for all, which a cursor must keep to the microsecond.
    })),
  );
});

afterAll(() => office.drop());

/** Every item of a list, walked a page of `limit` at a time by its cursors; and how many pages it took. */
async function walk(path: string, who: string, limit = 3) {
  const items: Record<string, unknown>[] = [];
  let pages = 0;
  for (let cursor: string | null = null; ;) {
    const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await call(office.baseUrl, 'GET', `${path}${path.includes('?') ? '&' : '?'}${query.toString()}`, {
      token: token[who],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).not.toHaveProperty('total');
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    pages++;
    if (!res.body.next) return { items, pages };
    // A page that says there is a next one is full.
    expect(res.body.items).toHaveLength(limit);
    cursor = res.body.next;
  }
}

const ids = (rows: { [k: string]: unknown }[], key: string) => rows.map((r) => String(r[key]));

describe('issue 20: keyset pagination on every list', () => {
  it('the case queue by deadline walks every case once, in deadline then LK order, ties included', async () => {
    const expected = await office.db('cases').where({ status: 'registered' }).orderBy(['handling_deadline', 'lk']);
    const { items, pages } = await walk('/api/v1/cases?status=registered', 'handler');
    expect(ids(items, 'lk')).toEqual(ids(expected, 'lk'));
    expect(pages).toBe(Math.ceil(expected.length / 3));
    const overdue = await walk('/api/v1/cases?overdue=true', 'handler');
    expect(ids(overdue.items, 'lk')).toEqual(
      ids(await office.db('cases').where({ overdue: true }).orderBy(['handling_deadline', 'lk']), 'lk'),
    );
    // A customer walks only its own account's cases.
    const own = await walk('/api/v1/cases', 'customer', 2);
    expect(ids(own.items, 'lk')).toEqual(
      ids(await office.db('cases').where({ account_id: accountId }).orderBy(['handling_deadline', 'lk']), 'lk'),
    );
  });

  it('orders awaiting approval, invoices, accounts, audit and outbox walk every row once in their order', async () => {
    const db = office.db;
    const lists: [string, string, string, Promise<{ [k: string]: unknown }[]>, string][] = [
      [
        '/api/v1/orders?status=awaiting_approval',
        'handler',
        'id',
        db('orders').where({ status: 'awaiting_approval' }).orderBy(['placed_at', 'id']),
        'id',
      ],
      [
        '/api/v1/invoices',
        'finance',
        'id',
        db('invoices').orderBy([
          { column: 'year', order: 'desc' },
          { column: 'sequence', order: 'desc' },
        ]),
        'id',
      ],
      ['/api/v1/accounts', 'handler', 'id', db('accounts').orderBy(['created_at', 'id']), 'id'],
      [
        '/api/v1/audit?objectType=lists',
        'admin',
        'id',
        db('audit_log').where({ object_type: 'lists' }).orderBy('id', 'desc'),
        'id',
      ],
      [
        '/api/v1/outbox?status=held',
        'admin',
        'id',
        db('outbox')
          .where({ status: 'held' })
          .orderBy([
            { column: 'created_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ]),
        'id',
      ],
    ];
    for (const [path, who, key, expected, column] of lists) {
      const rows = await expected;
      expect(rows.length, path).toBeGreaterThanOrEqual(ROWS);
      const { items } = await walk(path, who);
      expect(ids(items, key), path).toEqual(ids(rows, column));
    }
  });

  it('the search walks a status by its cursor: every case once, newest first, ties by LK number', async () => {
    const expected = await office
      .db('cases')
      .where({ status: 'registered' })
      .orderByRaw('registered_at DESC, lk COLLATE "C" DESC');
    const { items } = await walk('/api/v1/search?status=registered&kind=case', 'handler');
    expect(ids(items, 'ref')).toEqual(ids(expected, 'lk'));
    expect(items.length).toBeGreaterThanOrEqual(ROWS);
  });

  it('refuses an offset and a cursor it did not give (400), and storing nothing changes', async () => {
    for (const path of [
      '/api/v1/cases',
      '/api/v1/orders',
      '/api/v1/invoices',
      '/api/v1/accounts',
      '/api/v1/audit',
      '/api/v1/outbox',
      '/api/v1/agreements',
    ]) {
      const who = path === '/api/v1/audit' ? 'admin' : path === '/api/v1/invoices' ? 'finance' : 'admin';
      const offset = await call(office.baseUrl, 'GET', `${path}?offset=20`, { token: token[who] });
      expect(offset.status, path).toBe(400);
      expect(offset.body.error.code, path).toBe('validation_failed');
      expect(offset.body.error.message, path).toContain('cursor');
      for (const cursor of [
        'not-a-cursor',
        Buffer.from('["x"]').toString('base64url'),
        Buffer.from('[1,2,3]').toString('base64url'),
      ]) {
        const bad = await call(office.baseUrl, 'GET', `${path}?cursor=${cursor}`, { token: token[who] });
        expect(bad.status, `${path} ${cursor}`).toBe(400);
        expect(bad.body.error.code, path).toBe('invalid_cursor');
      }
    }
  });

  it('lists refuse the roles they are not for, and system accounts', async () => {
    const refused: [string, string | undefined, number][] = [
      ['/api/v1/accounts', token.customer, 403],
      ['/api/v1/audit', token.handler, 403],
      ['/api/v1/outbox', token.customer, 403],
      ['/api/v1/invoices', token.handler, 403],
      ['/api/v1/accounts', systemToken, 403],
      ['/api/v1/cases', systemToken, 403],
      ['/api/v1/accounts', undefined, 401],
    ];
    for (const [path, who, status] of refused)
      expect((await call(office.baseUrl, 'GET', path, { token: who })).status, path).toBe(status);
  });
});
