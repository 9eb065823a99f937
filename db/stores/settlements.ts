import crypto from 'node:crypto';
import type { Db } from '../knex';
import { canonicalJson, type RevenueCategory, type Statement, type SettlementInput } from '../../domain/settlement/calculate';
import type { InputError, InputType } from '../../domain/settlement/csv';

export interface SettlementRow {
  year: number;
  status: 'waiting_for_books' | 'draft' | 'approved';
  books_closed_by: string | null;
  books_closed_at: Date | null;
  computed_by: string | null;
  computed_at: Date | null;
  inputs: SettlementInput | null;
  statement: Statement | null;
  inputs_sha256: string | null;
  statement_sha256: string | null;
  correction_reason: string | null;
}

export interface SettlementVersionRow {
  year: number;
  version: number;
  inputs: SettlementInput;
  statement: Statement;
  inputs_sha256: string;
  statement_sha256: string;
  computed_by: string;
  approved_by: string;
  approved_at: Date;
  reason: string | null;
}

export interface PayoutRow {
  year: number;
  version: number;
  provider_id: string;
  name: string;
  iban: string;
  amount_cents: number;
}

/** M6: SHA-256 of the canonical JSON of the inputs and of the statement; the same inputs give the same hashes. */
export function statementHashes(inputs: SettlementInput, statement: Statement): { inputsSha256: string; statementSha256: string } {
  return { inputsSha256: sha256Canonical(inputs), statementSha256: sha256Canonical(statement) };
}

const sha256Canonical = (value: unknown) => crypto.createHash('sha256').update(canonicalJson(value)).digest('hex');

/** The inputs changed (an import, or ledger revenue) after the draft was computed: approving it would freeze a stale statement. */
export class DraftOutdated extends Error {}

export class ImportRefused extends Error {
  constructor(readonly code: 'settlement_approved' | 'invalid_rows', message: string, readonly errors: InputError[] = []) {
    super(message);
  }
}

const TABLES: Record<InputType, string> = {
  providers: 'settlement_providers',
  'map-material': 'settlement_map_material',
  'address-material': 'settlement_address_material',
  revenue: 'settlement_revenue',
};

const toRow: Record<InputType, (year: number, r: Record<string, unknown>) => Record<string, unknown>> = {
  providers: (year, r) => ({ year, provider_id: r.providerId, name: r.name, business_id: r.businessId, iban: r.iban, email: r.email, language: r.language }),
  'map-material': (year, r) => ({
    year, line: r.line, provider_id: r.providerId, dataset_id: r.datasetId, area_km2: r.areaKm2, scale_denominator: r.scaleDenominator, in_service_from: r.inServiceFrom, in_service_to: r.inServiceTo,
  }),
  'address-material': (year, r) => ({ year, line: r.line, provider_id: r.providerId, addresses: r.addresses }),
  revenue: (year, r) => ({ year, line: r.line, category: r.category, amount_cents: r.amountCents }),
};

/**
 * Replaces the year's rows of one input type in one transaction. Material rows must name a
 * provider of the year; an approved year takes no imports. On any refusal nothing changes.
 */
export async function replaceImport(db: Db, year: number, type: InputType, imported: readonly { line: number }[], by: string): Promise<void> {
  const rows = imported as ({ line: number } & Record<string, unknown>)[];
  await db.transaction(async (trx) => {
    const settlement = await trx('settlements').where({ year }).forUpdate().first();
    if (settlement?.status === 'approved') throw new ImportRefused('settlement_approved', `The ${year} statement is approved; imports are closed`);
    if (type === 'map-material' || type === 'address-material') {
      const known = new Set((await trx('settlement_providers').where({ year }).select('provider_id')).map((p) => p.provider_id));
      const unknown = rows.filter((r) => !known.has(r.providerId));
      if (unknown.length > 0) {
        throw new ImportRefused('invalid_rows', `${unknown.length} row(s) name a provider that is not among the year's providers`, unknown.map((r) => ({ line: r.line, column: 'provider_id', message: `unknown provider ${String(r.providerId)}; import the providers first` })));
      }
    }
    await trx(TABLES[type]).where({ year }).delete();
    for (let i = 0; i < rows.length; i += 1000) await trx(TABLES[type]).insert(rows.slice(i, i + 1000).map((r) => toRow[type](year, r)));
    await trx('settlement_imports').insert({ year, type, rows: rows.length, imported_by: by, imported_at: trx.fn.now() }).onConflict(['year', 'type']).merge();
  });
}

/** Everything the calculation needs for a year: imported inputs plus revenue booked by our own invoicing (EUR, by category). */
export async function loadSettlementInput(db: Db, year: number): Promise<SettlementInput> {
  const [providers, map, address, revenue, ledger] = await Promise.all([
    db('settlement_providers').where({ year }).orderBy('provider_id').select('provider_id'),
    db('settlement_map_material').where({ year }).orderBy('dataset_id'),
    db('settlement_address_material').where({ year }).orderBy('provider_id'),
    db('settlement_revenue').where({ year }).orderBy('line'),
    db('invoices').where({ year, currency: 'EUR' }).whereNotNull('revenue_category').groupBy('revenue_category').orderBy('revenue_category').select('revenue_category').sum({ cents: 'net_minor' }) as Promise<{ revenue_category: RevenueCategory; cents: string }[]>,
  ]);
  return {
    year,
    providerIds: providers.map((p) => p.provider_id),
    mapMaterial: map.map((m) => ({ providerId: m.provider_id, datasetId: m.dataset_id, areaKm2: m.area_km2, scaleDenominator: m.scale_denominator, inServiceFrom: m.in_service_from, inServiceTo: m.in_service_to })),
    addressMaterial: address.map((a) => ({ providerId: a.provider_id, addresses: a.addresses })),
    revenue: [
      ...revenue.map((r) => ({ category: r.category, amountCents: r.amount_cents, source: 'import' as const })),
      ...ledger.map((l) => ({ category: l.revenue_category, amountCents: Number(l.cents), source: 'ledger' as const })),
    ],
  };
}

export async function ensureSettlement(db: Db, year: number): Promise<void> {
  await db('settlements').insert({ year, status: 'waiting_for_books' }).onConflict('year').ignore();
}

/** Every year's settlement with its latest approved version, newest year first. */
export async function listSettlements(db: Db) {
  return db('settlements as s')
    .leftJoin(db('settlement_versions').select('year').max({ version: 'version' }).groupBy('year').as('v'), 'v.year', 's.year')
    .orderBy('s.year', 'desc')
    .select('s.year', 's.status', 's.books_closed_at', 's.books_closed_by', 's.computed_at', 's.computed_by', 'v.version');
}

export async function getSettlement(db: Db, year: number): Promise<SettlementRow | undefined> {
  return db('settlements').where({ year }).first();
}

export async function updateSettlement(db: Db, year: number, changes: Partial<Omit<SettlementRow, 'year'>>): Promise<void> {
  const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  await db('settlements').where({ year }).update({ ...changes, inputs: json(changes.inputs), statement: json(changes.statement), updated_at: db.fn.now() });
}

/**
 * Freezes the draft as the next version, with the payments to each provider (name and IBAN as
 * imported now), in one transaction. Idempotent: a retried freeze returns the version it made.
 */
export async function freezeVersion(db: Db, year: number, approvedBy: string): Promise<SettlementVersionRow> {
  return db.transaction(async (trx) => {
    const s: SettlementRow = await trx('settlements').where({ year }).forUpdate().first();
    const latest: SettlementVersionRow | undefined = await trx('settlement_versions').where({ year }).orderBy('version', 'desc').first();
    if (s.status === 'approved' && latest) return latest;
    // Under the row lock that imports take too, so no import slips in between.
    if (sha256Canonical(await loadSettlementInput(trx, year)) !== s.inputs_sha256) {
      throw new DraftOutdated(`The inputs of ${year} changed after the draft was computed; recompute it before approving`);
    }
    const version = (latest?.version ?? 0) + 1;
    const [row] = await trx('settlement_versions')
      .insert({
        year,
        version,
        inputs: JSON.stringify(s.inputs),
        statement: JSON.stringify(s.statement),
        inputs_sha256: s.inputs_sha256,
        statement_sha256: s.statement_sha256,
        computed_by: s.computed_by,
        approved_by: approvedBy,
        approved_at: trx.fn.now(),
        reason: s.correction_reason,
      })
      .returning('*');
    const totals = new Map<string, number>();
    for (const l of s.statement!.lines) totals.set(l.providerId, (totals.get(l.providerId) ?? 0) + l.amountCents);
    const providers = await trx('settlement_providers').where({ year }).whereIn('provider_id', [...totals.keys()]).orderBy('provider_id');
    const payouts = providers.filter((p) => totals.get(p.provider_id)! > 0).map((p) => ({ year, version, provider_id: p.provider_id, name: p.name, iban: p.iban, amount_cents: totals.get(p.provider_id) }));
    if (payouts.length > 0) await trx('settlement_payouts').insert(payouts);
    await trx('settlements').where({ year }).update({ status: 'approved', correction_reason: null, updated_at: trx.fn.now() });
    return row as SettlementVersionRow;
  });
}

/** The payments of an approved version, by provider id. */
export async function listPayouts(db: Db, year: number, version: number): Promise<PayoutRow[]> {
  return db('settlement_payouts').where({ year, version }).orderBy('provider_id');
}

export async function getVersion(db: Db, year: number, version?: number): Promise<SettlementVersionRow | undefined> {
  const q = db('settlement_versions').where({ year });
  return version ? q.where({ version }).first() : q.orderBy('version', 'desc').first();
}

export async function getProvider(db: Db, year: number, providerId: string) {
  return db('settlement_providers').where({ year, provider_id: providerId }).first();
}

export async function listProviders(db: Db, year: number) {
  return db('settlement_providers').where({ year }).orderBy('provider_id');
}
