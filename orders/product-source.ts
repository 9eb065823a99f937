/**
 * The product sources (G7): one OGC GeoPackage per product, `{PRODUCT_SOURCE_DIR}/{productId}.gpkg`,
 * in EPSG:3006, each feature table a product table; an elevation grid is a GeoTIFF,
 * `{productId}.tif`. Every row of a feature table is one version of an object: `objektidentitet`
 * names the object, `giltig_fran`/`giltig_till` (ISO 8601 UTC, `giltig_till` NULL while current)
 * the time that version was valid. An edit closes the current version and adds the next; a
 * removal only closes it. So any past state, and any change between two, is in the source.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  addFeatureTable,
  createGeoPackage,
  envelopeOfGeometry,
  geometryBlob,
  indexTable,
  openGeoPackage,
  type GeoJsonGeometry,
  type GeoPackage,
} from '../platform/geopackage';

/** The history columns every source feature table has, besides its attributes. */
export const HISTORY_COLUMNS = [
  'objektidentitet TEXT NOT NULL',
  'objektversion INTEGER NOT NULL',
  'giltig_fran DATETIME NOT NULL',
  'giltig_till DATETIME',
];

export const sourceFile = (dir: string, productId: string, ext: 'gpkg' | 'tif') =>
  path.join(dir, `${productId}.${ext}`);

export type SourceKind = 'vector' | 'grid';

/** What the source of a product is, if there is one. */
export function sourceKind(dir: string, productId: string): SourceKind | null {
  if (fs.existsSync(sourceFile(dir, productId, 'gpkg'))) return 'vector';
  if (fs.existsSync(sourceFile(dir, productId, 'tif'))) return 'grid';
  return null;
}

/** One version of an object as a source writer gives it. */
export interface ObjectVersion {
  objektidentitet: string;
  objektversion: number;
  giltigFran: Date;
  giltigTill: Date | null;
  geometry: GeoJsonGeometry;
  attributes: Record<string, string | number>;
}

/** Creates a source table and its history indexes; `attributes` as `name TYPE`. */
export function addSourceTable(db: GeoPackage, name: string, geometryType: string, attributes: string[]): void {
  addFeatureTable(db, { name, geometryType, columns: [...HISTORY_COLUMNS, ...attributes] });
  db.exec(`CREATE INDEX "${name}_objekt" ON "${name}" (objektidentitet, giltig_fran)`);
}

/** A prepared writer of object versions into a source table. */
export function versionWriter(db: GeoPackage, table: string, attributes: string[]) {
  const names = attributes.map((a) => a.split(' ')[0]!);
  const insert = db.prepare(
    `INSERT INTO "${table}" (geom, objektidentitet, objektversion, giltig_fran, giltig_till${names
      .map((n) => `, ${n}`)
      .join('')}) VALUES (?, ?, ?, ?, ?${names.map(() => ', ?').join('')})`,
  );
  return (v: ObjectVersion) =>
    insert.run(
      geometryBlob(v.geometry, envelopeOfGeometry(v.geometry)),
      v.objektidentitet,
      v.objektversion,
      v.giltigFran.toISOString(),
      v.giltigTill?.toISOString() ?? null,
      ...names.map((n) => v.attributes[n] ?? null),
    );
}

/** A new source GeoPackage, filled by `fill` and then indexed; written aside and renamed. */
export function writeSource(
  file: string,
  tables: { name: string; geometryType: string; attributes: string[] }[],
  fill: (write: Record<string, (v: ObjectVersion) => void>) => void,
): void {
  const part = `${file}.${process.pid}.part`;
  fs.rmSync(part, { force: true });
  const db = createGeoPackage(part);
  try {
    const writers: Record<string, (v: ObjectVersion) => void> = {};
    for (const t of tables) {
      addSourceTable(db, t.name, t.geometryType, t.attributes);
      writers[t.name] = versionWriter(db, t.name, t.attributes);
    }
    db.transaction(() => fill(writers))();
    for (const t of tables) indexTable(db, t.name);
  } finally {
    db.close();
  }
  fs.renameSync(part, file);
}

/**
 * An edit of the source, as the agency's editors make them: at `at`, the current version of
 * `objektidentitet` is closed and, unless the object is removed, followed by a new version with
 * `attributes` (and `geometry`) changed. Answers the new version's number, or null on removal.
 */
export function editSourceObject(
  file: string,
  table: string,
  objektidentitet: string,
  at: Date,
  change: { remove: true } | { attributes?: Record<string, string | number>; geometry?: GeoJsonGeometry },
): number | null {
  const db = openGeoPackage(file);
  try {
    return db.transaction(() => {
      const current = db
        .prepare(`SELECT * FROM "${table}" WHERE objektidentitet = ? AND giltig_till IS NULL`)
        .get(objektidentitet) as Record<string, unknown> | undefined;
      if (!current) throw new Error(`${table} has no current ${objektidentitet}`);
      const when = at.toISOString();
      db.prepare(`UPDATE "${table}" SET giltig_till = ? WHERE fid = ?`).run(when, current.fid);
      if ('remove' in change) return null;
      const { fid: _fid, ...rest } = current;
      const next: Record<string, unknown> = {
        ...rest,
        ...change.attributes,
        objektversion: (current.objektversion as number) + 1,
        giltig_fran: when,
        giltig_till: null,
      };
      if (change.geometry) next.geom = geometryBlob(change.geometry, envelopeOfGeometry(change.geometry));
      const columns = Object.keys(next);
      db.prepare(
        `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      ).run(...columns.map((c) => next[c]));
      return next.objektversion as number;
    })();
  } finally {
    db.close();
  }
}
