/**
 * `npm run bench:volume [-- --requests 200 --concurrency 8]` (issue 20): a year's volume loaded
 * straight into PostgreSQL (dev/bench/volume-data.ts; kept in `.data/bench-volume`, so a re-run
 * skips the load), then every list, queue and search route measured through HTTP against the
 * API as a process of its own: p50/p99 with 8 users at once, beside the floor (the same store
 * query run alone, in this process, one at a time), and EXPLAIN of every query a route runs,
 * which must not read a big table by Seq Scan. Target: p99 < 100 ms, within 3x of the floor.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createDirectory } from '../../identity/directory.service';
import { createDb, migrateLatest, type Db } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { listAccounts } from '../../identity/accounts.store';
import { listAudit } from '../../platform/audit/audit.store';
import { listMessages } from '../../platform/outbox/outbox.store';
import { listInvoices } from '../../invoicing/invoices.store';
import { listOrders } from '../../orders/orders.store';
import { caseFeesOn, listCases, searchCasesAndOrders, type SearchFilter } from '../../cases/cases.store';
import { startEmbeddedPostgres } from '../embedded-postgres';
import { startTemporalDevServer } from '../temporal-dev-server';
import { ensureTemporalCli } from '../provision';
import { CITIES, loadVolume, VOLUME } from './volume-data';
import { arg, check, freePort, percentile, pool, ROOT, say, signIn, startChild } from './support';

const REQUESTS = arg('requests', 200);
const CONCURRENCY = arg('concurrency', 8);
const FLOOR_RUNS = 50;
const PASSWORD = 'bench-password-1';
/** Tables at or above this many rows are big: a Seq Scan on one fails the EXPLAIN check. */
const BIG_TABLE_ROWS = 10_000;

interface BenchRoute {
  name: string;
  role: 'handler' | 'admin' | 'finance';
  /** The i-th request's path and query. */
  url: (i: number) => string;
  /** The same query through the store, as the route runs it. */
  floor: (db: Db, i: number) => Promise<unknown>;
}

const dataDir = path.join(process.env.DATA_DIR ?? path.join(ROOT, '.data'), 'bench-volume');
const log = createLogger('warn', 'bench-volume');
const stops: (() => Promise<unknown>)[] = [];
let code = 0;
try {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const [pgPort, temporalPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort, log });
  stops.unshift(pg.stop);
  const db = createDb(pg.url, { min: 1, max: 4 });
  stops.unshift(() => db.destroy());
  await migrateLatest(db);
  const now = new Date();
  if (!(await db('users').where({ email: 'handler@volume.bench' }).first())) {
    say(`Loading a year's volume into ${dataDir} (once; later runs reuse it):`);
    const fees = await caseFeesOn(db, now.toISOString().slice(0, 10));
    // One transaction: a load that stops half-way leaves nothing, and the next run loads again.
    await db.transaction(async (trx) => {
      await loadVolume(trx, fees, now, say);
      const directory = createDirectory({ db: trx, welcome: async () => {} });
      for (const role of ['finance', 'admin', 'handler'] as const)
        await directory.createUser(
          { email: `${role}@volume.bench`, name: role, password: PASSWORD, role },
          { actorType: 'system' },
        );
    });
    await db.raw('ANALYZE');
  }
  const temporal = await startTemporalDevServer({
    cli: await ensureTemporalCli(() => {}),
    port: temporalPort,
    uiPort: null,
    dbFile: null,
    namespace: 'default',
    log,
  });
  stops.unshift(temporal.stop);
  const api = startChild(['app/api-main.ts'], {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    SMTP_URL: '',
  });
  stops.unshift(async () => api.kill('SIGTERM'));
  const base = `http://127.0.0.1:${apiPort}`;
  while (
    !(await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode} while starting`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const tokens = {
    handler: await signIn(base, 'handler@volume.bench', PASSWORD),
    admin: await signIn(base, 'admin@volume.bench', PASSWORD),
    finance: await signIn(base, 'finance@volume.bench', PASSWORD),
  };
  const get = async (role: keyof typeof tokens, url: string) => {
    const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { items: unknown[]; next?: string | null };
  };

  const routes = benchRoutes(await get('handler', '/api/v1/search?limit=50'));
  say(`\n${REQUESTS} requests per route, ${CONCURRENCY} at once; floor: the store's query alone, p50 of ${FLOOR_RUNS}`);
  say('route                                   p50 ms   p99 ms  floor ms  ratio  rows  plan   target');
  const big = await bigTables(db);
  let missed = 0;
  for (const route of routes) {
    // Warm both paths (plans, caches), then the floor alone, then the route under load.
    for (let i = 0; i < 5; i++) await route.floor(db, i);
    const floors: number[] = [];
    for (let i = 0; i < FLOOR_RUNS; i++) {
      const started = performance.now();
      await route.floor(db, i);
      floors.push(performance.now() - started);
    }
    const first = await get(route.role, route.url(0));
    const times: number[] = [];
    await pool(REQUESTS, CONCURRENCY, async () => {
      const i = times.length;
      const started = performance.now();
      await get(route.role, route.url(i));
      times.push(performance.now() - started);
    });
    const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
    const [p50, p99, floor] = [
      percentile(sorted(times), 50),
      percentile(sorted(times), 99),
      percentile(sorted(floors), 50),
    ];
    const seqScans = await explainSeqScans(db, big, (d) => route.floor(d, 0));
    const ok = p99 < 100 && p99 <= 3 * Math.max(floor, 1) && seqScans.length === 0;
    if (!ok) missed++;
    say(
      `${route.name.padEnd(38)} ${p50.toFixed(1).padStart(7)} ${p99.toFixed(1).padStart(8)} ${floor.toFixed(1).padStart(9)} ${(p99 / Math.max(floor, 1)).toFixed(1).padStart(6)} ${String(first.items.length).padStart(5)}  ${seqScans.length ? `Seq Scan on ${seqScans.join(', ')}` : 'index'}  ${check(ok)}`,
    );
  }
  say(
    `\n${missed === 0 ? 'every route met its target' : `${missed} route(s) missed the target`} (p99 < 100 ms and ≤ 3x the floor, floor counted as at least 1 ms, no Seq Scan on a table of ≥ ${BIG_TABLE_ROWS} rows)`,
  );
} catch (err) {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : JSON.stringify(err)}\n`);
  code = 1;
}
for (const stop of stops) await stop().catch(() => {});
process.exit(code);

/** The routes measured, each with the store call it makes (its floor). */
function benchRoutes(firstSearchPage: { next?: string | null }): BenchRoute[] {
  const search = (
    name: string,
    params: (i: number) => Record<string, string>,
    filter: (i: number) => Omit<SearchFilter, 'limit'>,
  ): BenchRoute => ({
    name: `search ${name}`,
    role: 'handler',
    url: (i) => `/api/v1/search?${new URLSearchParams({ ...params(i), limit: '50' }).toString()}`,
    floor: (db, i) => searchCasesAndOrders(db, { ...filter(i), limit: 50 }),
  });
  const lk = (i: number) => `LK-2026-${String(1 + ((i * 7_777) % (VOLUME.cases / 2))).padStart(6, '0')}`;
  const orderPrefix = (i: number) => md5Hex(`vol-order-${1 + ((i * 331) % VOLUME.orders)}`).slice(0, 8);
  const email = (i: number) => `user${1 + ((i * 97) % VOLUME.accounts)}@`;
  const orgDigits = (i: number) => {
    const a = 2 * (1 + ((i * 53) % (VOLUME.accounts / 2)));
    return `556${String((a * 37) % 1000).padStart(3, '0')}${String(a).padStart(5, '0')}`;
  };
  const city = (i: number) => CITIES[i % CITIES.length]!;
  const point = (i: number) => [city(i).e - 10_000 + ((i * 733) % 20_000), city(i).n - 10_000 + ((i * 919) % 20_000)];
  const day = (i: number) => new Date(Date.now() - (1 + (i % 300)) * 86_400_000).toISOString().slice(0, 10);
  const dayStart = (d: string) => new Date(`${d}T00:00:00+01:00`);
  const [cursorAt, cursorRef] = JSON.parse(
    Buffer.from(firstSearchPage.next ?? '', 'base64url').toString('utf8') || '[]',
  ) as string[];
  return [
    {
      name: 'cases queue by deadline (registered)',
      role: 'handler',
      url: () => '/api/v1/cases?status=registered',
      floor: (db) => listCases(db, { status: 'registered', limit: 50 }),
    },
    {
      name: 'cases overdue',
      role: 'handler',
      url: () => '/api/v1/cases?overdue=true',
      floor: (db) => listCases(db, { overdue: true, limit: 50 }),
    },
    {
      name: 'orders awaiting approval',
      role: 'handler',
      url: () => '/api/v1/orders?status=awaiting_approval',
      floor: (db) => listOrders(db, { status: 'awaiting_approval', limit: 50 }),
    },
    {
      name: 'orders failed (deliveries)',
      role: 'handler',
      url: () => '/api/v1/orders?status=failed',
      floor: (db) => listOrders(db, { status: 'failed', limit: 50 }),
    },
    {
      name: 'invoices',
      role: 'finance',
      url: () => '/api/v1/invoices',
      floor: (db) => listInvoices(db, { limit: 50 }),
    },
    { name: 'accounts', role: 'admin', url: () => '/api/v1/accounts', floor: (db) => listAccounts(db, { limit: 50 }) },
    {
      name: 'audit',
      role: 'admin',
      url: () => '/api/v1/audit',
      floor: (db) => listAudit(db, { limit: 50 }),
    },
    {
      name: 'outbox',
      role: 'admin',
      url: () => '/api/v1/outbox',
      floor: (db) => listMessages(db, { limit: 50 }),
    },
    search(
      'newest',
      () => ({}),
      () => ({}),
    ),
    search(
      'page 2 (cursor)',
      () => ({ cursor: firstSearchPage.next ?? '' }),
      () => ({ after: { at: new Date(cursorAt!), ref: cursorRef! } }),
    ),
    search(
      'LK number',
      (i) => ({ q: lk(i) }),
      (i) => ({ q: lk(i) }),
    ),
    search(
      'order number (start)',
      (i) => ({ q: orderPrefix(i) }),
      (i) => ({ q: orderPrefix(i) }),
    ),
    search(
      'name (common: Nilsson)',
      () => ({ q: 'Nilsson' }),
      () => ({ q: 'Nilsson' }),
    ),
    search(
      'name (one company)',
      (i) => ({ q: `${2 * (1 + (i % 9999))} AB` }),
      (i) => ({ q: `${2 * (1 + (i % 9999))} AB` }),
    ),
    search(
      'e-mail',
      (i) => ({ q: email(i) }),
      (i) => ({ q: email(i) }),
    ),
    search(
      'organisation number',
      (i) => ({ q: orgDigits(i) }),
      (i) => ({ q: orgDigits(i) }),
    ),
    search(
      'owner',
      (i) => ({ ownerId: `vol-owner-${1 + (i % VOLUME.owners)}` }),
      (i) => ({ ownerId: `vol-owner-${1 + (i % VOLUME.owners)}` }),
    ),
    search(
      'status (withdrawn)',
      () => ({ status: 'withdrawn' }),
      () => ({ status: 'withdrawn' }),
    ),
    search(
      'dates (one day)',
      (i) => ({ from: day(i), to: day(i) }),
      (i) => ({ from: dayStart(day(i)), to: new Date(dayStart(day(i)).getTime() + 86_400_000) }),
    ),
    search(
      'point',
      (i) => ({ point: point(i).join(',') }),
      (i) => ({ box: { minE: point(i)[0]!, minN: point(i)[1]!, maxE: point(i)[0]!, maxN: point(i)[1]! } }),
    ),
    search(
      'area (1 km box)',
      (i) => ({ box: [point(i)[0]!, point(i)[1]!, point(i)[0]! + 1000, point(i)[1]! + 1000].join(',') }),
      (i) => ({
        box: { minE: point(i)[0]!, minN: point(i)[1]!, maxE: point(i)[0]! + 1000, maxN: point(i)[1]! + 1000 },
      }),
    ),
  ];
}

function md5Hex(text: string) {
  return createHash('md5').update(text).digest('hex');
}

/** Tables with at least BIG_TABLE_ROWS rows (by the planner's statistics). */
async function bigTables(db: Db): Promise<Set<string>> {
  const { rows } = await db.raw(
    `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples >= ?`,
    [BIG_TABLE_ROWS],
  );
  return new Set((rows as { relname: string }[]).map((r) => r.relname));
}

/** The big tables a call's queries read by Seq Scan, from EXPLAIN of every query it runs. */
async function explainSeqScans(db: Db, big: Set<string>, call: (db: Db) => Promise<unknown>): Promise<string[]> {
  const queries: { sql: string; bindings: readonly unknown[] }[] = [];
  const listen = (q: { sql: string; bindings?: readonly unknown[] }) =>
    queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listen);
  try {
    await call(db);
  } finally {
    db.removeListener('query', listen);
  }
  const found = new Set<string>();
  for (const q of queries) {
    // The driver's own call: the logged text already has PostgreSQL's $n placeholders.
    const connection = (await db.client.acquireConnection()) as pg.PoolClient;
    const { rows } = await connection
      .query(`EXPLAIN (FORMAT JSON) ${q.sql}`, [...q.bindings])
      .finally(() => db.client.releaseConnection(connection));
    const walk = (node: { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] }) => {
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && big.has(node['Relation Name']))
        found.add(node['Relation Name']);
      for (const child of node.Plans ?? []) walk(child as typeof node);
    };
    walk((rows as { 'QUERY PLAN': { Plan: Parameters<typeof walk>[0] }[] }[])[0]!['QUERY PLAN'][0]!.Plan);
  }
  return [...found];
}
