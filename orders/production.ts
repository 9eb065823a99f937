import yazl from 'yazl';
import { bbox, containsPoint, type Area } from '../domain/geometry';
import { UTTAG_FILE, uttagJson, type Statistik } from './uttag';

export interface ProductionRequest {
  orderId: string;
  deliveryId: string;
  productId: string;
  selection: Area;
  typ: 'BAS' | 'FORANDRING';
  /** The instant the extract is taken at (the workflow's clock); it picks the data version. */
  asOf: number;
  /** FORANDRING: the data version of the previous successful delivery. */
  sinceVersion: number | null;
}

export interface ProducedFile {
  /**
   * The file's title: a safe file name ([A-Za-z0-9._-]), the same from delivery to delivery of a
   * product, because clients match titles exactly (G10).
   */
  name: string;
  type: string;
  data: Buffer;
  /** A data file's objects per table, for `uttag.json` (G10); absent for a file that holds no data. */
  statistik?: Statistik[];
}

/** A production system: the built-in one below, or a real one plugged in behind the same call. */
export interface Producer {
  /** The files and the data version they hold. */
  produce(
    request: ProductionRequest,
    progress: (note: string) => void,
  ): Promise<{ files: ProducedFile[]; version: number }>;
}

/** Tables of the sample data per product, and the grid spacing (m) of their objects. */
const SAMPLE_TABLES: Record<string, { table: string; spacing: number }[]> = {
  'fastighetskartan-vektor': [
    { table: 'fastighetsgranser', spacing: 200 },
    { table: 'byggnader', spacing: 100 },
  ],
  byggnader: [{ table: 'byggnader', spacing: 100 }],
  terrangkartan: [
    { table: 'vagar', spacing: 500 },
    { table: 'vattendrag', spacing: 700 },
  ],
  hojddata: [{ table: 'hojdpunkter', spacing: 250 }],
};

/** The sample source publishes a new data version every second, so that demos and tests see changes. */
export const SAMPLE_VERSION_MS = 1000;
export const sampleVersion = (asOf: number) => Math.floor(asOf / SAMPLE_VERSION_MS);

/** FNV-1a: a small stable hash, so every version of the sample data is the same on every machine. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface SampleFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: Record<string, string | number>;
}

const CLASSES = ['A', 'B', 'C', 'D'];

/**
 * The sample objects of a table at a data version: grid nodes inside the selection. In each
 * version about one node in ten has no object, and an object's class changes every few
 * versions, so versions differ by added, changed and removed objects.
 */
export function sampleFeatures(selection: Area, table: string, spacing: number, version: number): SampleFeature[] {
  const box = bbox(selection);
  const features: SampleFeature[] = [];
  for (let e = Math.ceil(box.minE / spacing) * spacing; e <= box.maxE; e += spacing) {
    for (let n = Math.ceil(box.minN / spacing) * spacing; n <= box.maxN; n += spacing) {
      const key = `${table}.${e}.${n}`;
      if (hash(`${key}@${version}`) % 10 === 0 || !containsPoint(selection, [e, n])) continue;
      const klass = CLASSES[hash(`${key}/${Math.floor(version / 3)}`) % CLASSES.length]!;
      features.push({
        type: 'Feature',
        id: key,
        geometry: { type: 'Point', coordinates: [e, n] },
        properties: { objektidentitet: `${table}-${e}-${n}`, klass },
      });
    }
  }
  return features;
}

/**
 * FORANDRING: the objects added, changed or removed between two versions, each marked with
 * `andring` (`tillkommen`, `andrad`, `borttagen`); a removed object keeps its last state.
 */
export function changedFeatures(before: SampleFeature[], after: SampleFeature[]): SampleFeature[] {
  const old = new Map(before.map((f) => [f.id, f]));
  const now = new Set(after.map((f) => f.id));
  const changes: SampleFeature[] = [];
  for (const f of after) {
    const previous = old.get(f.id);
    if (!previous) changes.push({ ...f, properties: { ...f.properties, andring: 'tillkommen' } });
    else if (JSON.stringify(previous.properties) !== JSON.stringify(f.properties))
      changes.push({ ...f, properties: { ...f.properties, andring: 'andrad' } });
  }
  for (const f of before)
    if (!now.has(f.id)) changes.push({ ...f, properties: { ...f.properties, andring: 'borttagen' } });
  return changes;
}

const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } };

/**
 * The built-in producer: cuts the sample data at the version of `asOf` to the selection and
 * packs one ZIP, `{productId}.zip`, with a GeoJSON file per table and its own `uttag.json`
 * (G10) describing them; the ZIP is the delivery's data file, with the objects of every table.
 */
export const sampleProducer: Producer = {
  async produce(request, progress) {
    const version = sampleVersion(request.asOf);
    if (request.typ === 'FORANDRING' && request.sinceVersion === null)
      throw new RangeError('a change extract needs the version of the previous delivery');
    const tables = SAMPLE_TABLES[request.productId] ?? [];
    const zip = new yazl.ZipFile();
    // The fastest deflate: the sample GeoJSON still shrinks fourteenfold (level 6: seventeenfold), at a fifth of the CPU.
    const entry = { mtime: new Date(0), compressionLevel: 1 };
    const entries = [];
    for (const { table, spacing } of tables) {
      const current = sampleFeatures(request.selection, table, spacing, version);
      const features =
        request.typ === 'BAS'
          ? current
          : changedFeatures(sampleFeatures(request.selection, table, spacing, request.sinceVersion!), current);
      const name = `${table}.geojson`;
      zip.addBuffer(Buffer.from(JSON.stringify({ type: 'FeatureCollection', crs, features })), name, entry);
      entries.push({ name, statistik: [{ tabellnamn: table, antalObjekt: features.length }] });
      progress(`${table}: ${features.length} objects`);
    }
    zip.addBuffer(Buffer.from(JSON.stringify(uttagJson(request.selection, entries), null, 2)), UTTAG_FILE, entry);
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    return {
      files: [
        {
          name: `${request.productId}.zip`,
          type: 'application/zip',
          data: Buffer.concat(chunks),
          statistik: entries.flatMap((e) => e.statistik),
        },
      ],
      version,
    };
  },
};
