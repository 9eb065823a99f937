import crypto from 'node:crypto';
import type { Db } from '../platform/db';
import {
  canonicalJson,
  mapMaterialSums,
  type RevenueCategory,
  type RevenueEntry,
  type Statement,
  type SettlementInput,
} from './rules/calculate';
import { UNIQUE_KEYS, type InputBatch, type InputError, type InputRows, type InputType } from './rules/csv';

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

const sha256Canonical = (value: unknown) => crypto.createHash('sha256').update(canonicalJson(value)).digest('hex');

/** The inputs changed (an import, or ledger revenue) after the draft was computed: approving it would freeze a stale statement. */
export class DraftOutdated extends Error {}

/** At most this many problems are listed; the message gives the full count. */
const MAX_LISTED_ERRORS = 1000;

export class ImportRefused extends Error {
  constructor(
    readonly code: 'settlement_approved' | 'invalid_rows',
    message: string,
    readonly errors: InputError[] = [],
  ) {
    super(message);
  }
}

const TABLES: Record<InputType, string> = {
  providers: 'settlement_providers',
  'map-material': 'settlement_map_material',
  'address-material': 'settlement_address_material',
  revenue: 'settlement_revenue',
};

/** Each table's columns in the order they are fingerprinted (the file line first), and the key that orders its rows. */
const COLUMNS: Record<InputType, { columns: string[]; order: string }> = {
  providers: {
    columns: ['line', 'provider_id', 'name', 'business_id', 'iban', 'email', 'language'],
    order: 'provider_id',
  },
  'map-material': {
    columns: ['line', 'provider_id', 'dataset_id', 'area_km2', 'scale_denominator', 'in_service_from', 'in_service_to'],
    order: 'dataset_id',
  },
  'address-material': { columns: ['line', 'provider_id', 'addresses'], order: 'provider_id' },
  revenue: { columns: ['line', 'category', 'amount_cents'], order: 'line' },
};

/** A checked row as its table's columns, in COLUMNS order. */
const toColumns: { [K in InputType]: (r: InputRows[K] & { line: number }) => unknown[] } = {
  providers: (r) => [r.line, r.providerId, r.name, r.businessId, r.iban, r.email, r.language],
  'map-material': (r) => [
    r.line,
    r.providerId,
    r.datasetId,
    r.areaKm2,
    r.scaleDenominator,
    r.inServiceFrom,
    r.inServiceTo,
  ],
  'address-material': (r) => [r.line, r.providerId, r.addresses],
  revenue: (r) => [r.line, r.category, r.amountCents],
};

const PG_TYPES: Record<string, string> = {
  line: 'int',
  scale_denominator: 'int',
  in_service_from: 'date',
  in_service_to: 'date',
  addresses: 'bigint',
  amount_cents: 'bigint',
};

/**
 * Replaces the year's rows of one input type, reading the file batch by batch into a staging
 * table inside one transaction: row problems, repeated ids and material of unknown providers
 * are all collected, and on any of them (or an approved year) nothing changes.
 */
export async function importInput<K extends InputType>(
  db: Db,
  year: number,
  type: K,
  batches: AsyncIterable<InputBatch<InputRows[K]>>,
  by: string,
): Promise<{ rows: number }> {
  const { columns } = COLUMNS[type];
  const table = TABLES[type];
  return db.transaction(async (trx) => {
    const settlement = await trx('settlements').where({ year }).forUpdate().first();
    if (settlement?.status === 'approved')
      throw new ImportRefused('settlement_approved', `The ${year} statement is approved; imports are closed`);
    await trx.raw(
      `CREATE TEMP TABLE staged_rows ON COMMIT DROP AS SELECT ${columns.join(', ')} FROM ${table} WITH NO DATA`,
    );
    // Ids of rows not staged (bad ones, and every row once the file has a problem), for repeats.
    await trx.raw('CREATE TEMP TABLE staged_keys (line int, key text) ON COMMIT DROP');
    const unique = UNIQUE_KEYS[type];
    const keyAt = unique ? columns.indexOf(unique.column) : -1;
    const errors: InputError[] = [];
    let errorCount = 0;
    let rows = 0;
    const insert = async (target: string, names: string[], types: string[], values: unknown[][]) => {
      if (values.length === 0) return;
      const arrays = names.map((_, i) => values.map((v) => v[i]));
      await trx.raw(
        `INSERT INTO ${target} (${names.join(', ')}) SELECT * FROM unnest(${types.map((t) => `?::${t}[]`).join(', ')})`,
        arrays as never,
      );
    };
    for await (const batch of batches) {
      errorCount += batch.errors.length;
      errors.push(...batch.errors.slice(0, Math.max(0, MAX_LISTED_ERRORS - errors.length)));
      rows += batch.rows.length;
      const values = batch.rows.map((r) => toColumns[type](r as never));
      // Once a row is bad nothing will be stored; the rest of the file is still read for its problems.
      if (errorCount === 0)
        await insert(
          'staged_rows',
          columns,
          columns.map((c) => PG_TYPES[c] ?? 'text'),
          values,
        );
      const keys = [
        ...batch.badKeys.map((k) => [k.line, k.key]),
        ...(errorCount > 0 && keyAt >= 0 ? values.map((v) => [v[0], v[keyAt]]) : []),
      ];
      if (unique) await insert('staged_keys', ['line', 'key'], ['int', 'text'], keys);
    }
    if (unique) {
      const allKeys = `SELECT line, key FROM staged_keys UNION ALL SELECT line, ${unique.column} FROM staged_rows`;
      const repeats = await trx.raw(
        `SELECT line, key, first FROM (SELECT line, key, min(line) OVER (PARTITION BY key) AS first FROM (${allKeys}) a) k WHERE line > first ORDER BY line LIMIT ${MAX_LISTED_ERRORS}`,
      );
      const count =
        repeats.rows.length === MAX_LISTED_ERRORS
          ? Number((await trx.raw(`SELECT count(*) - count(DISTINCT key) AS n FROM (${allKeys}) a`)).rows[0].n)
          : repeats.rows.length;
      errorCount += count;
      errors.push(
        ...repeats.rows.map((r: { line: number; key: string; first: number }) => ({
          line: r.line,
          column: unique.column,
          message: `${unique.what} ${r.key} already appears on line ${r.first}`,
        })),
      );
    }
    if (errorCount === 0 && (type === 'map-material' || type === 'address-material')) {
      const unknown = await trx.raw(
        `SELECT s.line, s.provider_id FROM staged_rows s WHERE NOT EXISTS (SELECT 1 FROM settlement_providers p WHERE p.year = ? AND p.version = 0 AND p.provider_id = s.provider_id) ORDER BY s.line`,
        [year],
      );
      errorCount += unknown.rows.length;
      errors.push(
        ...unknown.rows.slice(0, MAX_LISTED_ERRORS).map((r: { line: number; provider_id: string }) => ({
          line: r.line,
          column: 'provider_id',
          message: `unknown provider ${r.provider_id}; import the providers first`,
        })),
      );
    }
    if (errorCount > 0) {
      errors.sort((a, b) => a.line - b.line);
      const listed = errors.slice(0, MAX_LISTED_ERRORS);
      throw new ImportRefused(
        'invalid_rows',
        `${errorCount} problem(s) in the ${type} file${errorCount > listed.length ? ` (the first ${listed.length} are listed)` : ''}; nothing was imported`,
        listed,
      );
    }
    await trx(table).where({ year, version: 0 }).delete();
    await trx.raw(
      `INSERT INTO ${table} (year, version, ${columns.join(', ')}) SELECT ?, 0, ${columns.join(', ')} FROM staged_rows`,
      [year],
    );
    // M6: the rows' fingerprint is taken once, here; a draft reads it, an audit recomputes it.
    const rowsSha256 = await rowFingerprint(trx, type, year, 0);
    await trx('settlement_imports')
      .insert({ year, type, rows, rows_sha256: rowsSha256, imported_by: by, imported_at: trx.fn.now() })
      .onConflict(['year', 'type'])
      .merge();
    return { rows };
  });
}

/** Revenue booked by our own invoicing in the year (EUR, by category). */
export async function ledgerRevenue(db: Db, year: number): Promise<RevenueEntry[]> {
  const ledger = (await db('invoices')
    .where({ year, currency: 'EUR' })
    .whereNotNull('revenue_category')
    .groupBy('revenue_category')
    .orderBy('revenue_category')
    .select('revenue_category')
    .sum({ cents: 'net_minor' })) as unknown as { revenue_category: RevenueCategory; cents: string }[];
  return ledger.map((l) => ({ category: l.revenue_category, amountCents: Number(l.cents), source: 'ledger' as const }));
}

/**
 * Everything the calculation needs from a version's rows (0 = the rows being drafted), with
 * the ledger revenue given. Map material arrives summed per provider and scale, so the process
 * never holds the datasets.
 */
async function summedInput(db: Db, year: number, version: number, ledger: RevenueEntry[]): Promise<SettlementInput> {
  const at = { year, version };
  // One query at a time: `db` may be a transaction, which is one connection.
  const providers = await db('settlement_providers').where(at).orderBy('provider_id').select('provider_id');
  const address = await db('settlement_address_material').where(at).orderBy('provider_id');
  const revenue = await db('settlement_revenue').where(at).orderBy('line');
  // M5's days in service, clipped to the year, as date arithmetic in SQL: the database sums
  // area × days per provider and scale exactly (numeric), the same sums mapMaterialSums makes
  // of datasets one by one (test/db/settlement-sums.test.ts holds the two together).
  const { rows } = await db.raw(
    `SELECT provider_id, scale_denominator, sum(area_km2::numeric * days)::text AS area_days, count(*)::int AS datasets
     FROM (SELECT provider_id, scale_denominator, area_km2,
             LEAST(COALESCE(in_service_to, :last::date), :last::date) - GREATEST(in_service_from, :first::date) + 1 AS days
           FROM settlement_map_material WHERE year = :year AND version = :version) d
     WHERE days > 0 GROUP BY provider_id, scale_denominator`,
    { first: `${year}-01-01`, last: `${year}-12-31`, year, version },
  );
  const sums = mapMaterialSums(year);
  for (const r of rows)
    sums.addSum({
      providerId: r.provider_id,
      scaleDenominator: r.scale_denominator,
      datasets: r.datasets,
      areaKm2Days: r.area_days,
    });
  return {
    year,
    providerIds: providers.map((p) => p.provider_id),
    mapMaterial: sums.sums(),
    addressMaterial: address.map((a) => ({ providerId: a.provider_id, addresses: a.addresses })),
    revenue: [
      ...revenue.map((r) => ({ category: r.category, amountCents: r.amount_cents, source: 'import' as const })),
      ...ledger,
    ],
  };
}

/** SHA-256 of an input table's rows of a version, in key order (byte order, whatever the database's collation). */
async function rowFingerprint(db: Db, type: InputType, year: number, version: number): Promise<string> {
  const { columns, order } = COLUMNS[type];
  const { rows } = await db.raw(
    `SELECT encode(sha256(convert_to(coalesce(string_agg(json_build_array(${columns.join(', ')})::text, E'\n' ORDER BY ${order === 'line' ? 'line' : `${order} COLLATE "C"`}), ''), 'UTF8')), 'hex') AS sha FROM ${TABLES[type]} WHERE year = ? AND version = ?`,
    [year, version],
  );
  return rows[0].sha as string;
}

/**
 * The fingerprints of every input table of a version: read from the imports (taken when the
 * rows were stored), or recomputed from the rows themselves, as an audit does.
 */
async function rowFingerprints(
  db: Db,
  year: number,
  version: number,
  from: 'imports' | 'rows',
): Promise<Record<InputType, string>> {
  const stored = from === 'imports' ? await db('settlement_imports').where({ year }).select('type', 'rows_sha256') : [];
  const fingerprints = {} as Record<InputType, string>;
  // One after another: `db` may be a transaction, which is one connection.
  for (const type of Object.keys(TABLES) as InputType[]) {
    fingerprints[type] =
      stored.find((i) => i.type === type)?.rows_sha256 ?? (await rowFingerprint(db, type, year, version));
  }
  return fingerprints;
}

/**
 * M6: a version's inputs and their SHA-256, over the summed input the calculation reads and
 * every stored row behind it. The same rows and ledger give the same hash.
 */
export async function settlementInputs(
  db: Db,
  year: number,
  version: number,
  ledger: RevenueEntry[],
  fingerprints: 'imports' | 'rows' = 'imports',
): Promise<{ input: SettlementInput; inputsSha256: string }> {
  if (version !== 0 && fingerprints === 'imports')
    throw new Error('the imports fingerprint the rows being drafted (version 0) only');
  const input = await summedInput(db, year, version, ledger);
  const rows = await rowFingerprints(db, year, version, fingerprints);
  return { input, inputsSha256: sha256Canonical({ input, rows }) };
}

export const statementSha256 = (statement: Statement) => sha256Canonical(statement);

export async function ensureSettlement(db: Db, year: number): Promise<void> {
  await db('settlements').insert({ year, status: 'waiting_for_books' }).onConflict('year').ignore();
}

/** Every year's settlement with its latest approved version, newest year first. */
export async function listSettlements(db: Db) {
  return db('settlements as s')
    .leftJoin(
      db('settlement_versions').select('year').max({ version: 'version' }).groupBy('year').as('v'),
      'v.year',
      's.year',
    )
    .orderBy('s.year', 'desc')
    .select(
      's.year',
      's.status',
      's.books_closed_at',
      's.books_closed_by',
      's.computed_at',
      's.computed_by',
      'v.version',
    );
}

export async function getSettlement(db: Db, year: number): Promise<SettlementRow | undefined> {
  return db('settlements').where({ year }).first();
}

export async function updateSettlement(
  db: Db,
  year: number,
  changes: Partial<Omit<SettlementRow, 'year'>>,
): Promise<void> {
  const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  await db('settlements')
    .where({ year })
    .update({ ...changes, inputs: json(changes.inputs), statement: json(changes.statement), updated_at: db.fn.now() });
}

/**
 * Freezes the draft as the next version, with the payments to each provider (name and IBAN as
 * imported now), in one transaction. Idempotent: a retried freeze returns the version it made.
 */
export async function freezeVersion(db: Db, year: number, approvedBy: string): Promise<SettlementVersionRow> {
  return db.transaction(async (trx) => {
    const s: SettlementRow = await trx('settlements').where({ year }).forUpdate().first();
    const latest: SettlementVersionRow | undefined = await trx('settlement_versions')
      .where({ year })
      .orderBy('version', 'desc')
      .first();
    if (s.status === 'approved' && latest) return latest;
    // Under the row lock that imports take too, so no import slips in between.
    if ((await settlementInputs(trx, year, 0, await ledgerRevenue(trx, year))).inputsSha256 !== s.inputs_sha256) {
      throw new DraftOutdated(
        `The inputs of ${year} changed after the draft was computed; recompute it before approving`,
      );
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
    // M6: the rows behind the version are kept as they are now, under its number.
    for (const type of Object.keys(TABLES) as InputType[]) {
      const columns = COLUMNS[type].columns.join(', ');
      await trx.raw(
        `INSERT INTO ${TABLES[type]} (year, version, ${columns}) SELECT year, ?, ${columns} FROM ${TABLES[type]} WHERE year = ? AND version = 0`,
        [version, year],
      );
    }
    const totals = new Map<string, number>();
    for (const l of s.statement!.lines) totals.set(l.providerId, (totals.get(l.providerId) ?? 0) + l.amountCents);
    const providers = await trx('settlement_providers')
      .where({ year, version })
      .whereIn('provider_id', [...totals.keys()])
      .orderBy('provider_id');
    const payouts = providers
      .filter((p) => totals.get(p.provider_id)! > 0)
      .map((p) => ({
        year,
        version,
        provider_id: p.provider_id,
        name: p.name,
        iban: p.iban,
        amount_cents: totals.get(p.provider_id),
      }));
    if (payouts.length > 0) await trx('settlement_payouts').insert(payouts);
    await trx('settlements')
      .where({ year })
      .update({ status: 'approved', correction_reason: null, updated_at: trx.fn.now() });
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

/** A provider as imported for a version (0 = the rows being drafted). */
export async function getProvider(db: Db, year: number, providerId: string, version = 0) {
  return db('settlement_providers').where({ year, version, provider_id: providerId }).first();
}

export async function listProviders(db: Db, year: number, version = 0) {
  return db('settlement_providers').where({ year, version }).orderBy('provider_id');
}

/** M6: the input rows behind a provider's lines in a version. */
export async function providerInputRows(db: Db, year: number, version: number, providerId: string) {
  const at = { year, version, provider_id: providerId };
  const [map, address] = await Promise.all([
    db('settlement_map_material').where(at).orderBy('dataset_id'),
    db('settlement_address_material').where(at),
  ]);
  return {
    mapMaterial: map.map((m) => ({
      line: m.line,
      providerId,
      datasetId: m.dataset_id,
      areaKm2: m.area_km2,
      scaleDenominator: m.scale_denominator,
      inServiceFrom: m.in_service_from,
      inServiceTo: m.in_service_to,
    })),
    addressMaterial: address.map((a) => ({ line: a.line, providerId, addresses: a.addresses })),
  };
}
