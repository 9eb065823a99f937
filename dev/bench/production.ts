/**
 * `npm run bench:production [-- --features 1000000 --km2 100 --format GeoPackage]`: production (G7)
 * of the densest product, buildings, from a source of at least `--features` objects (generated
 * once and cached under tmp/cache), cutting a BAS extract of `--km2` square kilometres in the
 * middle. The producer runs in a child process of its own, as in the worker; it reports its idle
 * and peak memory (VmHWM). Beside it, in the same run, two floors over the same source and
 * selection: a plain read of the rows through the R-tree (no clipping, no writing), and GDAL's
 * `ogr2ogr -clipsrc` writing a GeoPackage.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildings, BUILDING_ATTRIBUTES, type Extent } from '../demo-source';
import { sourceFile, writeSource } from '../../orders/product-source';
import { sourceProducer } from '../../orders/production';
import { openGeoPackage } from '../../platform/geopackage';
import { arg, check, ROOT, say } from './support';

const FEATURES = arg('features', 1_000_000);
const KM2 = arg('km2', 100);
const FORMAT = process.argv.includes('--format') ? process.argv[process.argv.indexOf('--format') + 1]! : 'GeoPackage';
/** Buildings per km² of the dense town: 100 m blocks of nine parcels, nine in ten built. */
const DENSITY = 810;
const SIDE_KM = Math.ceil(Math.sqrt(FEATURES / DENSITY));
const EXTENT: Extent = {
  minE: 600_000,
  minN: 6_500_000,
  maxE: 600_000 + SIDE_KM * 1000,
  maxN: 6_500_000 + SIDE_KM * 1000,
};
const CUT = Math.sqrt(KM2) * 1000;
const centre = [(EXTENT.minE + EXTENT.maxE) / 2, (EXTENT.minN + EXTENT.maxN) / 2] as const;
const box = {
  minE: centre[0] - CUT / 2,
  minN: centre[1] - CUT / 2,
  maxE: centre[0] + CUT / 2,
  maxN: centre[1] + CUT / 2,
};
const selection = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [box.minE, box.minN],
      [box.maxE, box.minN],
      [box.maxE, box.maxN],
      [box.minE, box.maxN],
      [box.minE, box.minN],
    ] as [number, number][],
  ],
};
const SOURCE_DIR = path.join(ROOT, 'tmp/cache', `bench-production-${FEATURES}`);
const memory = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

// The child: one extract, as the worker's activity makes it; prints its figures as JSON.
if (process.argv.includes('--produce')) {
  const mode = process.argv[process.argv.indexOf('--produce') + 1];
  const idle = memory('VmRSS');
  const started = performance.now();
  let features = 0;
  if (mode === 'read') {
    const db = openGeoPackage(sourceFile(SOURCE_DIR, 'byggnader', 'gpkg'), { readonly: true });
    const at = new Date().toISOString();
    for (const _row of db
      .prepare(
        `SELECT * FROM byggnader WHERE fid IN (SELECT id FROM rtree_byggnader_geom WHERE minx <= @maxE AND maxx >= @minE AND miny <= @maxN AND maxy >= @minN)
         AND giltig_fran <= @at AND (giltig_till IS NULL OR giltig_till > @at)`,
      )
      .iterate({ ...box, at }))
      features++;
    db.close();
  } else {
    const produced = await sourceProducer(SOURCE_DIR).produce(
      {
        orderId: 'bench',
        deliveryId: 'bench',
        productId: 'byggnader',
        selection,
        typ: 'BAS',
        asOf: Date.now(),
        sinceVersion: null,
        format: FORMAT,
      },
      () => {},
    );
    features = produced.files.flatMap((f) => f.statistik ?? []).reduce((sum, s) => sum + s.antalObjekt, 0);
    await produced.done();
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ features, ms, idle, peak: memory('VmHWM') })}\n`);
  process.exit(0);
}

function ensureSource() {
  const file = sourceFile(SOURCE_DIR, 'byggnader', 'gpkg');
  if (fs.existsSync(file)) return say(`source: cached ${path.relative(ROOT, file)}`);
  fs.mkdirSync(SOURCE_DIR, { recursive: true });
  const started = Date.now();
  let rows = 0;
  writeSource(file, [{ name: 'byggnader', geometryType: 'POLYGON', attributes: BUILDING_ATTRIBUTES }], (w) =>
    buildings(
      EXTENT,
      (v) => {
        rows++;
        w.byggnader!(v);
      },
      100,
      3,
    ),
  );
  say(`source: generated ${rows} object versions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const child = (mode: string) =>
  new Promise<{ features: number; ms: number; idle: number; peak: number }>((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', 'dev/bench/production.ts', ...process.argv.slice(2), '--produce', mode],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`${mode}: exit ${code}`)),
    );
  });

ensureSource();
const source = sourceFile(SOURCE_DIR, 'byggnader', 'gpkg');
const db = openGeoPackage(source, { readonly: true });
const { total } = db.prepare('SELECT count(DISTINCT objektidentitet) total FROM byggnader').get() as { total: number };
db.close();
say(
  `source: ${total} buildings over ${SIDE_KM} × ${SIDE_KM} km (${(fs.statSync(source).size / 2 ** 20).toFixed(0)} MiB); cut: ${KM2} km² ${FORMAT}, ${os.cpus().length} cores`,
);

const produced = await child('produce');
const read = await child('read');
const out = path.join(os.tmpdir(), `bench-production-${process.pid}.gpkg`);
const gdalStarted = performance.now();
execFileSync('/usr/bin/ogr2ogr', [
  '-f',
  'GPKG',
  out,
  source,
  'byggnader',
  '-where',
  `giltig_till IS NULL`,
  '-spat',
  ...[box.minE, box.minN, box.maxE, box.maxN].map(String),
  '-clipsrc',
  'spat_extent',
]);
const gdalMs = performance.now() - gdalStarted;
fs.rmSync(out, { force: true });

const row = (name: string, features: number, ms: number, memory: string) =>
  say(
    `${name.padEnd(34)} ${String(features).padStart(9)} ${(ms / 1000).toFixed(2).padStart(8)} s ${String(Math.round(features / (ms / 1000))).padStart(10)}/s  ${memory}`,
  );
say('');
say(
  `${'run'.padEnd(34)} ${'features'.padStart(9)} ${'time'.padStart(10)} ${'features/s'.padStart(12)}  memory above idle`,
);
row(
  `Kartkontor production (${FORMAT})`,
  produced.features,
  produced.ms,
  `${(produced.peak - produced.idle).toFixed(0)} MiB (idle ${produced.idle.toFixed(0)}, peak ${produced.peak.toFixed(0)})`,
);
row('floor: read the rows (R-tree)', read.features, read.ms, `${(read.peak - read.idle).toFixed(0)} MiB`);
row('floor: ogr2ogr -clipsrc (GDAL)', produced.features, gdalMs, '');
say('');
say(
  `target: ≤ 15 s ${check(produced.ms <= 15_000)}, ≤ 250 MB above idle ${check((produced.peak - produced.idle) * 1.048576 <= 250)}`,
);
