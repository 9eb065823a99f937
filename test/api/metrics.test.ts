import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../setup/global';
import { startBackOffice } from '../support/env';

const TOKEN = 'metrics-token-for-the-test';
let office: Awaited<ReturnType<typeof startBackOffice>>;
let workerMetrics: string;

beforeAll(async () => {
  workerMetrics = `127.0.0.1:${await freePort()}`;
  office = await startBackOffice({ METRICS_TOKEN: TOKEN, WORKER_METRICS_ADDRESS: workerMetrics });
});
afterAll(() => office.drop());

const scrape = (token?: string) =>
  fetch(`${office.baseUrl}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

describe('/metrics (issue 19)', () => {
  it('refuses a scraper without the METRICS_TOKEN bearer token, or with another, with 401 and a code', async () => {
    for (const res of [await scrape(), await scrape('not-the-metrics-token'), await scrape(`${TOKEN}x`)]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    }
  });

  it('reports HTTP requests by route pattern and status, and the business gauges read fresh at each scrape', async () => {
    expect((await fetch(`${office.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${office.baseUrl}/no/such/page/123`)).status).toBe(404);
    await office.db('settlements').insert([
      { year: 1991, status: 'draft' },
      { year: 1992, status: 'draft' },
    ]);
    const res = await scrape(TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /kartkontor_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/,
    );
    // An unknown path's own text never becomes a label: one series for all of them.
    expect(text).toMatch(
      /kartkontor_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/,
    );
    expect(text).not.toContain('/no/such/page');
    expect(text).toContain('kartkontor_settlements{status="draft"} 2');
    for (const name of ['outbox_messages', 'cases', 'cases_overdue', 'deliveries'])
      expect(text).toContain(`# TYPE kartkontor_${name} gauge`);

    await office.db('settlements').where({ year: 1992 }).update({ status: 'approved' });
    const again = await (await scrape(TOKEN)).text();
    expect(again).toContain('kartkontor_settlements{status="draft"} 1');
    expect(again).toContain('kartkontor_settlements{status="approved"} 1');
  });

  it('the worker serves the Temporal SDK’s own metrics on WORKER_METRICS_ADDRESS', async () => {
    await expect
      .poll(async () => {
        const res = await fetch(`http://${workerMetrics}/metrics`).catch(() => null);
        return res?.ok ? await res.text() : '';
      })
      .toMatch(/^temporal_/m);
  });
});

describe('/metrics without METRICS_TOKEN', () => {
  it('does not exist (404), so metrics are never public by mistake', async () => {
    const open = await startBackOffice();
    try {
      const res = await fetch(`${open.baseUrl}/metrics`);
      expect(res.status).toBe(404);
    } finally {
      await open.drop();
    }
  });
});
