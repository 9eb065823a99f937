import yazl from 'yazl';
import { bbox, containsPoint, type Area } from '../domain/geometry';

export interface ProductionRequest {
  orderId: string;
  deliveryId: string;
  productId: string;
  selection: Area;
  typ: 'BAS' | 'FORANDRING';
}

export interface ProducedFile {
  name: string;
  type: string;
  data: Buffer;
}

/** A production system: the built-in one below, or a real one plugged in behind the same call. */
export interface Producer {
  produce(request: ProductionRequest, progress: (note: string) => void): Promise<ProducedFile[]>;
}

/** Tables of the sample data per product, and the grid spacing (m) of their objects. */
const SAMPLE_TABLES: Record<string, { table: string; spacing: number }[]> = {
  'fastighetskartan-vektor': [{ table: 'fastighetsgranser', spacing: 200 }, { table: 'byggnader', spacing: 100 }],
  byggnader: [{ table: 'byggnader', spacing: 100 }],
  terrangkartan: [{ table: 'vagar', spacing: 500 }, { table: 'vattendrag', spacing: 700 }],
  hojddata: [{ table: 'hojdpunkter', spacing: 250 }],
};

/** Deterministic sample objects: one point on every grid node inside the selection. */
function sampleFeatures(selection: Area, table: string, spacing: number) {
  const box = bbox(selection);
  const features = [];
  for (let e = Math.ceil(box.minE / spacing) * spacing; e <= box.maxE; e += spacing) {
    for (let n = Math.ceil(box.minN / spacing) * spacing; n <= box.maxN; n += spacing) {
      if (containsPoint(selection, [e, n])) {
        features.push({ type: 'Feature', id: `${table}.${e}.${n}`, geometry: { type: 'Point', coordinates: [e, n] }, properties: { objektidentitet: `${table}-${e}-${n}` } });
      }
    }
  }
  return features;
}

const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } };

/**
 * The built-in producer: cuts the sample data to the selection and packs one ZIP with a
 * GeoJSON file per table and `uttag.json` (G10): one feature per data file, with its
 * `filnamn` and `statistik` (table name and number of objects).
 */
export const sampleProducer: Producer = {
  async produce(request, progress) {
    const tables = SAMPLE_TABLES[request.productId] ?? [];
    const zip = new yazl.ZipFile();
    const manifest = [];
    for (const { table, spacing } of tables) {
      // The sample data never changes, so a change extract (FORANDRING) has no objects.
      const features = request.typ === 'BAS' ? sampleFeatures(request.selection, table, spacing) : [];
      const filnamn = `${table}.geojson`;
      zip.addBuffer(Buffer.from(JSON.stringify({ type: 'FeatureCollection', crs, features })), filnamn, { mtime: new Date(0) });
      manifest.push({ type: 'Feature', geometry: request.selection, properties: { filnamn, statistik: [{ tabellnamn: table, antalObjekt: features.length }] } });
      progress(`${table}: ${features.length} objects`);
    }
    zip.addBuffer(Buffer.from(JSON.stringify({ type: 'FeatureCollection', crs, features: manifest }, null, 2)), 'uttag.json', { mtime: new Date(0) });
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    return [{ name: `leverans-${request.deliveryId}.zip`, type: 'application/zip', data: Buffer.concat(chunks) }];
  },
};
