import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../dev/embedded-postgres';
import { freePort } from '../setup/global';
import { log, startBackOffice, type TestBackOffice } from '../support/env';

let pg: RunningPostgres;
let office: TestBackOffice;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-readyz-'));

beforeAll(async () => {
  fs.chmodSync(dataDir, 0o755);
  pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), log });
  // This API gets a database server of its own, which the test can stop.
  office = await startBackOffice({ DATABASE_URL: pg.url });
});
afterAll(async () => {
  await office.close();
  await pg.stop().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('/healthz and /readyz answer 200 while the database and Temporal answer', async () => {
  expect((await fetch(`${office.baseUrl}/healthz`)).status).toBe(200);
  const ready = await fetch(`${office.baseUrl}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({
    status: 'ready',
    checks: { database: { ok: true }, temporal: { ok: true } },
  });
});

it('/readyz turns 503 when the database stops, while /healthz stays 200', async () => {
  await pg.stop();
  const res = await fetch(`${office.baseUrl}/readyz`);
  expect(res.status).toBe(503);
  const body = (await res.json()) as {
    status: string;
    checks: { database: { ok: boolean }; temporal: { ok: boolean } };
  };
  expect(body.status).toBe('unready');
  expect(body.checks.database.ok).toBe(false);
  expect(body.checks.temporal.ok).toBe(true);
  expect((await fetch(`${office.baseUrl}/healthz`)).status).toBe(200);
});
