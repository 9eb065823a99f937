/**
 * Issue 21 (L11): a network owner's coverage area from the files owners send: GeoJSON, a zipped
 * shapefile or a GeoPackage, in SWEREF 99 TM (EPSG:3006). Every feature is checked as a work area
 * is (real polygons inside Sweden's extent); the problems come back per feature, so the owner can
 * fix them all at once, and a file with any problem gives no coverage at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as shapefile from 'shapefile';
import yauzl from 'yauzl';
import { polygonsOf, validateArea, type GeometryProblem, type Polygon } from '../domain/geometry';
import { geometryOf, openGeoPackage, SRS_ID } from '../platform/geopackage';

export const COVERAGE_FORMATS = ['geojson', 'shapefile', 'geopackage'] as const;
export type CoverageFormat = (typeof COVERAGE_FORMATS)[number];

/** Sweden is about 450 000 km²: a national owner's coverage may be that large, no larger. */
const MAX_COVERAGE_KM2 = 500_000;
/** A file may hold any number of features up to this; each feature at most MAX_VERTICES positions. */
export const MAX_COVERAGE_FEATURES = 50_000;

export interface FeatureProblem {
  /** 1-based, in the file's order (a GeoPackage's tables by name, then rows). */
  feature: number;
  /** The feature's id or name when it has one, so the owner can find it. */
  name?: string;
  table?: string;
  problems: GeometryProblem[];
}

export type CoverageReading =
  | { ok: true; format: CoverageFormat; features: number; parts: Polygon[] }
  | { ok: false; format: CoverageFormat | null; file?: string; features: FeatureProblem[] };

interface RawFeature {
  geometry: unknown;
  name?: string;
  table?: string;
}

const fileProblem = (format: CoverageFormat | null, file: string): CoverageReading => ({
  ok: false,
  format,
  file,
  features: [],
});

/** The format by the file's first bytes: ZIP (a zipped shapefile), SQLite (a GeoPackage), else JSON text. */
export function sniffFormat(data: Buffer): CoverageFormat {
  if (data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'shapefile';
  if (data.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'geopackage';
  return 'geojson';
}

/** Reads and checks a coverage file; never throws on its content (A6). */
export async function readCoverage(data: Buffer): Promise<CoverageReading> {
  const format = sniffFormat(data);
  let raw: RawFeature[] | string;
  try {
    raw =
      format === 'shapefile'
        ? await shapefileFeatures(data)
        : format === 'geopackage'
          ? geoPackageFeatures(data)
          : geoJsonFeatures(data);
  } catch (err) {
    return fileProblem(format, `the ${format} file could not be read: ${(err as Error).message}`);
  }
  if (typeof raw === 'string') return fileProblem(format, raw);
  if (raw.length === 0) return fileProblem(format, 'the file holds no features');
  if (raw.length > MAX_COVERAGE_FEATURES)
    return fileProblem(format, `the file holds ${raw.length} features; at most ${MAX_COVERAGE_FEATURES} are accepted`);
  const problems: FeatureProblem[] = [];
  const parts: Polygon[] = [];
  raw.forEach((f, i) => {
    const checked = validateArea(f.geometry, { maxAreaKm2: MAX_COVERAGE_KM2 });
    if (!checked.ok)
      problems.push({
        feature: i + 1,
        ...(f.name ? { name: f.name } : {}),
        ...(f.table ? { table: f.table } : {}),
        problems: checked.problems,
      });
    // Each polygon is its own part: its bounding box is tight, so matching reads only the parts near a work area.
    else for (const coordinates of polygonsOf(checked.geometry)) parts.push({ type: 'Polygon', coordinates });
  });
  if (problems.length > 0) return { ok: false, format, features: problems };
  return { ok: true, format, features: raw.length, parts };
}

const featureName = (id: unknown, properties: unknown): string | undefined => {
  const props = (properties ?? {}) as Record<string, unknown>;
  const name = id ?? props.id ?? props.name ?? props.namn;
  return typeof name === 'string' || typeof name === 'number' ? String(name).slice(0, 100) : undefined;
};

/** EPSG:3006 by any of the ways GeoJSON files name it (RFC 7946 has no crs member; older files do). */
const SWEREF_CRS = /(^|[^0-9])3006$|SWEREF[ _]?99[ _]?TM/i;

function geoJsonFeatures(data: Buffer): RawFeature[] | string {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return 'the file is neither JSON text (GeoJSON), a ZIP (zipped shapefile) nor a GeoPackage';
  }
  if (typeof doc !== 'object' || doc === null) return 'the GeoJSON is not an object';
  const o = doc as { type?: unknown; features?: unknown; crs?: { properties?: { name?: unknown } } };
  const crs = o.crs?.properties?.name;
  if (crs !== undefined && !(typeof crs === 'string' && SWEREF_CRS.test(crs)))
    return `the GeoJSON's crs is ${JSON.stringify(crs)}; coverage must be in SWEREF 99 TM (EPSG:3006)`;
  if (o.type === 'FeatureCollection') {
    if (!Array.isArray(o.features)) return 'the FeatureCollection has no features array';
    return o.features.map((f: { id?: unknown; geometry?: unknown; properties?: unknown } | null) => ({
      geometry: f?.geometry,
      name: featureName(f?.id, f?.properties),
    }));
  }
  if (o.type === 'Feature') {
    const f = o as { id?: unknown; geometry?: unknown; properties?: unknown };
    return [{ geometry: f.geometry, name: featureName(f.id, f.properties) }];
  }
  return [{ geometry: doc }];
}

/** The entries of a ZIP, whole, by their base name in lower case (a shapefile's parts may sit in a folder). */
function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err) return reject(err);
      const files = new Map<string, Buffer>();
      let total = 0;
      zip.on('error', reject);
      zip.on('end', () => resolve(files));
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = path.posix.basename(entry.fileName).toLowerCase();
        if (entry.fileName.endsWith('/') || !/\.(shp|dbf|prj)$/.test(name)) return zip.readEntry();
        // A zip bomb stops here: no coverage file is near this size unpacked.
        total += entry.uncompressedSize;
        if (total > 200 * 1_048_576) return reject(new Error('the unpacked shapefile is larger than 200 MB'));
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

async function shapefileFeatures(data: Buffer): Promise<RawFeature[] | string> {
  const files = await unzip(data);
  const named = (ext: string) => [...files.entries()].filter(([n]) => n.endsWith(ext));
  const shp = named('.shp');
  if (shp.length !== 1) return `the ZIP must hold exactly one .shp file; it holds ${shp.length}`;
  const base = shp[0]![0].slice(0, -4);
  const prj = files.get(`${base}.prj`)?.toString('utf8');
  if (prj !== undefined && !/SWEREF[ _]?99[ _]?TM|"EPSG",\s*"?3006/i.test(prj))
    return 'the .prj file names another projection; coverage must be in SWEREF 99 TM (EPSG:3006)';
  const dbf = files.get(`${base}.dbf`);
  const source = await shapefile.open(toArrayBuffer(shp[0]![1]), dbf ? toArrayBuffer(dbf) : undefined, {
    encoding: 'utf-8',
  });
  const features: RawFeature[] = [];
  for (let r = await source.read(); !r.done; r = await source.read()) {
    if (features.length >= MAX_COVERAGE_FEATURES)
      return `the shapefile holds more than ${MAX_COVERAGE_FEATURES} features`;
    features.push({ geometry: r.value.geometry, name: featureName(undefined, r.value.properties) });
  }
  return features;
}

const toArrayBuffer = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** Every feature of every feature table (a GeoPackage has its geometry column and SRS per table). */
function geoPackageFeatures(data: Buffer): RawFeature[] | string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-coverage-'));
  const file = path.join(dir, 'coverage.gpkg');
  try {
    fs.writeFileSync(file, data);
    const gpkg = openGeoPackage(file, { readonly: true });
    try {
      const tables = gpkg
        .prepare(
          `SELECT c.table_name name, g.column_name geom, g.srs_id srs FROM gpkg_contents c
           JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name`,
        )
        .all() as { name: string; geom: string; srs: number }[];
      if (tables.length === 0) return 'the GeoPackage has no feature table';
      const other = tables.find((t) => t.srs !== SRS_ID);
      if (other)
        return `the GeoPackage table "${other.name}" is in SRS ${other.srs}; coverage must be in SWEREF 99 TM (EPSG:3006)`;
      const features: RawFeature[] = [];
      for (const t of tables) {
        const rows = gpkg.prepare(`SELECT * FROM "${t.name.replace(/"/g, '""')}"`).iterate() as Iterable<
          Record<string, unknown>
        >;
        let n = 0;
        for (const row of rows) {
          n += 1;
          if (features.length >= MAX_COVERAGE_FEATURES)
            return `the GeoPackage holds more than ${MAX_COVERAGE_FEATURES} features`;
          const blob = row[t.geom];
          let geometry: unknown = null;
          try {
            geometry = Buffer.isBuffer(blob) ? geometryOf(blob) : null;
          } catch {
            geometry = { type: 'unreadable GeoPackage geometry' };
          }
          features.push({ geometry, table: t.name, name: featureName(row.fid ?? n, row) });
        }
      }
      return features;
    } finally {
      gpkg.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
