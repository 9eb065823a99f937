import { bbox, type Area } from '../domain/geometry';
import {
  CASE_FEE_CODES,
  lkNumber,
  type Answer,
  type CaseFees,
  type CaseFile,
  type CaseKind,
  type OwnerMode,
} from './cases.rules';
import { money } from '../domain/money';
import type { Knex } from 'knex';
import { keysetPage, type Db, type KeysetKey } from '../platform/db';

export interface CaseRow {
  lk: string;
  kind: CaseKind;
  account_id: string;
  /** A3: the user who registered the case (none for a system account's). */
  user_id: string | null;
  work_area: Area;
  area_m2: number;
  registered_at: Date;
  order_time: string;
  handling_deadline: string;
  dig_start: string;
  desired_locate_date: string | null;
  locate_date: string | null;
  /** Issue 18: an emergency case and the instant it is due. */
  emergency: boolean;
  handling_due_at: Date | null;
  /** Issue 18: the day the marks were made (their validity counts from it). */
  located_on: string | null;
  express: boolean;
  parent_lk: string | null;
  /** L14, L17: paid add-ons, e.g. `map_only_locate:fiber-ost`, `faster_delivery`, `DXF`. */
  add_ons: string[];
  /** L17, surveys: the delivered files, in the delivery store under caseFileKey. */
  files: CaseFile[];
  /** T3: the case fees of the price list valid at the order time. */
  fees: CaseFees;
  status: string;
  overdue: boolean;
  updated_at: Date;
}

export interface CaseOwnerRow {
  owner_id: string;
  name: string;
  mode: OwnerMode;
  answer: Answer | null;
  note: string | null;
  answered_by: string | null;
  answered_at: Date | null;
}

export type NewCase = Omit<
  CaseRow,
  'lk' | 'status' | 'overdue' | 'updated_at' | 'locate_date' | 'located_on' | 'parent_lk' | 'add_ons' | 'files'
>;

/** T3: the case fees of the price-list version valid on `date`. */
export async function caseFeesOn(db: Db, date: string): Promise<CaseFees> {
  const version = await db('case_price_list').where('valid_from', '<=', date).max({ v: 'valid_from' }).first();
  if (!version?.v) throw new Error(`no case price list is valid on ${date}`);
  const rows: { code: string; amount_minor: number }[] = await db('case_price_list').where({ valid_from: version.v });
  const amount = (code: string) => {
    const row = rows.find((r) => r.code === code);
    if (!row) throw new Error(`the case price list of ${version.v} has no ${code} fee`);
    return money(row.amount_minor, 'SEK');
  };
  return {
    version: version.v,
    amounts: Object.fromEntries(CASE_FEE_CODES.map((code) => [code, amount(code)])) as CaseFees['amounts'],
  };
}

/** Every version of the case price list, newest first. */
export async function listCasePriceVersions(db: Db): Promise<CaseFees[]> {
  const versions: { valid_from: string }[] = await db('case_price_list')
    .distinct('valid_from')
    .orderBy('valid_from', 'desc');
  return Promise.all(versions.map((v) => caseFeesOn(db, v.valid_from)));
}

/** A new version of the case price list, every fee given; a version's prices never change once stored. */
export async function addCasePriceVersion(db: Db, fees: CaseFees): Promise<void> {
  await db('case_price_list').insert(
    CASE_FEE_CODES.map((code) => ({ valid_from: fees.version, code, amount_minor: fees.amounts[code].minor })),
  );
}
export type CaseChanges = Partial<
  Pick<
    CaseRow,
    'status' | 'overdue' | 'locate_date' | 'located_on' | 'express' | 'handling_deadline' | 'add_ons' | 'files'
  >
>;

/**
 * Registers a case under the next LK number of its year (L4) and runs `start` (which starts
 * the case workflow) before committing: if the start fails, the number goes back to the
 * series, so LK numbers have no gaps within a year.
 */
export async function registerCase(
  db: Db,
  input: NewCase,
  ownerIds: string[],
  events: CaseEvent[],
  start: (lk: string, trx: Db) => Promise<unknown>,
): Promise<string> {
  return db.transaction(async (trx) => {
    const year = Number(input.order_time.slice(0, 4));
    const { rows } = await trx.raw(
      `INSERT INTO case_series (year, last_sequence) VALUES (?, 1)
       ON CONFLICT (year) DO UPDATE SET last_sequence = case_series.last_sequence + 1 RETURNING last_sequence`,
      [year],
    );
    const sequence: number = rows[0].last_sequence;
    const lk = lkNumber(year, sequence);
    await trx('cases').insert({
      ...input,
      lk,
      year,
      sequence,
      work_area: JSON.stringify(input.work_area),
      ...bboxColumns(input.work_area),
      fees: JSON.stringify(input.fees),
      status: 'registered',
    });
    if (ownerIds.length > 0) await trx('case_owners').insert(ownerIds.map((owner_id) => ({ lk, owner_id })));
    for (const event of events) await recordCaseEvent(trx, lk, event);
    await start(lk, trx);
    return lk;
  });
}

export async function getCase(db: Db, lk: string): Promise<(CaseRow & { owners: CaseOwnerRow[] }) | undefined> {
  const row = await db('cases').where({ lk }).first();
  if (!row) return undefined;
  const owners = await db('case_owners as c')
    .join('network_owners as o', 'o.id', 'c.owner_id')
    .where('c.lk', lk)
    .orderBy('o.name')
    .select('c.owner_id', 'o.name', 'o.mode', 'c.answer', 'c.note', 'c.answered_by', 'c.answered_at');
  return { ...row, owners };
}

/** Handlers work by deadline: the most urgent first (keyset, issue 20; indexes of migration 111). */
export const CASE_LIST_KEYS: readonly KeysetKey[] = [
  { column: 'handling_deadline', kind: 'date' },
  { column: 'lk', kind: 'text' },
];

export async function listCases(
  db: Db,
  filter: { accountId?: string; status?: string; overdue?: boolean; limit: number; after?: unknown[] },
): Promise<{ items: CaseRow[]; next: unknown[] | null }> {
  const query = db('cases').modify((q) => {
    if (filter.accountId) q.where({ account_id: filter.accountId });
    if (filter.status) q.where({ status: filter.status });
    if (filter.overdue !== undefined) q.where({ overdue: filter.overdue });
  });
  return keysetPage<CaseRow>(db, query, CASE_LIST_KEYS, 'asc', filter.limit, filter.after);
}

/** Mirrors the workflow's state into the row the lists read. */
export async function updateCase(db: Db, lk: string, changes: CaseChanges): Promise<void> {
  const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  await db('cases')
    .where({ lk })
    .update({ ...changes, add_ons: json(changes.add_ons), files: json(changes.files), updated_at: db.fn.now() });
}

export interface CasePart {
  lk: string;
  workArea: Area;
  areaM2: number;
  ownerIds: string[];
}

/** L13: the parts of a split case, each a case of its own under the parent. Idempotent (a retried activity inserts nothing twice). */
export async function insertCaseParts(db: Db, parentLk: string, parts: CasePart[]): Promise<void> {
  await db.transaction(async (trx) => {
    const parent = await trx('cases').where({ lk: parentLk }).first();
    for (const part of parts) {
      const inserted = await trx('cases')
        .insert({
          ...parent,
          lk: part.lk,
          year: null,
          sequence: null,
          parent_lk: parentLk,
          work_area: JSON.stringify(part.workArea),
          ...bboxColumns(part.workArea),
          fees: JSON.stringify(parent.fees),
          area_m2: part.areaM2,
          add_ons: '[]',
          files: '[]',
          status: 'registered',
          overdue: false,
          updated_at: trx.fn.now(),
        })
        .onConflict('lk')
        .ignore()
        .returning('lk');
      if (inserted.length > 0 && part.ownerIds.length > 0)
        await trx('case_owners').insert(part.ownerIds.map((owner_id) => ({ lk: part.lk, owner_id })));
    }
  });
}

/** Where a delivered file of a case is kept in the delivery store. */
export const caseFileKey = (lk: string, name: string) => `cases/${lk}/${name}`;
export const planningPdfName = (lk: string) => `projekteringsunderlag-${lk}.pdf`;

export interface ComplaintRow {
  id: string;
  lk: string;
  text: string;
  filed_by: string;
  filed_at: Date;
  /** `portal`, or `email` when a handler recorded a complaint received in writing (L7, §2.4). */
  channel: 'portal' | 'email';
  received_at: Date | null;
  attachment_name: string | null;
  response: string | null;
  responded_by: string | null;
  responded_at: Date | null;
}

/** L7: records a complaint and runs `start` (its workflow) before committing, so a failed start stores nothing. */
export async function fileComplaint(
  db: Db,
  complaint: Pick<ComplaintRow, 'id' | 'lk' | 'text' | 'filed_by' | 'channel' | 'received_at' | 'attachment_name'>,
  event: CaseEvent,
  start: () => Promise<unknown>,
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('case_complaints').insert(complaint);
    await recordCaseEvent(trx, complaint.lk, event);
    await start();
  });
}

/** L7: where the original e-mail of a complaint a handler recorded is kept in the delivery store. */
export const complaintFileKey = (lk: string, complaintId: string, name: string) =>
  `cases/${lk}/complaints/${complaintId}/${name}`;

export async function listComplaints(db: Db, lk: string): Promise<ComplaintRow[]> {
  return db('case_complaints').where({ lk }).orderBy('filed_at');
}

export async function getComplaint(db: Db, id: string): Promise<ComplaintRow | undefined> {
  return db('case_complaints').where({ id }).first();
}

export async function recordComplaintResponse(
  db: Db,
  id: string,
  response: string,
  by: string,
  at: Date,
): Promise<{ lk: string } | undefined> {
  const [row] = await db('case_complaints')
    .where({ id })
    .update({ response, responded_by: by, responded_at: at })
    .returning('lk');
  return row;
}

export async function recordAnswer(
  db: Db,
  lk: string,
  ownerId: string,
  answer: Answer,
  note: string | null,
  by: string,
  at: Date,
): Promise<void> {
  await db('case_owners').where({ lk, owner_id: ownerId }).update({ answer, note, answered_by: by, answered_at: at });
}

/** L8: the account's cases, whose workflows erasure asks about. */
/** L8: the account's complaints not answered yet (their workflows wait for the response). */
export async function complaintsOfAccount(db: Db, accountId: string): Promise<{ id: string; lk: string }[]> {
  return db('case_complaints as c')
    .join('cases as k', 'k.lk', 'c.lk')
    .where('k.account_id', accountId)
    .whereNull('c.responded_at')
    .select('c.id', 'c.lk');
}

export async function casesOfAccount(db: Db, accountId: string): Promise<string[]> {
  return db('cases').where({ account_id: accountId }).pluck('lk');
}

/** L13: the parts of a split case, by LK number. */
export async function casePartsOf(db: Db, lk: string): Promise<{ lk: string; status: string }[]> {
  return db('cases').where({ parent_lk: lk }).orderBy('lk').select('lk', 'status');
}

/** One step of a case's history: what happened, who did it (a user's id, or `system`) and when. */
export interface CaseEvent {
  type: string;
  actor: string;
  actorRole?: string | null;
  data?: Record<string, unknown>;
  /** Given by workflow steps, so a retried activity records the step once. */
  key?: string;
  at?: Date;
}

export interface CaseEventRow {
  id: string;
  lk: string;
  at: Date;
  type: string;
  actor: string;
  actor_role: string | null;
  data: Record<string, unknown>;
}

export async function recordCaseEvent(db: Db, lk: string, event: CaseEvent): Promise<void> {
  await db('case_events')
    .insert({
      lk,
      type: event.type,
      actor: event.actor,
      actor_role: event.actorRole ?? null,
      data: JSON.stringify(event.data ?? {}),
      idempotency_key: event.key ?? null,
      ...(event.at ? { at: event.at } : {}),
    })
    .onConflict('idempotency_key')
    .ignore();
}

/** A case's history, oldest first. */
export async function listCaseEvents(db: Db, lk: string): Promise<CaseEventRow[]> {
  return db('case_events').where({ lk }).orderBy('id').select('id', 'lk', 'at', 'type', 'actor', 'actor_role', 'data');
}

/** The search columns of a work area's bounding box (migration 051). */
const bboxColumns = (area: Area) => {
  const b = bbox(area);
  return { min_e: b.minE, min_n: b.minN, max_e: b.maxE, max_n: b.maxN };
};

/** What a handler searches cases and orders by (issue 18); every part narrows the result. */
export interface SearchFilter {
  /** An LK or order number (or its start), a questioner's or customer's name, organisation number or e-mail. */
  q?: string;
  ownerId?: string;
  status?: string;
  /** Registered (cases) or placed (orders) on or after `from`, before the day after `to` (Stockholm dates). */
  from?: Date;
  to?: Date;
  /** A point is a box of no size: cases whose work area's bounding box meets it. */
  box?: { minE: number; minN: number; maxE: number; maxN: number };
  kind?: 'case' | 'order';
  limit: number;
  /** Keyset: the last result's time and reference; the next page starts after it. */
  after?: { at: Date; ref: string };
}

export interface SearchHit {
  type: 'case' | 'order';
  ref: string;
  status: string;
  at: Date;
  account_id: string;
  customer: string;
  organisation_number: string | null;
  email: string;
}

/**
 * Issue 18: one search over cases and orders, newest first, a page at a time by keyset (the
 * last hit's time and reference), so a page costs the same however deep it is. Owner and map
 * filters concern cases only.
 *
 * Issue 20: fast at a year's volume. Each way a text can match is a query of its own, newest
 * first and limited, that one index answers (a reference's start by its byte-order index, an
 * account's name, e-mail, organisation number or user e-mail by trigram indexes, then the
 * account's cases by their account-and-time index); one OR over them all would read every case
 * newest first until a page is full. The accounts a text names, and the cases a map filter
 * meets (`&&` on the work area's box, GiST), are found first and given to the page's query as a
 * list of values: the planner then sees how many there are and picks by index or by the newest
 * first; as a subquery it guesses, and read a million cases for a point.
 */
export async function searchCasesAndOrders(db: Db, f: SearchFilter): Promise<SearchHit[]> {
  const text = f.q?.trim();
  const escape = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);
  const like = text ? `%${escape(text)}%` : undefined;
  const digits = text?.replace(/\D/g, '');
  // The accounts a text names: by name, e-mail, organisation number (digits, with or without
  // the hyphen) or the e-mail of one of their users (who placed the case or order).
  const accountIds: string[] = text
    ? (
        await db('accounts')
          .select('id')
          .where((w) => {
            w.whereILike('name', like!).orWhereILike('email', like!);
            if (digits && digits.length >= 6)
              w.orWhereRaw(`regexp_replace(organisation_number, '\\D', '', 'g') LIKE ?`, [`${digits}%`]);
          })
          .union((u) => u.select('account_id').from('users').whereILike('email', like!).whereNotNull('account_id'))
      ).map((r: { id: string }) => r.id)
    : [];
  // Up to this many cases a map filter meets are listed by value; more, and reading the newest
  // first with the box as a filter fills a page soon enough.
  const BOX_LIST_MAX = 5000;
  const boxLks: string[] | undefined = f.box
    ? await db('cases')
        .whereRaw('box(point(min_e, min_n), point(max_e, max_n)) && box(point(?, ?), point(?, ?))', [
          f.box.minE,
          f.box.minN,
          f.box.maxE,
          f.box.maxN,
        ])
        .limit(BOX_LIST_MAX + 1)
        .pluck('lk')
    : undefined;
  // Each way a text matches, as its own query (see above); no text: one query over everything.
  const textMatches = (alias: string, ref: string, refPrefix: string) =>
    text
      ? [
          (q: Knex.QueryBuilder) => q.whereRaw(`${ref} COLLATE "C" LIKE ?`, [`${escape(refPrefix)}%`]),
          ...(accountIds.length > 0
            ? [(q: Knex.QueryBuilder) => q.whereRaw(`${alias}.account_id = ANY(?::uuid[])`, [accountIds])]
            : []),
        ]
      : [() => {}];
  const common = (q: Knex.QueryBuilder, at: string, ref: string) => {
    // Cases: a status range of one value, so it stays a key of the order (see below).
    if (f.status && at.startsWith('c.')) q.where('c.status', '>=', f.status).where('c.status', '<=', f.status);
    else if (f.status) q.where(`${at.split('.')[0]}.status`, f.status);
    if (f.from) q.where(at, '>=', f.from);
    if (f.to) q.where(at, '<', f.to);
    // Byte order ("C") for references, as the indexes of migration 110 and the merge below sort them.
    if (f.after && f.status && at.startsWith('c.'))
      q.whereRaw(`(c.status, ${at}, ${ref} COLLATE "C") < (?, ?, ? COLLATE "C")`, [f.status, f.after.at, f.after.ref]);
    else if (f.after) q.whereRaw(`(${at}, ${ref} COLLATE "C") < (?, ? COLLATE "C")`, [f.after.at, f.after.ref]);
  };
  // A page's hits are found first, their accounts then: the join reads `limit` accounts, not all.
  const withCustomer = (type: 'case' | 'order', page: Knex.QueryBuilder) =>
    db
      .from(page.as('h'))
      .join('accounts as a', 'a.id', 'h.account_id')
      .select(db.raw('? as type', [type]), 'h.*', 'a.name as customer', 'a.organisation_number', 'a.email');
  const cases = (match: (q: Knex.QueryBuilder) => void) =>
    withCustomer(
      'case',
      db('cases as c')
        .select('c.lk as ref', 'c.status', 'c.registered_at as at', 'c.account_id')
        .modify((q) => {
          match(q);
          common(q, 'c.registered_at', 'c.lk');
          if (f.ownerId) q.whereExists(db('case_owners as o').whereRaw('o.lk = c.lk').where('o.owner_id', f.ownerId));
          if (boxLks && boxLks.length <= BOX_LIST_MAX) q.whereRaw('c.lk = ANY(?::text[])', [boxLks]);
          else if (f.box)
            q.whereRaw('box(point(c.min_e, c.min_n), point(c.max_e, c.max_n)) && box(point(?, ?), point(?, ?))', [
              f.box.minE,
              f.box.minN,
              f.box.maxE,
              f.box.maxN,
            ]);
        })
        // With a status, the status is the order's first key: as an equality the planner would
        // drop it and read the newest-first index, where a rare status may sit far down (issue 20).
        .orderByRaw(`${f.status ? 'c.status DESC, ' : ''}c.registered_at DESC, c.lk COLLATE "C" DESC`)
        .limit(f.limit),
    );
  const orders = (match: (q: Knex.QueryBuilder) => void) =>
    withCustomer(
      'order',
      db('orders as o')
        .select(db.raw('o.id::text as ref'), 'o.status', 'o.placed_at as at', 'o.account_id')
        .modify((q) => {
          match(q);
          common(q, 'o.placed_at', '(o.id::text)');
        })
        .orderByRaw('o.placed_at DESC, (o.id::text) COLLATE "C" DESC')
        .limit(f.limit),
    );
  const searchOrders = f.kind !== 'case' && !f.ownerId && !f.box;
  const parts = [
    ...(f.kind !== 'order' ? textMatches('c', 'c.lk', text?.toUpperCase() ?? '').map(cases) : []),
    ...(searchOrders ? textMatches('o', '(o.id::text)', text?.toLowerCase() ?? '').map(orders) : []),
  ];
  if (parts.length === 0) return [];
  // Each part is already its own newest page; merged, the newest `limit` of all are the page
  // (a case matched both by its number and its account is the same hit). One statement: a round
  // trip to PostgreSQL costs the API more than these small queries (docs/benchmarks.md).
  const { rows } = await db.raw<{ rows: SearchHit[] }>(parts.map(() => '?').join(' UNION ALL '), parts);
  const hits = new Map<string, SearchHit>();
  for (const row of rows) hits.set(`${row.type}:${row.ref}`, row);
  return [...hits.values()]
    .sort((x, y) => y.at.getTime() - x.at.getTime() || (y.ref > x.ref ? 1 : y.ref < x.ref ? -1 : 0))
    .slice(0, f.limit);
}
