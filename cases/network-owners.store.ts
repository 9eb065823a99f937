import type { Knex } from 'knex';
import { bbox, type Area, type Polygon } from '../domain/geometry';
import type { IsoDate } from '../domain/calendar';
import type { Db } from '../platform/db';
import type { OwnerMode } from './cases.rules';

/** L11, L14: a network owner whose lines a case's work area may reach. */
export interface NetworkOwnerRow {
  id: string;
  name: string;
  organisation_number: string | null;
  email: string;
  contact: string | null;
  mode: OwnerMode;
  /** L14: the case price-list fee charged for a locate of a maps-only owner's lines. */
  fee_class: string | null;
  /** Not matched to cases whose order time is on or after this date. */
  retired_from: IsoDate | null;
}

export interface CoverageVersionRow {
  id: string;
  owner_id: string;
  version: number;
  valid_from: IsoDate;
  source: string;
  features: number;
  loaded_by: string;
  reason: string;
  loaded_at: Date;
}

/** An owner whose coverage in force on a date meets a work area, with the version that decided it. */
export interface OwnerMatch {
  id: string;
  name: string;
  mode: OwnerMode;
  coverageVersion: number;
  coverageValidFrom: IsoDate;
}

const OWNER_COLUMNS = ['id', 'name', 'organisation_number', 'email', 'contact', 'mode', 'fee_class', 'retired_from'];

/** Owners by id, a page at a time (keyset: after the last id of the previous page). */
export async function listNetworkOwners(db: Db, page: { limit: number; after?: string }): Promise<NetworkOwnerRow[]> {
  return db('network_owners')
    .select(OWNER_COLUMNS)
    .modify((q) => {
      if (page.after) q.where('id', '>', page.after);
    })
    .orderBy('id')
    .limit(page.limit);
}

export async function getNetworkOwner(db: Db | Knex.Transaction, id: string): Promise<NetworkOwnerRow | undefined> {
  return db('network_owners').select(OWNER_COLUMNS).where({ id }).first();
}

export async function insertNetworkOwner(db: Db | Knex.Transaction, owner: NetworkOwnerRow): Promise<void> {
  await db('network_owners').insert(owner);
}

export async function updateNetworkOwner(
  db: Db | Knex.Transaction,
  id: string,
  changes: Partial<Omit<NetworkOwnerRow, 'id'>>,
): Promise<void> {
  await db('network_owners').where({ id }).update(changes);
}

export async function coverageVersions(db: Db, ownerId: string): Promise<CoverageVersionRow[]> {
  return db('network_owner_coverages').where({ owner_id: ownerId }).orderBy('version', 'desc');
}

/**
 * Stores a new coverage version of the owner, numbered after its last one, with its parts and
 * their bounding boxes. A stored version never changes; a later one replaces it from its date.
 */
export async function addCoverageVersion(
  trx: Knex.Transaction,
  v: Omit<CoverageVersionRow, 'id' | 'version' | 'loaded_at'>,
  parts: Polygon[],
): Promise<CoverageVersionRow> {
  // One load at a time per owner, so two loads cannot take the same version number.
  await trx('network_owners').where({ id: v.owner_id }).forUpdate().first();
  const last = await trx('network_owner_coverages').where({ owner_id: v.owner_id }).max({ n: 'version' }).first();
  const [row] = await trx('network_owner_coverages')
    .insert({ ...v, version: Number(last?.n ?? 0) + 1 })
    .returning('*');
  for (let i = 0; i < parts.length; i += 500)
    await trx('network_owner_coverage_parts').insert(
      parts.slice(i, i + 500).map((geometry, k) => {
        const box = bbox(geometry);
        return {
          coverage_id: row.id,
          part: i + k + 1,
          geometry: JSON.stringify(geometry),
          bbox: trx.raw('box(point(?, ?), point(?, ?))', [box.minE, box.minN, box.maxE, box.maxN]),
        };
      }),
    );
  return row as CoverageVersionRow;
}

/**
 * The coverage version of each owner in force on `date`: its latest version valid from that date
 * or earlier. Retired owners (from `date` or before) have none.
 */
const inForce = (db: Db, date: IsoDate) =>
  db('network_owner_coverages as c')
    .join('network_owners as o', 'o.id', 'c.owner_id')
    .where('c.valid_from', '<=', date)
    .where((q) => q.whereNull('o.retired_from').orWhere('o.retired_from', '>', date))
    .whereNotExists(
      db('network_owner_coverages as n')
        .whereRaw('n.owner_id = c.owner_id')
        .where('n.valid_from', '<=', date)
        .whereRaw('n.valid_from > c.valid_from'),
    );

/**
 * The parts of the coverages in force on `date` whose bounding box meets the area's (the GiST
 * index finds them); the exact test is the caller's. Parts of one owner come together.
 */
export async function coveragePartsNear(
  db: Db,
  area: Area,
  date: IsoDate,
): Promise<(OwnerMatch & { geometry: Polygon })[]> {
  const box = bbox(area);
  const rows: {
    id: string;
    name: string;
    mode: OwnerMode;
    version: number;
    valid_from: IsoDate;
    geometry: Polygon;
  }[] = await inForce(db, date)
    .join('network_owner_coverage_parts as p', 'p.coverage_id', 'c.id')
    .whereRaw('p.bbox && box(point(?, ?), point(?, ?))', [box.minE, box.minN, box.maxE, box.maxN])
    .select('o.id', 'o.name', 'o.mode', 'c.version', 'c.valid_from', 'p.geometry')
    .orderBy('o.id');
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    mode: r.mode,
    coverageVersion: r.version,
    coverageValidFrom: r.valid_from,
    geometry: r.geometry,
  }));
}

/** Every part of every coverage in force on `date`, by owner: the staff page's map. */
export async function coveragesInForce(
  db: Db,
  date: IsoDate,
): Promise<{ owner_id: string; name: string; geometry: Polygon }[]> {
  return inForce(db, date)
    .join('network_owner_coverage_parts as p', 'p.coverage_id', 'c.id')
    .select('o.id as owner_id', 'o.name', 'p.geometry')
    .orderBy(['o.id', 'p.part']);
}
