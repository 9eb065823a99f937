import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fromFile, writeArrayBuffer } from 'geotiff';
import Coordinate from 'jsts/org/locationtech/jts/geom/Coordinate.js';
import GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import GeoJSONReader from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import GeoJSONWriter from 'jsts/org/locationtech/jts/io/GeoJSONWriter.js';
import SnapIfNeededOverlayOp from 'jsts/org/locationtech/jts/operation/overlay/snap/SnapIfNeededOverlayOp.js';
// Installs Geometry's predicates (covers, intersects, contains) on the prototype, as JTS has them.
import 'jsts/org/locationtech/jts/monkey.js';
import yazl from 'yazl';
import { bbox, type Area } from '../domain/geometry';
import {
  addFeatureTable,
  createGeoPackage,
  envelopeOf,
  envelopeOfGeometry,
  featureTables,
  geometryBlob,
  geometryOf,
  indexTable,
  openGeoPackage,
  rtreeTable,
  type GeoJsonGeometry,
  type GeoPackage,
} from '../platform/geopackage';
import { sourceFile, sourceKind } from './product-source';
import { UTTAG_FILE, uttagJson, type Statistik } from './uttag';
import { formatKind, type DeliveryTyp } from './orders.rules';

export interface ProductionRequest {
  orderId: string;
  deliveryId: string;
  productId: string;
  selection: Area;
  typ: DeliveryTyp;
  /** The instant the extract is taken at (the workflow's clock); it is also the data version. */
  asOf: number;
  /** FORANDRING: the data version (production time) of the previous successful delivery. */
  sinceVersion: number | null;
}

/** What a producer is asked: the request and the order's format (G7). */
export type ProductionOrder = ProductionRequest & { format: string };

export interface ProducedFile {
  /**
   * The file's title: a safe file name ([A-Za-z0-9._-]), the same from delivery to delivery of a
   * product, because clients match titles exactly (G10).
   */
  name: string;
  type: string;
  /** The bytes, or a file the producer wrote (large extracts never pass through memory). */
  content: Buffer | { path: string };
  /** A data file's objects per table, for `uttag.json` (G10); absent for a file that holds no data. */
  statistik?: Statistik[];
}

/** A production system: the built-in one below, or a real one plugged in behind the same call. */
export interface Producer {
  /** The files and the data version they hold; `done` removes what production left on disk. */
  produce(
    request: ProductionOrder,
    progress: (note: string) => void,
  ): Promise<{ files: ProducedFile[]; version: number; done(): Promise<void> }>;
}

/** Production cannot make this extract, and trying again will not change that. */
export class ProductionRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Geometry types of the delivered tables: clipping can split a line or polygon, so they are multi. */
const OUTPUT_TYPE: Record<string, string> = {
  POINT: 'POINT',
  MULTIPOINT: 'MULTIPOINT',
  LINESTRING: 'MULTILINESTRING',
  MULTILINESTRING: 'MULTILINESTRING',
  POLYGON: 'MULTIPOLYGON',
  MULTIPOLYGON: 'MULTIPOLYGON',
};

interface Envelope {
  getMinX(): number;
  getMaxX(): number;
  getMinY(): number;
  getMaxY(): number;
  intersects(other: Envelope): boolean;
  covers(other: Envelope): boolean;
}
/** The part of JTS's Geometry used here (jsts's typings leave these out). */
interface Geometry {
  getDimension(): number;
  isEmpty(): boolean;
  isRectangle(): boolean;
  getNumGeometries(): number;
  getGeometryN(i: number): Geometry;
  getEnvelopeInternal(): Envelope;
  intersects(other: Geometry): boolean;
  covers(other: Geometry): boolean;
  contains(other: Geometry): boolean;
}

/**
 * Clips geometries to the selection with JTS (jsts): a geometry the selection covers is kept as
 * it is, one it crosses is cut, keeping only parts of its own dimension (a polygon touching the
 * border leaves no line behind); null when nothing of it is inside.
 */
export function selectionClipper(selection: Area) {
  const factory = new GeometryFactory();
  const reader = new GeoJSONReader(factory);
  const writer = new GeoJSONWriter();
  const area = reader.read(selection) as Geometry;
  const box = area.getEnvelopeInternal();
  // JTS's own shortcut (RectangleContains): an axis-parallel rectangle covers what its envelope covers.
  const rectangle = area.isRectangle();
  const covers = (g: Geometry) => box.covers(g.getEnvelopeInternal()) && (rectangle || area.covers(g));
  const multi = (g: GeoJsonGeometry): GeoJsonGeometry =>
    g.type === 'LineString' || g.type === 'Polygon' ? { type: `Multi${g.type}`, coordinates: [g.coordinates] } : g;
  return {
    /** Whether a point lies inside the selection. */
    contains: (e: number, n: number) => area.contains(factory.createPoint(new Coordinate(e, n))),
    /**
     * Whether a rectangular selection surely covers a geometry with this envelope
     * ([minX, maxX, minY, maxY], e.g. from a GeoPackage header): then it needs no parsing by JTS.
     */
    coversEnvelope: ([minX, maxX, minY, maxY]: [number, number, number, number]) =>
      rectangle && box.getMinX() <= minX && box.getMaxX() >= maxX && box.getMinY() <= minY && box.getMaxY() >= maxY,
    /** A geometry kept whole, as delivered: lines and polygons as their multi types. */
    multi,
    /** `g` cut to the selection, or null when nothing of it is inside. */
    clip(g: GeoJsonGeometry): GeoJsonGeometry | null {
      const geom = reader.read(g) as Geometry;
      if (!box.intersects(geom.getEnvelopeInternal())) return null;
      if (covers(geom)) return multi(g);
      const cut = SnapIfNeededOverlayOp.intersection(area, geom) as Geometry;
      const parts: Geometry[] = [];
      for (let i = 0; i < cut.getNumGeometries(); i++) {
        const part = cut.getGeometryN(i);
        if (part.getDimension() === geom.getDimension() && !part.isEmpty()) parts.push(part);
      }
      if (parts.length === 0) return null;
      const dimension = geom.getDimension();
      const joined =
        dimension === 2
          ? factory.createMultiPolygon(parts)
          : dimension === 1
            ? factory.createMultiLineString(parts)
            : parts.length === 1
              ? parts[0]!
              : factory.createMultiPoint(parts);
      return writer.write(joined) as GeoJsonGeometry;
    },
  };
}

/** `andring` of a change extract's object (G8). */
export type Andring = 'tillkommen' | 'andrad' | 'borttagen';

interface SourceRow {
  fid: number;
  geom: Buffer;
  objektidentitet: string;
  giltig_fran: string;
  giltig_till: string | null;
  [column: string]: unknown;
}

/** Columns a delivered table carries: the source's, less its key, geometry and end of validity. */
function deliveredColumns(db: GeoPackage, table: string) {
  return (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string }[])
    .filter((c) => !['fid', 'geom', 'giltig_till'].includes(c.name))
    .map((c) => ({ name: c.name, type: c.type || 'TEXT' }));
}

const validAt = (row: SourceRow, at: string) =>
  row.giltig_fran <= at && (row.giltig_till === null || row.giltig_till > at);

/** Yields to the event loop now and then, so a long extract lets the worker heartbeat and run workflows. */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The objects of a table in the selection (G7), clipped: BAS, the versions valid at `asOf`;
 * FORANDRING (G8), the objects whose state in the selection differs between `since` and `asOf`,
 * from the source's history, marked with `andring` (a removed object as it last was). Reads only
 * rows whose R-tree box meets the selection's box, one at a time.
 */
async function* extractRows(
  db: GeoPackage,
  table: string,
  request: ProductionOrder,
  clipper: ReturnType<typeof selectionClipper>,
): AsyncGenerator<{ row: SourceRow; geometry: GeoJsonGeometry; andring?: Andring }> {
  const box = bbox(request.selection);
  const inBox = `fid IN (SELECT id FROM "rtree_${table}_geom" WHERE minx <= @maxE AND maxx >= @minE AND miny <= @maxN AND maxy >= @minN)`;
  const at = new Date(request.asOf).toISOString();
  const clip = (row: SourceRow) =>
    clipper.coversEnvelope(envelopeOf(row.geom))
      ? clipper.multi(geometryOf(row.geom))
      : clipper.clip(geometryOf(row.geom));
  let n = 0;
  if (request.typ === 'BAS') {
    const rows = db
      .prepare(
        `SELECT * FROM "${table}" WHERE ${inBox} AND giltig_fran <= @at AND (giltig_till IS NULL OR giltig_till > @at)`,
      )
      .iterate({ ...box, at }) as IterableIterator<SourceRow>;
    for (const row of rows) {
      if (++n % 2000 === 0) await breathe();
      const geometry = clip(row);
      if (geometry) yield { row, geometry };
    }
    return;
  }
  if (request.sinceVersion === null) throw new RangeError('a change extract needs the time of the previous delivery');
  const since = new Date(request.sinceVersion).toISOString();
  const rows = db
    .prepare(
      `SELECT * FROM "${table}" WHERE ${inBox} AND ((giltig_fran > @since AND giltig_fran <= @at)
         OR (giltig_till > @since AND giltig_till <= @at)) ORDER BY objektidentitet, giltig_fran`,
    )
    .iterate({ ...box, at, since }) as IterableIterator<SourceRow>;
  let group: SourceRow[] = [];
  const settle = (versions: SourceRow[]) => {
    const beforeRow = versions.find((r) => validAt(r, since));
    const afterRow = versions.find((r) => validAt(r, at));
    const before = beforeRow && clip(beforeRow);
    const after = afterRow && clip(afterRow);
    if (after && !before) return { row: afterRow, geometry: after, andring: 'tillkommen' as const };
    if (after && before && afterRow.fid !== beforeRow.fid)
      return { row: afterRow, geometry: after, andring: 'andrad' as const };
    if (before && !after) return { row: beforeRow, geometry: before, andring: 'borttagen' as const };
    return null;
  };
  for (const row of rows) {
    if (++n % 2000 === 0) await breathe();
    if (group.length > 0 && group[0]!.objektidentitet !== row.objektidentitet) {
      const change = settle(group);
      if (change) yield change;
      group = [];
    }
    group.push(row);
  }
  const last = group.length > 0 && settle(group);
  if (last) yield last;
}

type Extracted = AsyncGenerator<{ row: SourceRow; geometry: GeoJsonGeometry; andring?: Andring }>;

/** Writes one table's extract as a GeoPackage with its R-tree; answers the objects written. */
async function writeGeoPackageTable(
  file: string,
  table: { name: string; geometryType: string },
  columns: { name: string; type: string }[],
  rows: Extracted,
): Promise<number> {
  const db = createGeoPackage(file);
  try {
    addFeatureTable(db, {
      name: table.name,
      geometryType: OUTPUT_TYPE[table.geometryType.toUpperCase()] ?? 'GEOMETRY',
      columns: columns.map((c) => `"${c.name}" ${c.type}`),
    });
    // The R-tree is filled beside each row, from the envelope already at hand.
    db.exec(rtreeTable(table.name));
    const index = db.prepare(`INSERT INTO "rtree_${table.name}_geom" VALUES (?, ?, ?, ?, ?)`);
    const insert = db.prepare(
      `INSERT INTO "${table.name}" (geom${columns.map((c) => `, "${c.name}"`).join('')}) VALUES (?${columns
        .map(() => ', ?')
        .join('')})`,
    );
    let count = 0;
    db.exec('BEGIN');
    for await (const { row, geometry, andring } of rows) {
      const values = columns.map((c) => (c.name === 'andring' ? andring : row[c.name]));
      const envelope = envelopeOfGeometry(geometry);
      const { lastInsertRowid } = insert.run(geometryBlob(geometry, envelope), ...values);
      index.run(lastInsertRowid, ...envelope);
      count++;
    }
    db.exec('COMMIT');
    indexTable(db, table.name, { filled: true });
    return count;
  } finally {
    db.close();
  }
}

/** Writes one table's extract as a GeoJSON FeatureCollection (EPSG:3006), a buffer at a time. */
async function writeGeoJsonTable(file: string, columns: { name: string }[], rows: Extracted): Promise<number> {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk =
      '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[';
    let count = 0;
    for await (const { row, geometry, andring } of rows) {
      const properties: Record<string, unknown> = {};
      for (const c of columns) properties[c.name] = c.name === 'andring' ? andring : row[c.name];
      chunk += `${count > 0 ? ',' : ''}${JSON.stringify({ type: 'Feature', id: row.objektidentitet, geometry, properties })}`;
      count++;
      if (chunk.length > 1 << 16) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    fs.writeSync(fd, `${chunk}]}`);
    return count;
  } finally {
    fs.closeSync(fd);
  }
}

/** Packs files into a ZIP on disk, every entry dated the production time. */
async function zipFiles(target: string, entries: { path?: string; data?: Buffer; name: string }[], mtime: Date) {
  const zip = new yazl.ZipFile();
  // The fastest deflate: GeoPackages and GeoJSON still shrink several-fold, at a fraction of the CPU.
  const options = { mtime, compressionLevel: 1 };
  for (const e of entries)
    if (e.path) zip.addFile(e.path, e.name, options);
    else zip.addBuffer(e.data!, e.name, options);
  zip.end();
  await pipeline(zip.outputStream, fs.createWriteStream(target));
}

/**
 * Vector products (G7): GeoPackage, one ZIP per theme (table), `{table}.zip` holding
 * `{table}.gpkg`; GeoJSON, one ZIP `{productId}.zip` with `{table}.geojson` per table and its own
 * `uttag.json`.
 */
async function produceVector(request: ProductionOrder, source: string, dir: string, progress: (note: string) => void) {
  const db = openGeoPackage(source, { readonly: true });
  const clipper = selectionClipper(request.selection);
  const mtime = new Date(request.asOf);
  const files: ProducedFile[] = [];
  const geojson: { name: string; path: string; statistik: Statistik[] }[] = [];
  try {
    for (const table of featureTables(db)) {
      const columns = [
        ...deliveredColumns(db, table.name),
        ...(request.typ === 'FORANDRING' ? [{ name: 'andring', type: 'TEXT' }] : []),
      ];
      const rows = extractRows(db, table.name, request, clipper);
      if (request.format === 'GeoPackage') {
        const gpkg = path.join(dir, `${table.name}.gpkg`);
        const count = await writeGeoPackageTable(gpkg, table, columns, rows);
        const zip = path.join(dir, `${table.name}.zip`);
        await zipFiles(zip, [{ path: gpkg, name: `${table.name}.gpkg` }], mtime);
        files.push({
          name: `${table.name}.zip`,
          type: 'application/zip',
          content: { path: zip },
          statistik: [{ tabellnamn: table.name, antalObjekt: count }],
        });
        progress(`${table.name}: ${count} objects`);
      } else {
        const file = path.join(dir, `${table.name}.geojson`);
        const count = await writeGeoJsonTable(file, columns, rows);
        geojson.push({
          name: `${table.name}.geojson`,
          path: file,
          statistik: [{ tabellnamn: table.name, antalObjekt: count }],
        });
        progress(`${table.name}: ${count} objects`);
      }
    }
  } finally {
    db.close();
  }
  if (request.format === 'GeoJSON') {
    const zip = path.join(dir, `${request.productId}.zip`);
    const uttag = Buffer.from(JSON.stringify(uttagJson(request.selection, geojson), null, 2));
    await zipFiles(zip, [...geojson, { name: UTTAG_FILE, data: uttag }], mtime);
    files.push({
      name: `${request.productId}.zip`,
      type: 'application/zip',
      content: { path: zip },
      statistik: geojson.flatMap((g) => g.statistik),
    });
  }
  return files;
}

const NODATA = -9999;

/**
 * An elevation grid (G7): the source GeoTIFF's cells over the selection's box, read as that
 * window only; cells whose centre is outside the selection are nodata. One ZIP,
 * `{productId}.zip`, holding `{productId}.tif` with its EPSG:3006 geo-keys. A grid has no object
 * history: a change extract holds the grid as of now.
 */
async function produceGrid(request: ProductionOrder, source: string, dir: string, progress: (note: string) => void) {
  const tiff = await fromFile(source);
  const image = await tiff.getImage();
  const [originE, originN] = image.getOrigin() as [number, number];
  const [resE, resN] = image.getResolution() as [number, number]; // resN < 0: rows run southwards
  const box = bbox(request.selection);
  const col0 = Math.max(0, Math.floor((box.minE - originE) / resE));
  const col1 = Math.min(image.getWidth(), Math.ceil((box.maxE - originE) / resE));
  const row0 = Math.max(0, Math.floor((box.maxN - originN) / resN));
  const row1 = Math.min(image.getHeight(), Math.ceil((box.minN - originN) / resN));
  if (col1 <= col0 || row1 <= row0)
    throw new ProductionRefusal('outside_source', `The selection is outside ${request.productId}'s grid`);
  const width = col1 - col0;
  const height = row1 - row0;
  const window = (await image.readRasters({
    window: [col0, row0, col1, row1],
    interleave: true,
  })) as unknown as ArrayLike<number>;
  const values = new Float32Array(width * height);
  const { contains } = selectionClipper(request.selection);
  let cells = 0;
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      const e = originE + (col0 + c + 0.5) * resE;
      const n = originN + (row0 + r + 0.5) * resN;
      const inside = contains(e, n);
      values[r * width + c] = inside ? window[r * width + c]! : NODATA;
      if (inside) cells++;
    }
  const tif = path.join(dir, `${request.productId}.tif`);
  fs.writeFileSync(
    tif,
    Buffer.from(
      writeArrayBuffer(values, {
        width,
        height,
        ModelPixelScale: [resE, -resN, 0],
        ModelTiepoint: [0, 0, 0, originE + col0 * resE, originN + row0 * resN, 0],
        GTModelTypeGeoKey: 1,
        GTRasterTypeGeoKey: 1,
        ProjectedCSTypeGeoKey: 3006,
        GDAL_NODATA: `${NODATA}`,
      }),
    ),
  );
  const zip = path.join(dir, `${request.productId}.zip`);
  await zipFiles(zip, [{ path: tif, name: `${request.productId}.tif` }], new Date(request.asOf));
  progress(`${request.productId}: ${width} × ${height} cells`);
  return [
    {
      name: `${request.productId}.zip`,
      type: 'application/zip',
      content: { path: zip },
      statistik: [{ tabellnamn: request.productId, antalObjekt: cells }],
    },
  ];
}

/**
 * The built-in producer over the product sources in `sourceDir` (G7, G8): reads what meets the
 * selection, clips it, and writes the format ordered, never another; a format that does not fit
 * the product's source is refused, not replaced.
 */
export function sourceProducer(sourceDir: string): Producer {
  return {
    async produce(request, progress) {
      const kind = sourceKind(sourceDir, request.productId);
      if (!kind) throw new ProductionRefusal('no_source', `There is no source for ${request.productId}`);
      if (formatKind(request.format) !== kind)
        throw new ProductionRefusal(
          'format_not_producible',
          `${request.productId} is a ${kind} product; production cannot make it as ${request.format}`,
        );
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kartkontor-extract-${request.deliveryId}-`));
      const done = () => fs.promises.rm(dir, { recursive: true, force: true });
      try {
        const files =
          kind === 'grid'
            ? await produceGrid(request, sourceFile(sourceDir, request.productId, 'tif'), dir, progress)
            : await produceVector(request, sourceFile(sourceDir, request.productId, 'gpkg'), dir, progress);
        return { files, version: request.asOf, done };
      } catch (err) {
        await done();
        throw err;
      }
    },
  };
}
