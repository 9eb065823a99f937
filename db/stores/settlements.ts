import type { Db } from '../knex';
import type { RevenueCategory, Statement, SettlementInput } from '../../domain/settlement/calculate';
import type { InputError, InputType } from '../../domain/settlement/inputs';

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
export async function replaceImport(db: Db, year: number, type: InputType, rows: ({ line: number } & Record<string, unknown>)[], by: string): Promise<void> {
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

export async function getSettlement(db: Db, year: number): Promise<SettlementRow | undefined> {
  return db('settlements').where({ year }).first();
}

export async function updateSettlement(db: Db, year: number, changes: Partial<Omit<SettlementRow, 'year'>>): Promise<void> {
  const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  await db('settlements').where({ year }).update({ ...changes, inputs: json(changes.inputs), statement: json(changes.statement), updated_at: db.fn.now() });
}

/** Freezes the draft as the next version (idempotent: a retried freeze of the same statement returns the version it made). */
export async function freezeVersion(db: Db, year: number, approvedBy: string, reason: string | null): Promise<SettlementVersionRow> {
  return db.transaction(async (trx) => {
    const s: SettlementRow = await trx('settlements').where({ year }).forUpdate().first();
    const latest: SettlementVersionRow | undefined = await trx('settlement_versions').where({ year }).orderBy('version', 'desc').first();
    if (s.status === 'approved' && latest) return latest;
    const [row] = await trx('settlement_versions')
      .insert({
        year,
        version: (latest?.version ?? 0) + 1,
        inputs: JSON.stringify(s.inputs),
        statement: JSON.stringify(s.statement),
        inputs_sha256: s.inputs_sha256,
        statement_sha256: s.statement_sha256,
        computed_by: s.computed_by,
        approved_by: approvedBy,
        approved_at: trx.fn.now(),
        reason,
      })
      .returning('*');
    await trx('settlements').where({ year }).update({ status: 'approved', updated_at: trx.fn.now() });
    return row as SettlementVersionRow;
  });
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
