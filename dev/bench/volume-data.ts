/**
 * The year's volume of `npm run bench:volume` (issue 20), generated inside PostgreSQL with
 * generate_series: 20,000 accounts with a user each, 1,000,000 cases with their owners' answers
 * and events, 200,000 orders with deliveries and events, 50,000 subscriptions, and invoices,
 * audit entries and outbox messages for the lists. Deterministic: the same rows on every load.
 */
import type { Db } from '../../platform/db';

export const VOLUME = {
  accounts: 20_000,
  cases: 1_000_000,
  orders: 200_000,
  subscriptions: 50_000,
  invoices: 100_000,
  audit: 300_000,
  outbox: 200_000,
  owners: 40,
};

/** A number in [0, 1) from an integer and a salt (a multiplicative hash: spread, but repeatable). */
const r = (i: string, salt: number) => `((((${i})::bigint * ${2_654_435_761 + salt * 97}) % 1000003) / 1000003.0)`;
const accountId = (i: string) => `md5('vol-account-' || (${i}))::uuid`;
const userId = (i: string) => `md5('vol-user-' || (${i}))::uuid`;
const FIRST = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Anders', 'Eva', 'Johan', 'Sara', 'Per'];
const LAST = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson'];
const TRADES = ['Bygg', 'Mark', 'El', 'Fiber', 'VVS', 'Schakt', 'Energi', 'Anläggning'];
const PLACES = ['Solna', 'Lund', 'Umeå', 'Kiruna', 'Visby', 'Borås', 'Gävle', 'Luleå', 'Ystad', 'Mora'];
const DOMAINS = ['example.se', 'bygg.test', 'mark.test', 'post.test', 'foretag.test'];
const arr = (values: string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]`;

/** Where the bench's cases lie: 60 % in three cities (30 km squares), the rest spread over Sweden (SWEREF 99 TM). */
export const CITIES = [
  { name: 'Stockholm', e: 674_000, n: 6_580_000 },
  { name: 'Göteborg', e: 319_000, n: 6_400_000 },
  { name: 'Malmö', e: 374_000, n: 6_164_000 },
];

export async function loadVolume(db: Db, fees: unknown, now: Date, say: (line: string) => void) {
  // Values are written into the statements: knex would read `:name` bindings into `::type` casts.
  const NOW = `'${now.toISOString()}'`;
  const step = async (what: string, sql: string) => {
    const started = performance.now();
    await db.raw(sql);
    say(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  const V = VOLUME;
  await step(
    `${V.owners} network owners`,
    `INSERT INTO network_owners (id, name, email, mode, coverage)
     SELECT 'vol-owner-' || j, 'Nätägare ' || j, 'owner' || j || '@bench.test',
            CASE WHEN j % 10 = 0 THEN 'maps_primarily' ELSE 'locates' END,
            '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}'::jsonb
     FROM generate_series(1::bigint, ${V.owners}) j`,
  );
  await step(
    `${V.accounts} accounts with a user each`,
    `INSERT INTO accounts (id, kind, name, birth_date, organisation_number, email, created_at)
     SELECT ${accountId('i')}, CASE WHEN i % 2 = 0 THEN 'organisation' ELSE 'private' END,
            CASE WHEN i % 2 = 0
              THEN (${arr(TRADES)})[1 + i % ${TRADES.length}] || ' ' || (${arr(PLACES)})[1 + (i / 8) % ${PLACES.length}] || ' ' || i || ' AB'
              ELSE (${arr(FIRST)})[1 + i % ${FIRST.length}] || ' ' || (${arr(LAST)})[1 + (i / 10) % ${LAST.length}] END,
            CASE WHEN i % 2 = 1 THEN date '1950-01-01' + (i % 18000)::int END,
            CASE WHEN i % 2 = 0 THEN '556' || lpad((i * 37 % 1000)::text, 3, '0') || '-' || lpad(i::text, 5, '0') END,
            'kontakt' || i || '@' || (${arr(DOMAINS)})[1 + i % ${DOMAINS.length}],
            ${NOW}::timestamptz - (${V.accounts} - i) * interval '2 hours'
     FROM generate_series(1::bigint, ${V.accounts}) i;
     INSERT INTO users (id, account_id, email, name, password_hash, role, account_role)
     SELECT ${userId('i')}, ${accountId('i')}, 'user' || i || '@' || (${arr(DOMAINS)})[1 + (i + 1) % ${DOMAINS.length}],
            'Användare ' || i, 'not-a-hash', 'customer', 'admin'
     FROM generate_series(1::bigint, ${V.accounts}) i`,
  );
  // Half the cases of the previous year, half of this; the newest 8 % are still open.
  const open = Math.round(V.cases * 0.08);
  await step(
    `${V.cases} cases`,
    `INSERT INTO cases (lk, year, sequence, kind, account_id, user_id, work_area, area_m2, registered_at, order_time,
                        handling_deadline, dig_start, locate_date, status, overdue, fees, min_e, min_n, max_e, max_n)
     SELECT 'LK-' || y || '-' || lpad(s::text, 6, '0'), y, s,
            CASE WHEN i % 20 < 16 THEN 'locate' WHEN i % 20 < 19 THEN 'planning' ELSE 'survey' END,
            ${accountId('a')}, ${userId('a')},
            jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(jsonb_build_array(
              jsonb_build_array(e, n), jsonb_build_array(e + w, n), jsonb_build_array(e + w, n + h),
              jsonb_build_array(e, n + h), jsonb_build_array(e, n)))),
            (w * h)::int, at, at::date, at::date + 7, at::date + 10,
            CASE WHEN i <= ${V.cases - open} THEN at::date + 5 END,
            CASE WHEN i > ${V.cases - open} THEN (ARRAY['registered', 'answered', 'locate_scheduled'])[1 + i % 3]
                 ELSE (ARRAY['located', 'located', 'located', 'completed', 'delivered', 'cancelled', 'withdrawn'])[1 + i % 7] END,
            i > ${V.cases - open} AND at::date + 7 < ${NOW}::date,
            $fees$${JSON.stringify(fees)}$fees$::jsonb, e, n, e + w, n + h
     FROM (SELECT i, CASE WHEN i <= ${V.cases / 2} THEN 2025 ELSE 2026 END AS y,
                  CASE WHEN i <= ${V.cases / 2} THEN i ELSE i - ${V.cases / 2} END AS s,
                  1 + (i * 7919) % ${V.accounts} AS a,
                  ${NOW}::timestamptz - (${V.cases} - i) * interval '31 seconds' AS at,
                  CASE WHEN i % 5 < 3
                    THEN (ARRAY[${CITIES.map((c) => c.e).join(',')}])[1 + i % 5] - 15000 + floor(${r('i', 1)} * 30000)
                    ELSE 300000 + floor(${r('i', 2)} * 600000) END AS e,
                  CASE WHEN i % 5 < 3
                    THEN (ARRAY[${CITIES.map((c) => c.n).join(',')}])[1 + i % 5] - 15000 + floor(${r('i', 3)} * 30000)
                    ELSE 6200000 + floor(${r('i', 4)} * 1400000) END AS n,
                  50 + floor(${r('i', 5)} * 250) AS w, 50 + floor(${r('i', 6)} * 250) AS h
           FROM generate_series(1::bigint, ${V.cases}) i) g`,
  );
  await step(
    `${V.cases * 3} owners' answers`,
    `INSERT INTO case_owners (lk, owner_id, answer, answered_by, answered_at)
     SELECT c.lk, 'vol-owner-' || (1 + (c.sequence + k * 13) % ${V.owners}),
            CASE WHEN c.status <> 'registered' THEN (ARRAY['no_infrastructure', 'dig_according_to_map', 'locate_needed'])[1 + k] END,
            CASE WHEN c.status <> 'registered' THEN 'vol-owner' END,
            CASE WHEN c.status <> 'registered' THEN c.registered_at + interval '1 day' END
     FROM cases c CROSS JOIN generate_series(0, 2) k WHERE c.lk LIKE 'LK-%'`,
  );
  await step(
    `${V.cases * 3} case events`,
    `INSERT INTO case_events (lk, at, type, actor, actor_role, data)
     SELECT c.lk, c.registered_at + k * interval '1 day', (ARRAY['registered', 'deadline_set', 'answered'])[1 + k],
            'user:vol', 'customer', '{}'::jsonb
     FROM cases c CROSS JOIN generate_series(0, 2) k`,
  );
  const fee = JSON.stringify({
    priceListVersion: '2026-01-01',
    areaM2: 1_000_000,
    areaFee: { minor: 50_000, currency: 'SEK' },
    lines: [],
    net: { minor: 50_000, currency: 'SEK' },
    vat: { minor: 12_500, currency: 'SEK' },
    total: { minor: 62_500, currency: 'SEK' },
    minimumApplied: false,
  });
  await step(
    `${V.orders} orders with deliveries and events, ${V.subscriptions} subscriptions`,
    `INSERT INTO orders (id, account_id, user_id, product_id, format, delivery_method, selection, area_m2,
                         price_list_version, fee, permitted_use, status, placed_at, subscription, delivery_interval)
     SELECT md5('vol-order-' || k)::uuid, ${accountId('a')}, ${userId('a')}, 'terrangkartan', 'GeoJSON', 'download',
            '{"type":"Polygon","coordinates":[[[600000,6600000],[601000,6600000],[601000,6601000],[600000,6600000]]]}'::jsonb,
            1000000, date '2025-01-01', $fee$${fee}$fee$::jsonb, 'internal',
            CASE WHEN k <= ${V.subscriptions} THEN 'delivered'
                 WHEN k % 50 = 0 THEN 'awaiting_approval' WHEN k % 50 = 1 THEN 'failed' ELSE 'delivered' END,
            ${NOW}::timestamptz - (${V.orders} - k) * interval '157 seconds',
            k <= ${V.subscriptions}, CASE WHEN k <= ${V.subscriptions} THEN 'monthly' END
     FROM (SELECT k, 1 + (k * 104729) % ${V.accounts} AS a FROM generate_series(1::bigint, ${V.orders}) k) g;
     INSERT INTO deliveries (id, order_id, typ, status, created_at, finished_at)
     SELECT md5('vol-delivery-' || id)::uuid, id, 'BAS',
            CASE WHEN status = 'failed' THEN 'MISSLYCKAD' WHEN status = 'delivered' THEN 'LYCKAD' ELSE 'PÅGÅENDE' END,
            placed_at, placed_at + interval '1 minute'
     FROM orders WHERE status IN ('failed', 'delivered') AND product_id = 'terrangkartan';
     INSERT INTO order_events (order_id, status, "by", at)
     SELECT o.id, s, NULL, o.placed_at FROM orders o CROSS JOIN unnest(ARRAY['submitted', o.status]) s;
     INSERT INTO subscriptions (order_id, status, term, term_start, term_end)
     SELECT id, 'active', 1, placed_at, placed_at + interval '1 year' FROM orders WHERE subscription`,
  );
  await step(
    `${V.invoices} invoices, ${V.audit} audit entries, ${V.outbox} outbox messages`,
    `INSERT INTO invoices (number, year, sequence, account_id, invoice_date, due_date, currency, net_minor, vat_minor,
                           total_minor, status, idempotency_key, created_at)
     SELECT 'V' || j, 2026, 100000 + j, ${accountId(`1 + (j * 31) % ${V.accounts}`)}, ${NOW}::date - ((${V.invoices} - j) / 300)::int,
            ${NOW}::date - ((${V.invoices} - j) / 300)::int + 30, 'SEK', 10000, 2500, 12500,
            CASE WHEN j % 10 = 0 THEN 'unpaid' ELSE 'paid' END, 'vol-invoice-' || j,
            ${NOW}::timestamptz - (${V.invoices} - j) * interval '5 minutes'
     FROM generate_series(1::bigint, ${V.invoices}) j;
     INSERT INTO audit_log (at, actor_type, actor_id, action, object_type, object_id)
     SELECT ${NOW}::timestamptz - (${V.audit} - j) * interval '100 seconds', 'user', 'vol-user',
            CASE WHEN j % 2 = 0 THEN 'order.approved' ELSE 'case.answered' END,
            CASE WHEN j % 2 = 0 THEN 'order' ELSE 'case' END, 'object-' || (j % 100000)
     FROM generate_series(1::bigint, ${V.audit}) j;
     INSERT INTO outbox (idempotency_key, template, locale, to_address, subject, html, text, status, message_id,
                         account_id, created_at)
     SELECT 'vol-mail-' || j, 'order-delivered', 'sv', 'kontakt' || (1 + j % ${V.accounts}) || '@example.se',
            'Leverans', '<p>Leverans</p>', 'Leverans', CASE WHEN j % 100 = 0 THEN 'failed' ELSE 'sent' END,
            'vol-' || j || '@bench.test', ${accountId(`1 + j % ${V.accounts}`)},
            ${NOW}::timestamptz - (${V.outbox} - j) * interval '150 seconds'
     FROM generate_series(1::bigint, ${V.outbox}) j`,
  );
}
