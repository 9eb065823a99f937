import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import type { Polygon, Position } from '../../domain/geometry';
import { addFeatureTable, createGeoPackage, envelopeOfGeometry, geometryBlob } from '../../platform/geopackage';

/** A square polygon, counter-clockwise (GeoJSON's outer-ring order). */
export const square = (e: number, n: number, size: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [e, n],
      [e + size, n],
      [e + size, n + size],
      [e, n + size],
      [e, n],
    ],
  ],
});

export const geoJsonFile = (features: { geometry: unknown; name?: string }[]) =>
  Buffer.from(
    JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } },
      features: features.map((f) => ({ type: 'Feature', properties: { name: f.name ?? null }, geometry: f.geometry })),
    }),
  );

const SWEREF99_TM_PRJ =
  'PROJCS["SWEREF99_TM",GEOGCS["GCS_SWEREF99",DATUM["D_SWEREF99",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",15.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

/**
 * A polygon shapefile (ESRI Shapefile Technical Description, 1998) written byte by byte, so the
 * reader under test is checked against the specification, not against itself: outer rings
 * clockwise, as the format requires.
 */
function shp(polygons: Polygon[]): Buffer {
  const records = polygons.map((p, i) => {
    const rings = p.coordinates.map((ring, r) => (r === 0 ? [...ring].reverse() : ring));
    const points: Position[] = rings.flat();
    const content = Buffer.alloc(44 + 4 * rings.length + 16 * points.length);
    const xs = points.map((q) => q[0]);
    const ys = points.map((q) => q[1]);
    content.writeInt32LE(5, 0);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, k) =>
      content.writeDoubleLE(v, 4 + 8 * k),
    );
    content.writeInt32LE(rings.length, 36);
    content.writeInt32LE(points.length, 40);
    let start = 0;
    rings.forEach((ring, r) => {
      content.writeInt32LE(start, 44 + 4 * r);
      start += ring.length;
    });
    const at = 44 + 4 * rings.length;
    points.forEach(([x, y], k) => {
      content.writeDoubleLE(x, at + 16 * k);
      content.writeDoubleLE(y, at + 16 * k + 8);
    });
    const header = Buffer.alloc(8);
    header.writeInt32BE(i + 1, 0);
    header.writeInt32BE(content.length / 2, 4);
    return Buffer.concat([header, content]);
  });
  const all = polygons.flatMap((p) => p.coordinates.flat());
  const header = Buffer.alloc(100);
  header.writeInt32BE(9994, 0);
  header.writeInt32BE((100 + records.reduce((n, r) => n + r.length, 0)) / 2, 24);
  header.writeInt32LE(1000, 28);
  header.writeInt32LE(5, 32);
  [
    Math.min(...all.map((q) => q[0])),
    Math.min(...all.map((q) => q[1])),
    Math.max(...all.map((q) => q[0])),
    Math.max(...all.map((q) => q[1])),
  ].forEach((v, k) => header.writeDoubleLE(v, 36 + 8 * k));
  return Buffer.concat([header, ...records]);
}

/** A zipped shapefile (.shp and .prj in a folder, as exports often are). */
export function zippedShapefile(polygons: Polygon[], prj = SWEREF99_TM_PRJ): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(shp(polygons), 'coverage/ledningar.shp');
  zip.addBuffer(Buffer.from(prj), 'coverage/ledningar.prj');
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** A GeoPackage with one polygon table in EPSG:3006. */
export function geoPackageFile(polygons: Polygon[]): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-test-coverage-'));
  const file = path.join(dir, 'coverage.gpkg');
  const gpkg = createGeoPackage(file);
  addFeatureTable(gpkg, { name: 'tackning', geometryType: 'POLYGON', columns: ['namn TEXT'] });
  const insert = gpkg.prepare('INSERT INTO tackning (geom, namn) VALUES (?, ?)');
  polygons.forEach((p, i) => insert.run(geometryBlob(p, envelopeOfGeometry(p)), `del ${i + 1}`));
  gpkg.close();
  const data = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return data;
}
