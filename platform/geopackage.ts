/**
 * OGC GeoPackage 1.3 (OGC 12-128r18) files in EPSG:3006 over better-sqlite3: the product sources
 * and the extracts production writes. Geometries are WKB (wkx) behind the GeoPackage geometry
 * header (§2.1.3); every feature table has the R-tree spatial index extension (§F.3).
 */
import Database from 'better-sqlite3';
import wkx from 'wkx';

export type GeoPackage = Database.Database;
export type GeoJsonGeometry = { type: string; coordinates: unknown };

export const SRS_ID = 3006;
const SWEREF99_TM_WKT =
  'PROJCS["SWEREF99 TM",GEOGCS["SWEREF99",DATUM["SWEREF99",SPHEROID["GRS 1980",6378137,298.257222101]],' +
  'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],' +
  'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],' +
  'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","3006"]]';

/** Envelope [minX, maxX, minY, maxY], the order of the header and of the R-tree. */
export type Envelope = [number, number, number, number];

const GPKG_APPLICATION_ID = 0x47504b47; // 'GPKG'
const GPKG_VERSION = 10300;

/** The GeoPackage geometry blob: header (magic, version, flags, srs_id, xy envelope), then standard WKB. */
export function geometryBlob(geometry: GeoJsonGeometry, envelope: Envelope): Buffer {
  const header = Buffer.alloc(8 + 32);
  header.write('GP', 0, 'ascii');
  header.writeUInt8(0, 2); // version 1
  header.writeUInt8(0b0000_0011, 3); // little endian, envelope [minx, maxx, miny, maxy]
  header.writeInt32LE(SRS_ID, 4);
  envelope.forEach((v, i) => header.writeDoubleLE(v, 8 + i * 8));
  return Buffer.concat([header, wkx.Geometry.parseGeoJSON(geometry).toWkb()]);
}

const ENVELOPE_DOUBLES = [0, 4, 6, 6, 8];

function headerOf(blob: Buffer) {
  if (blob.toString('ascii', 0, 2) !== 'GP') throw new Error('not a GeoPackage geometry');
  const flags = blob.readUInt8(3);
  const little = (flags & 1) === 1;
  const doubles = ENVELOPE_DOUBLES[(flags >> 1) & 0b111] ?? 0;
  const read = (i: number) => (little ? blob.readDoubleLE(8 + i * 8) : blob.readDoubleBE(8 + i * 8));
  return {
    empty: (flags & 0b1_0000) !== 0,
    envelope: doubles >= 4 ? ([read(0), read(1), read(2), read(3)] as Envelope) : null,
    wkbOffset: 8 + doubles * 8,
  };
}

/** The geometry of a GeoPackage blob as GeoJSON. */
export function geometryOf(blob: Buffer): GeoJsonGeometry {
  return wkx.Geometry.parse(blob.subarray(headerOf(blob).wkbOffset)).toGeoJSON() as GeoJsonGeometry;
}

/** The blob's envelope, from its header or else from its geometry. */
export function envelopeOf(blob: Buffer): Envelope {
  const header = headerOf(blob);
  if (header.envelope) return header.envelope;
  return envelopeOfGeometry(geometryOf(blob));
}

export function envelopeOfGeometry(geometry: GeoJsonGeometry): Envelope {
  const e: Envelope = [Infinity, -Infinity, Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [x, y] = c as [number, number];
      e[0] = Math.min(e[0], x);
      e[1] = Math.max(e[1], x);
      e[2] = Math.min(e[2], y);
      e[3] = Math.max(e[3], y);
    } else for (const p of c as unknown[]) walk(p);
  };
  walk(geometry.coordinates);
  return e;
}

/**
 * Opens a GeoPackage. The SQL functions the R-tree triggers call (§F.3) are registered, so that
 * rows can be written through this connection as through GDAL.
 */
export function openGeoPackage(file: string, opts: { readonly?: boolean } = {}): GeoPackage {
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: true });
  registerFunctions(db);
  return db;
}

function registerFunctions(db: GeoPackage) {
  const side = (i: number) => (blob: Buffer | null) => (blob === null ? null : envelopeOf(blob)[i]!);
  db.function('ST_MinX', { deterministic: true }, side(0));
  db.function('ST_MaxX', { deterministic: true }, side(1));
  db.function('ST_MinY', { deterministic: true }, side(2));
  db.function('ST_MaxY', { deterministic: true }, side(3));
  db.function('ST_IsEmpty', { deterministic: true }, (blob: Buffer | null) =>
    blob === null ? null : headerOf(blob).empty ? 1 : 0,
  );
}

/** A new, empty GeoPackage with the required tables and EPSG:3006; tuned for one bulk write. */
export function createGeoPackage(file: string): GeoPackage {
  const db = new Database(file);
  registerFunctions(db);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  db.pragma(`user_version = ${GPKG_VERSION}`);
  db.exec(`
    CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
      organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
    CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
      description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
      CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
    CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
      geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
      CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
      CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
      CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
    CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
      definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
  `);
  const srs = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
  srs.run('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
  srs.run('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
  srs.run(
    'WGS 84 geodetic',
    4326,
    'EPSG',
    4326,
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]',
    'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid',
  );
  srs.run('SWEREF99 TM', SRS_ID, 'EPSG', SRS_ID, SWEREF99_TM_WKT, 'SWEREF 99 TM');
  return db;
}

export interface FeatureTable {
  name: string;
  /** POINT, LINESTRING, POLYGON, MULTIPOLYGON, GEOMETRY … (gpkg_geometry_columns). */
  geometryType: string;
  /** Attribute columns as `name TYPE`, in order. */
  columns: string[];
}

/** Adds a feature table (fid, geom, the columns) and registers it; its R-tree comes with `indexTable`. */
export function addFeatureTable(db: GeoPackage, table: FeatureTable): void {
  db.exec(
    `CREATE TABLE "${table.name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom ${table.geometryType}${table.columns
      .map((c) => `, ${c}`)
      .join('')})`,
  );
  db.prepare("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)").run(
    table.name,
    table.name,
    SRS_ID,
  );
  db.prepare('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)').run(
    table.name,
    'geom',
    table.geometryType,
    SRS_ID,
  );
}

/** The R-tree of a feature table, for a writer that fills it row by row (then `indexTable(…, { filled: true })`). */
export const rtreeTable = (t: string) =>
  `CREATE VIRTUAL TABLE "rtree_${t}_geom" USING rtree(id, minx, maxx, miny, maxy)`;

/**
 * The R-tree spatial index of a feature table (§F.3), filled from the rows present, its triggers
 * keeping it up to date after, and the table's extent in gpkg_contents. Called after a bulk
 * load: filling the tree once is much faster than trigger by trigger.
 */
export function indexTable(db: GeoPackage, t: string, opts: { filled?: boolean } = {}): void {
  const rtree = `rtree_${t}_geom`;
  if (!opts.filled)
    db.exec(`
      ${rtreeTable(t)};
      INSERT INTO "${rtree}" SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom) FROM "${t}"
        WHERE geom NOT NULL AND NOT ST_IsEmpty(geom);`);
  db.exec(`
    INSERT INTO gpkg_extensions VALUES ('${t}', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
    CREATE TRIGGER "${rtree}_insert" AFTER INSERT ON "${t}" WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
    BEGIN INSERT OR REPLACE INTO "${rtree}" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
    CREATE TRIGGER "${rtree}_update1" AFTER UPDATE OF geom ON "${t}" WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
    BEGIN INSERT OR REPLACE INTO "${rtree}" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
    CREATE TRIGGER "${rtree}_update2" AFTER UPDATE OF geom ON "${t}" WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
    BEGIN DELETE FROM "${rtree}" WHERE id = OLD.fid; END;
    CREATE TRIGGER "${rtree}_update3" AFTER UPDATE ON "${t}" WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
    BEGIN DELETE FROM "${rtree}" WHERE id = OLD.fid; INSERT OR REPLACE INTO "${rtree}" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
    CREATE TRIGGER "${rtree}_update4" AFTER UPDATE ON "${t}" WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
    BEGIN DELETE FROM "${rtree}" WHERE id IN (OLD.fid, NEW.fid); END;
    CREATE TRIGGER "${rtree}_delete" AFTER DELETE ON "${t}" WHEN old.geom NOT NULL
    BEGIN DELETE FROM "${rtree}" WHERE id = OLD.fid; END;
  `);
  const extent = db.prepare(`SELECT min(minx) a, min(miny) b, max(maxx) c, max(maxy) d FROM "${rtree}"`).get() as {
    a: number | null;
    b: number | null;
    c: number | null;
    d: number | null;
  };
  db.prepare('UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?').run(
    extent.a,
    extent.b,
    extent.c,
    extent.d,
    t,
  );
}

/** The feature tables of a GeoPackage, in gpkg_contents. */
export function featureTables(db: GeoPackage): { name: string; geometryType: string }[] {
  return db
    .prepare(
      `SELECT c.table_name name, g.geometry_type_name geometryType FROM gpkg_contents c
       JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name`,
    )
    .all() as { name: string; geometryType: string }[];
}
