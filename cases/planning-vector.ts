import yazl from 'yazl';
import { bbox, isClockwise, polygonsOf, type Ring } from '../domain/geometry';
import type { VectorFormat } from './cases.rules';
import type { PlanningBasis } from './planning-pdf';

/**
 * The built-in producer's vector formats of a planning basis (L17): the work area with the
 * case number, in SWEREF 99 TM (EPSG:3006). The same case always gives the same bytes.
 */

/** AutoCAD R12 DXF (ASCII): the work area's rings as closed polylines on layer ARBETSOMRADE, and a label. */
export function renderDxf(basis: PlanningBasis): Buffer {
  const out: (string | number)[] = [0, 'SECTION', 2, 'ENTITIES'];
  for (const ring of polygonsOf(basis.workArea).flat()) {
    out.push(0, 'POLYLINE', 8, 'ARBETSOMRADE', 66, 1, 70, 1);
    // A closed polyline: the repeated last position is left out.
    for (const [e, n] of ring.slice(0, -1))
      out.push(0, 'VERTEX', 8, 'ARBETSOMRADE', 10, e.toFixed(3), 20, n.toFixed(3));
    out.push(0, 'SEQEND');
  }
  const box = bbox(basis.workArea);
  out.push(
    0,
    'TEXT',
    8,
    'TEXT',
    10,
    box.minE.toFixed(3),
    20,
    (box.maxN + 5).toFixed(3),
    40,
    2.5,
    1,
    `Projekteringsunderlag ${basis.lk} - far inte anvandas for markarbeten`,
  );
  out.push(0, 'ENDSEC', 0, 'EOF');
  return Buffer.from(`${out.join('\r\n')}\r\n`, 'latin1');
}

const PRJ_SWEREF99TM =
  'PROJCS["SWEREF99_TM",GEOGCS["GCS_SWEREF99",DATUM["D_SWEREF99",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",15.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

/** ESRI shapefile header (100 bytes) for one polygon file of `words` 16-bit words. */
function shapeHeader(words: number, box: ReturnType<typeof bbox>): Buffer {
  const h = Buffer.alloc(100);
  h.writeInt32BE(9994, 0);
  h.writeInt32BE(words, 24);
  h.writeInt32LE(1000, 28);
  h.writeInt32LE(5, 32); // polygon
  [box.minE, box.minN, box.maxE, box.maxN].forEach((v, i) => h.writeDoubleLE(v, 36 + i * 8));
  return h;
}

/** The ESRI rule: outer rings clockwise, holes counter-clockwise. */
const orient = (ring: Ring, clockwise: boolean): Ring => (isClockwise(ring) === clockwise ? ring : [...ring].reverse());

/** An ESRI shapefile (.shp, .shx, .dbf, .prj) of the work area as one polygon record, zipped. */
export async function renderShapefileZip(basis: PlanningBasis): Promise<Buffer> {
  const box = bbox(basis.workArea);
  const rings = polygonsOf(basis.workArea).flatMap(([outer, ...holes]) => [
    orient(outer!, true),
    ...holes.map((h) => orient(h, false)),
  ]);
  const points = rings.flat();
  const content = Buffer.alloc(44 + 4 * rings.length + 16 * points.length);
  content.writeInt32LE(5, 0);
  [box.minE, box.minN, box.maxE, box.maxN].forEach((v, i) => content.writeDoubleLE(v, 4 + i * 8));
  content.writeInt32LE(rings.length, 36);
  content.writeInt32LE(points.length, 40);
  let start = 0;
  rings.forEach((ring, i) => {
    content.writeInt32LE(start, 44 + 4 * i);
    start += ring.length;
  });
  points.forEach(([e, n], i) => {
    content.writeDoubleLE(e, 44 + 4 * rings.length + 16 * i);
    content.writeDoubleLE(n, 52 + 4 * rings.length + 16 * i);
  });
  const record = Buffer.alloc(8);
  record.writeInt32BE(1, 0);
  record.writeInt32BE(content.length / 2, 4);
  const shp = Buffer.concat([shapeHeader((100 + 8 + content.length) / 2, box), record, content]);
  const index = Buffer.alloc(8);
  index.writeInt32BE(50, 0);
  index.writeInt32BE(content.length / 2, 4);
  const shx = Buffer.concat([shapeHeader((100 + 8) / 2, box), index]);

  // dBase III with one character field LK (20 wide) and one record.
  const dbf = Buffer.alloc(32 + 32 + 1 + 1 + 20 + 1, 0x20);
  dbf.fill(0, 0, 65);
  dbf.writeUInt8(0x03, 0);
  dbf.writeUInt8(95, 1); // last update 1995-01-01: fixed, so the bytes do not depend on the day
  dbf.writeUInt8(1, 2);
  dbf.writeUInt8(1, 3);
  dbf.writeUInt32LE(1, 4);
  dbf.writeUInt16LE(32 + 32 + 1, 8);
  dbf.writeUInt16LE(1 + 20, 10);
  dbf.write('LK', 32, 'latin1');
  dbf.write('C', 43, 'latin1');
  dbf.writeUInt8(20, 48);
  dbf.writeUInt8(0x0d, 64);
  dbf.write(' ', 65, 'latin1');
  dbf.write(basis.lk.padEnd(20).slice(0, 20), 66, 'latin1');
  dbf.writeUInt8(0x1a, 86);

  const name = `projekteringsunderlag-${basis.lk}`;
  const zip = new yazl.ZipFile();
  for (const [ext, data] of [
    ['shp', shp],
    ['shx', shx],
    ['dbf', dbf],
    ['prj', Buffer.from(PRJ_SWEREF99TM)],
  ] as const)
    zip.addBuffer(data, `${name}.${ext}`, { mtime: new Date(0) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The file of each vector format. DWG is a closed format that no library we may ship writes:
 * the built-in producer delivers the drawing as DXF, which every DWG program opens, and says
 * so in the file name; a production system behind the producer writes real DWG (README).
 */
export async function renderVectorFile(
  basis: PlanningBasis,
  format: VectorFormat,
): Promise<{ name: string; data: Buffer }> {
  const name = `projekteringsunderlag-${basis.lk}`;
  if (format === 'Shape') return { name: `${name}-shape.zip`, data: await renderShapefileZip(basis) };
  return { name: format === 'DXF' ? `${name}.dxf` : `${name}-dwg.dxf`, data: renderDxf(basis) };
}
