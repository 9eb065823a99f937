/**
 * The demo product sources (G7): GeoPackages in EPSG:3006 over the demo area around Stockholm
 * (the area the demo and the tests order), generated deterministically on first start when no
 * PRODUCT_SOURCE_DIR is configured. A town of 200 m blocks: streets along the block edges,
 * properties and buildings in the blocks, a few meandering watercourses, named places, and a
 * history of edits since 2010 (objects added, changed and removed), so change extracts (G8)
 * have something real to hold. The elevation grid is a GeoTIFF of a smooth terrain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeArrayBuffer } from 'geotiff';
import { sourceFile, writeSource, type ObjectVersion } from '../orders/product-source';

/** Bump when the generated data changes, so an old cached source is not used. */
export const DEMO_SOURCE_VERSION = 'demo-v1';

export interface Extent {
  minE: number;
  minN: number;
  maxE: number;
  maxN: number;
}
export const DEMO_EXTENT: Extent = { minE: 668_000, minN: 6_574_000, maxE: 680_000, maxN: 6_586_000 };

/** mulberry32 seeded by FNV-1a of a key: every object's draws are the same on every machine. */
function random(key: string) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  let a = h;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = 86_400_000;
const FIRST = Date.UTC(2010, 0, 1);
const EDITS_FROM = Date.UTC(2021, 0, 1);
const EDITS_TO = Date.UTC(2025, 11, 1);
const between = (r: () => number, from: number, to: number) =>
  new Date(from + Math.floor(r() * ((to - from) / day)) * day);
const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)]!;
const round = (v: number) => Math.round(v * 100) / 100;

type Emit = (v: ObjectVersion) => void;

/**
 * The versions of one object: created (mostly before 2021, some later), then perhaps edited
 * once and perhaps removed, all before 2026.
 */
function history(
  r: () => number,
  id: string,
  first: { geometry: ObjectVersion['geometry']; attributes: ObjectVersion['attributes'] },
  edit: () => Partial<Pick<ObjectVersion, 'geometry' | 'attributes'>>,
  emit: Emit,
) {
  const created = r() < 0.9 ? between(r, FIRST, EDITS_FROM) : between(r, EDITS_FROM, EDITS_TO - 200 * day);
  const fate = r();
  const edited = fate < 0.12 ? between(r, Math.max(created.getTime(), EDITS_FROM) + day, EDITS_TO) : null;
  const removed = fate > 0.96 ? between(r, (edited ?? created).getTime() + day, EDITS_TO + 20 * day) : null;
  const v1 = { objektidentitet: id, objektversion: 1, giltigFran: created, ...first };
  if (!edited) return emit({ ...v1, giltigTill: removed });
  emit({ ...v1, giltigTill: edited });
  const change = edit();
  emit({
    ...v1,
    objektversion: 2,
    giltigFran: edited,
    giltigTill: removed,
    geometry: change.geometry ?? first.geometry,
    attributes: { ...first.attributes, ...change.attributes },
  });
}

const ANDAMAL = ['Bostad', 'Bostad', 'Bostad', 'Verksamhet', 'Samhällsfunktion', 'Industri', 'Ekonomibyggnad'];

/** A building footprint: a turned rectangle, or an L, centred at (cx, cy). */
function footprint(r: () => number, cx: number, cy: number, maxSide: number) {
  const w = 8 + r() * (maxSide - 8);
  const d = 8 + r() * (maxSide * 0.7 - 8);
  const a = (r() - 0.5) * 0.5;
  const outline: [number, number][] =
    r() < 0.7
      ? [
          [-w / 2, -d / 2],
          [w / 2, -d / 2],
          [w / 2, d / 2],
          [-w / 2, d / 2],
        ]
      : [
          [-w / 2, -d / 2],
          [w / 2, -d / 2],
          [w / 2, 0],
          [0, 0],
          [0, d / 2],
          [-w / 2, d / 2],
        ];
  const ring = outline.map(([x, y]) => [
    round(cx + x * Math.cos(a) - y * Math.sin(a)),
    round(cy + x * Math.sin(a) + y * Math.cos(a)),
  ]);
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

export const BUILDING_ATTRIBUTES = ['andamal TEXT', 'husnummer INTEGER'];

/**
 * The buildings: in each block of `block` metres, a grid of `perSide`² parcels, nine in ten with
 * a building. The bench uses a denser town than the demo.
 */
export function buildings(extent: Extent, emit: Emit, block = 200, perSide = 2) {
  const parcel = (block - 20) / perSide;
  for (let e = extent.minE; e < extent.maxE; e += block)
    for (let n = extent.minN; n < extent.maxN; n += block)
      for (let i = 0; i < perSide * perSide; i++) {
        const id = `byggnad-${e}-${n}-${i}`;
        const r = random(id);
        if (r() < 0.1) continue;
        const cx = e + 10 + parcel * ((i % perSide) + 0.5);
        const cy = n + 10 + parcel * (Math.floor(i / perSide) + 0.5);
        const shape = footprint(r, cx, cy, parcel * 0.8);
        history(
          r,
          id,
          { geometry: shape, attributes: { andamal: pick(r, ANDAMAL), husnummer: 1 + Math.floor(r() * 60) } },
          () =>
            r() < 0.5
              ? { attributes: { andamal: pick(r, ANDAMAL) } }
              : { geometry: footprint(r, cx, cy, parcel * 0.8) },
          emit,
        );
      }
}

function properties(extent: Extent, emit: Emit) {
  for (let e = extent.minE; e < extent.maxE; e += 200)
    for (let n = extent.minN; n < extent.maxN; n += 200)
      for (let i = 0; i < 4; i++) {
        const id = `fastighet-${e}-${n}-${i}`;
        const r = random(id);
        const x = e + 10 + 90 * (i % 2);
        const y = n + 10 + 90 * Math.floor(i / 2);
        const ring = [
          [x, y],
          [x + 90, y],
          [x + 90, y + 90],
          [x, y + 90],
          [x, y],
        ];
        const block = `${(e - extent.minE) / 200 + 1}`;
        history(
          r,
          id,
          {
            geometry: { type: 'Polygon', coordinates: [ring] },
            attributes: { fastighetsbeteckning: `DEMO KVARTER ${block}:${(n - extent.minN) / 200 + 1 + i * 100}` },
          },
          () => ({ attributes: { fastighetsbeteckning: `DEMO KVARTER ${block}:${1000 + Math.floor(r() * 999)}` } }),
          emit,
        );
      }
}

/** Streets: along every block edge, in 1 km stretches whose vertices wander a few metres. */
function roads(extent: Extent, emit: Emit) {
  const stretch = (id: string, points: [number, number][], r: () => number) =>
    history(
      r,
      id,
      {
        geometry: { type: 'LineString', coordinates: points.map(([x, y]) => [round(x), round(y)]) },
        attributes: { vagklass: r() < 0.2 ? 'Huvudgata' : 'Lokalgata', bredd: r() < 0.2 ? 12 : 7 },
      },
      () => ({ attributes: { bredd: 9 } }),
      emit,
    );
  for (let e = extent.minE; e <= extent.maxE; e += 200)
    for (let n = extent.minN; n < extent.maxN; n += 1000) {
      const r = random(`vag-n-${e}-${n}`);
      const points: [number, number][] = [];
      for (let y = n; y <= Math.min(n + 1000, extent.maxN); y += 200) points.push([e + (r() - 0.5) * 8, y]);
      stretch(`vag-n-${e}-${n}`, points, r);
    }
  for (let n = extent.minN; n <= extent.maxN; n += 200)
    for (let e = extent.minE; e < extent.maxE; e += 1000) {
      const r = random(`vag-e-${e}-${n}`);
      const points: [number, number][] = [];
      for (let x = e; x <= Math.min(e + 1000, extent.maxE); x += 200) points.push([x, n + (r() - 0.5) * 8]);
      stretch(`vag-e-${e}-${n}`, points, r);
    }
}

/** Watercourses: a few meandering streams across the area, in reaches of 2 km. */
function watercourses(extent: Extent, emit: Emit) {
  const names = ['Bäckån', 'Kvarnbäcken', 'Lillån', 'Mölnbäcken'];
  names.forEach((name, k) => {
    const y0 = extent.minN + ((k + 0.5) * (extent.maxN - extent.minN)) / names.length;
    for (let e = extent.minE; e < extent.maxE; e += 2000) {
      const id = `vattendrag-${k}-${e}`;
      const r = random(id);
      const points: number[][] = [];
      for (let x = e; x <= Math.min(e + 2000, extent.maxE); x += 50)
        points.push([x, round(y0 + 300 * Math.sin(x / 700 + k) + 80 * Math.sin(x / 170))]);
      history(
        r,
        id,
        { geometry: { type: 'LineString', coordinates: points }, attributes: { namn: name, bredd: 2 + k } },
        () => ({ attributes: { bredd: 3 + k } }),
        emit,
      );
    }
  });
}

function places(extent: Extent, emit: Emit) {
  const kinds = ['Bebyggelse', 'Park', 'Torg', 'Kulle'];
  for (let i = 0; i < 300; i++) {
    const id = `ortnamn-${i}`;
    const r = random(id);
    const x = round(extent.minE + r() * (extent.maxE - extent.minE));
    const y = round(extent.minN + r() * (extent.maxN - extent.minN));
    history(
      r,
      id,
      { geometry: { type: 'Point', coordinates: [x, y] }, attributes: { namn: `Plats ${i + 1}`, typ: pick(r, kinds) } },
      () => ({ attributes: { namn: `Nya platsen ${i + 1}` } }),
      emit,
    );
  }
}

const TABLES = {
  byggnader: { name: 'byggnader', geometryType: 'POLYGON', attributes: BUILDING_ATTRIBUTES },
  fastigheter: { name: 'fastigheter', geometryType: 'POLYGON', attributes: ['fastighetsbeteckning TEXT'] },
  vagar: { name: 'vagar', geometryType: 'LINESTRING', attributes: ['vagklass TEXT', 'bredd REAL'] },
  vattendrag: { name: 'vattendrag', geometryType: 'LINESTRING', attributes: ['namn TEXT', 'bredd REAL'] },
  ortnamn: { name: 'ortnamn', geometryType: 'POINT', attributes: ['namn TEXT', 'typ TEXT'] },
};

/** The elevation grid: 50 m cells over the extent, a smooth terrain of 0–60 m. */
export function writeElevation(file: string, extent: Extent, cell = 50) {
  const width = (extent.maxE - extent.minE) / cell;
  const height = (extent.maxN - extent.minN) / cell;
  const values = new Float32Array(width * height);
  for (let row = 0; row < height; row++)
    for (let col = 0; col < width; col++) {
      const x = extent.minE + (col + 0.5) * cell;
      const y = extent.maxN - (row + 0.5) * cell;
      values[row * width + col] = round(30 + 18 * Math.sin(x / 1900) * Math.cos(y / 2300) + 6 * Math.sin(y / 610));
    }
  const tiff = writeArrayBuffer(values, {
    width,
    height,
    ModelPixelScale: [cell, cell, 0],
    ModelTiepoint: [0, 0, 0, extent.minE, extent.maxN, 0],
    GTModelTypeGeoKey: 1,
    GTRasterTypeGeoKey: 1,
    ProjectedCSTypeGeoKey: 3006,
  });
  fs.writeFileSync(file, Buffer.from(tiff));
}

/** Writes the demo sources into `dir`, one per demo product. */
export function writeDemoSources(dir: string, extent = DEMO_EXTENT) {
  fs.mkdirSync(dir, { recursive: true });
  writeSource(sourceFile(dir, 'byggnader', 'gpkg'), [TABLES.byggnader], (w) => buildings(extent, w.byggnader!));
  writeSource(sourceFile(dir, 'fastighetskartan-vektor', 'gpkg'), [TABLES.fastigheter, TABLES.byggnader], (w) => {
    properties(extent, w.fastigheter!);
    buildings(extent, w.byggnader!);
  });
  writeSource(sourceFile(dir, 'terrangkartan', 'gpkg'), [TABLES.vagar, TABLES.vattendrag, TABLES.ortnamn], (w) => {
    roads(extent, w.vagar!);
    watercourses(extent, w.vattendrag!);
    places(extent, w.ortnamn!);
  });
  writeElevation(sourceFile(dir, 'hojddata', 'tif'), extent);
}

/**
 * The demo sources in `dir`, generated once: into a folder aside, renamed into place, so workers
 * starting together never see half a source; the one that loses the race drops its copy.
 */
export function ensureDemoSources(dir: string): void {
  if (fs.existsSync(dir)) return;
  const aside = `${dir}.${process.pid}.${Date.now()}.part`;
  writeDemoSources(aside);
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(aside, dir);
  } catch (err) {
    fs.rmSync(aside, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw err;
  }
}
