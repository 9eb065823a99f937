/**
 * Issue 14, G7: real extracts in the format ordered, from the product sources, over real HTTP
 * against the dev server; the produced GeoPackages, GeoJSON and GeoTIFFs are opened by GDAL
 * (`ogrinfo`, `gdalinfo`), an independent reader.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import GeoJSONReader from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import WKTReader from 'jsts/org/locationtech/jts/io/WKTReader.js';
import 'jsts/org/locationtech/jts/monkey.js';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { DELIVERY_RETENTION_DAYS } from '../../orders/orders.rules';
import { purgeExpiredDeliveries } from '../../orders/retention';
import { localDeliveryStore } from '../../platform/file-store';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';
import { readZip } from '../support/zip';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const password = 'extract-password-1';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-extracts-'));

const E = 674_000;
const N = 6_580_000;
/** A pentagon, not a rectangle: every object crossing its slanted edges must be cut, not kept whole. */
const selection = {
  type: 'Polygon',
  coordinates: [
    [
      [E, N],
      [E + 1800, N + 200],
      [E + 2000, N + 1400],
      [E + 700, N + 1900],
      [E - 100, N + 1100],
      [E, N],
    ],
  ],
};

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const account = await directory.createAccount(
    { kind: 'organisation', name: 'Uttag AB', email: 'extract-org@test.se', organisationNumber: '556888-1111' },
    actor,
  );
  await directory.createUser(
    { email: 'extract-customer@test.se', name: 'C', password, role: 'customer', accountId: account.id },
    actor,
  );
  await directory.createUser({ email: 'extract-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  for (const who of ['customer', 'handler'])
    token[who] = await login(office.baseUrl, `extract-${who}@test.se`, password);
});
afterAll(async () => {
  await office.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

const order = async (id: string) =>
  (await call(office.baseUrl, 'GET', `/api/v1/orders/${id}`, { token: token.customer })).body;

/** Places an order, approves it if it must be, and answers its delivered files with their bytes. */
async function delivered(body: Record<string, unknown>) {
  const placed = await call(office.baseUrl, 'POST', '/api/v1/orders', { token: token.customer, body });
  expect(placed.status).toBe(201);
  const id: string = placed.body.id;
  await expect.poll(async () => (await order(id)).status, { timeout: 15_000 }).not.toBe('submitted');
  if ((await order(id)).status === 'awaiting_approval')
    expect((await call(office.baseUrl, 'POST', `/api/v1/orders/${id}/approve`, { token: token.handler })).status).toBe(
      200,
    );
  await expect.poll(async () => (await order(id)).status, { timeout: 30_000 }).toBe('delivered');
  const list = await call(office.baseUrl, 'GET', `/download/${id}/files`, { token: token.customer });
  expect(list.status).toBe(200);
  const files: Record<string, { bytes: Buffer; type: string }> = {};
  for (const f of list.body as { href: string; title: string; type: string; length: number }[]) {
    const res = await fetch(f.href, { headers: { authorization: `Bearer ${token.customer}` } });
    expect(res.status).toBe(200);
    files[f.title] = { bytes: Buffer.from(await res.arrayBuffer()), type: f.type };
    expect(files[f.title]!.bytes.length).toBe(f.length);
  }
  const uttag = JSON.parse(files['uttag.json']!.bytes.toString()) as {
    features: { properties: { filnamn: string; statistik: { tabellnamn: string; antalObjekt: number }[] } }[];
  };
  return { id, files, uttag };
}

/** A ZIP's entries with their modification times. */
const entryDates = (buffer: Buffer) =>
  new Promise<Record<string, Date>>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const dates: Record<string, Date> = {};
      zip.on('entry', (e: yauzl.Entry) => {
        dates[e.fileName] = e.getLastModDate();
        zip.readEntry();
      });
      zip.on('end', () => resolve(dates));
      zip.readEntry();
    }),
  );

/** Writes a ZIP's entries to a folder of their own; answers their paths by name. */
async function unpack(name: string, zip: Buffer) {
  const dir = fs.mkdtempSync(path.join(work, `${name}-`));
  const entries = await readZip(zip);
  const paths: Record<string, string> = {};
  for (const [entry, data] of Object.entries(entries)) {
    paths[entry] = path.join(dir, entry);
    fs.writeFileSync(paths[entry], data);
  }
  return paths;
}

const gdal = (tool: string, args: string[]) => execFileSync(`/usr/bin/${tool}`, args, { encoding: 'utf8' });

/** Every geometry of a layer, as GDAL reads it, parsed by JTS. */
function geometriesOf(file: string, layer: string) {
  const reader = new WKTReader(new GeometryFactory());
  return gdal('ogrinfo', ['-q', '-al', '-geom=ISO_WKT', file, layer])
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(MULTI)?(POINT|LINESTRING|POLYGON)/.test(l))
    .map((wkt) => reader.read(wkt));
}

/** The selection grown by a millimetre: clipped vertices lie on its edges, up to rounding. */
const within = (() => {
  const area = new GeoJSONReader(new GeometryFactory()).read(selection) as unknown as {
    buffer(d: number): { covers(g: unknown): boolean };
  };
  const grown = area.buffer(0.001);
  return (g: unknown) => grown.covers(g);
})();

describe('G7: a GeoPackage order gets GeoPackages, cut to the selection', () => {
  it('one ZIP per theme holding one .gpkg: GDAL reads the layer, its count is antalObjekt, SRS EPSG:3006, an R-tree, every geometry within the selection; entries dated the production time', async () => {
    const before = Date.now();
    const { id, files, uttag } = await delivered({
      productId: 'fastighetskartan-vektor',
      format: 'GeoPackage',
      selection,
    });
    expect(Object.keys(files).sort()).toEqual(['byggnader.zip', 'fastigheter.zip', 'uttag.json']);
    const latest = await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${id}/leverans/latest`, {
      token: token.customer,
    });
    for (const table of ['byggnader', 'fastigheter']) {
      const zip = files[`${table}.zip`]!.bytes;
      const dates = await entryDates(zip);
      expect(Object.keys(dates)).toEqual([`${table}.gpkg`]);
      // DOS times: two-second steps, local time of the producing machine (the same here).
      expect(dates[`${table}.gpkg`]!.getTime()).toBeGreaterThanOrEqual(before - 2_000);
      expect(dates[`${table}.gpkg`]!.getTime()).toBeLessThanOrEqual(Date.parse(latest.body.uppdaterad) + 2_000);

      const gpkg = (await unpack(table, zip))[`${table}.gpkg`]!;
      const summary = gdal('ogrinfo', ['-so', '-al', gpkg]);
      expect(summary).toContain('using driver `GPKG');
      expect(summary).toContain(`Layer name: ${table}`);
      expect(summary).toContain('Geometry: Multi Polygon');
      expect(summary).toContain('ID["EPSG",3006]');
      const count = Number(/Feature Count: (\d+)/.exec(summary)![1]);
      const described = uttag.features.find((f) => f.properties.filnamn === `${table}.zip`)!;
      expect(described.properties.statistik).toEqual([{ tabellnamn: table, antalObjekt: count }]);
      expect(count).toBeGreaterThan(100);
      const rtree = gdal('ogrinfo', ['-q', '-sql', `SELECT count(*) AS n FROM rtree_${table}_geom`, gpkg]);
      expect(rtree).toContain(`n (Integer) = ${count}`);

      const geometries = geometriesOf(gpkg, table);
      expect(geometries).toHaveLength(count);
      expect(geometries.filter((g) => !within(g))).toEqual([]);
    }
  });
});

describe('G7: a GeoJSON order gets GeoJSON, cut to the selection', () => {
  it('lines and points of the topographic map: GDAL counts antalObjekt per file, every geometry within the selection', async () => {
    const { files, uttag } = await delivered({ productId: 'terrangkartan', format: 'GeoJSON', selection });
    expect(Object.keys(files).sort()).toEqual(['terrangkartan.zip', 'uttag.json']);
    const paths = await unpack('terrangkartan', files['terrangkartan.zip']!.bytes);
    const [statistik] = uttag.features.map((f) => f.properties.statistik);
    expect(statistik!.map((s) => s.tabellnamn)).toEqual(['ortnamn', 'vagar', 'vattendrag']);
    const types: Record<string, string> = {
      ortnamn: 'Point',
      vagar: 'Multi Line String',
      vattendrag: 'Multi Line String',
    };
    for (const { tabellnamn, antalObjekt } of statistik!) {
      const file = paths[`${tabellnamn}.geojson`]!;
      const summary = gdal('ogrinfo', ['-so', '-al', file]);
      expect(summary).toContain(`Geometry: ${types[tabellnamn]}`);
      expect(summary).toContain('ID["EPSG",3006]');
      expect(Number(/Feature Count: (\d+)/.exec(summary)![1])).toBe(antalObjekt);
      expect(antalObjekt).toBeGreaterThan(0);
      expect(geometriesOf(file, tabellnamn).filter((g) => !within(g))).toEqual([]);
    }
  });
});

describe('G7: an elevation grid order gets a GeoTIFF, cut to the selection', () => {
  it('GDAL reads EPSG:3006, the grid covers the selection box and no more, cells outside the selection are nodata', async () => {
    const { files, uttag } = await delivered({ productId: 'hojddata', format: 'GeoTIFF', selection });
    expect(Object.keys(files).sort()).toEqual(['hojddata.zip', 'uttag.json']);
    const tif = (await unpack('hojddata', files['hojddata.zip']!.bytes))['hojddata.tif']!;
    const info = JSON.parse(gdal('gdalinfo', ['-json', '-stats', tif])) as {
      coordinateSystem: { wkt: string };
      geoTransform: number[];
      size: [number, number];
      bands: {
        noDataValue: number;
        minimum: number;
        maximum: number;
        metadata: Record<string, Record<string, string>>;
      }[];
    };
    expect(info.coordinateSystem.wkt).toContain('ID["EPSG",3006]');
    const [originE, cell, , originN, , negative] = info.geoTransform;
    expect([cell, negative]).toEqual([50, -50]);
    // The selection's box (E−100…E+2000, N…N+1900) in whole 50 m cells.
    expect([originE, originN]).toEqual([E - 100, N + 1900]);
    expect(info.size).toEqual([42, 38]);
    expect(info.bands[0]!.noDataValue).toBe(-9999);
    expect(info.bands[0]!.minimum).toBeGreaterThan(-100);
    const valid = Number(info.bands[0]!.metadata['']!.STATISTICS_VALID_PERCENT);
    expect(valid).toBeGreaterThan(50);
    expect(valid).toBeLessThan(100);
    const [statistik] = uttag.features.map((f) => f.properties.statistik);
    expect(statistik).toEqual([{ tabellnamn: 'hojddata', antalObjekt: Math.round((42 * 38 * valid) / 100) }]);
  });
});

describe('G7: a format is never replaced by another', () => {
  it('a product listed in a format production cannot make is refused when ordered, and nothing is stored', async () => {
    await office
      .db('products')
      .where({ id: 'terrangkartan' })
      .update({ formats: ['GeoJSON', 'GeoPackage', 'Shape'] });
    const before = await office.db('orders').count({ n: '*' }).first();
    const refused = await call(office.baseUrl, 'POST', '/api/v1/orders', {
      token: token.customer,
      body: { productId: 'terrangkartan', format: 'Shape', selection },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('format_not_producible');
    expect(await office.db('orders').count({ n: '*' }).first()).toEqual(before);
    await office
      .db('products')
      .where({ id: 'terrangkartan' })
      .update({ formats: ['GeoJSON', 'GeoPackage'] });
  });
});

describe('G10: lagringstid', () => {
  it('past lagringstid the nightly purge removes the files; the delivery says so and its links answer 410 with a code', async () => {
    const { id } = await delivered({ productId: 'terrangkartan', format: 'GeoJSON', selection });
    const files = (await call(office.baseUrl, 'GET', `/download/${id}/files`, { token: token.customer })).body as {
      href: string;
    }[];
    const delivery = await office.db('deliveries').where({ order_id: id }).first();
    const stored = await office.db('delivery_files').where({ delivery_id: delivery.id });
    const store = localDeliveryStore(path.join(office.config.DATA_DIR, 'deliveries'));
    const purge = (days: number) =>
      purgeExpiredDeliveries({
        db: office.db,
        store,
        retentionDays: DELIVERY_RETENTION_DAYS,
        // A second past the day: the database keeps microseconds, a Date only milliseconds.
        now: new Date(delivery.finished_at.getTime() + days * 86_400_000 + 1000),
      });
    const latest = async () =>
      (
        await call(office.baseUrl, 'GET', `/geotorget/orderhanterare/v2/${id}/leverans/latest`, {
          token: token.customer,
        })
      ).body;
    expect((await latest()).metadata.lagringstid).toBe(DELIVERY_RETENTION_DAYS);

    // A day before lagringstid is over, nothing of this delivery goes.
    await purge(DELIVERY_RETENTION_DAYS - 1);
    expect((await latest()).metadata.borttagen).toBeUndefined();
    for (const f of stored) expect(await store.size(f.storage_key)).toBe(Number(f.length));

    expect((await purge(DELIVERY_RETENTION_DAYS)).deliveries).toBeGreaterThanOrEqual(1);
    for (const f of stored) await expect(store.size(f.storage_key)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await latest()).metadata).toMatchObject({
      lagringstid: DELIVERY_RETENTION_DAYS,
      borttagen: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const list = await call(office.baseUrl, 'GET', `/download/${id}/files`, { token: token.customer });
    expect(list.status).toBe(410);
    expect(list.body.error.code).toBe('delivery_files_removed');
    for (const f of files) {
      const res = await fetch(f.href, { headers: { authorization: `Bearer ${token.customer}` } });
      expect(res.status).toBe(410);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('delivery_files_removed');
    }
    // Idempotent: a second run finds nothing more of it to remove.
    const again = await purge(DELIVERY_RETENTION_DAYS + 1);
    expect(await office.db('deliveries').where({ id: delivery.id }).first()).toMatchObject({
      files_removed_at: new Date(delivery.finished_at.getTime() + DELIVERY_RETENTION_DAYS * 86_400_000 + 1000),
    });
    expect(again.files).toBe(0);
  });
});
