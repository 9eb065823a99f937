import crypto from 'node:crypto';
import { sellerOf } from '../../invoicing/invoice-document';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { simpleParser, type ParsedMail } from 'mailparser';
import { inject } from 'vitest';
import { createActivities } from '../../app/activities';
import { createApp } from '../../app/api';
import { createDb, migrateLatest, type Db } from '../../platform/db';
import { loadConfig, type Config } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createServices } from '../../app/services';
import { createWorker, productSourceDir, WORKFLOWS_PATH } from '../../app/worker';
import { ensureDemoSources } from '../../dev/demo-source';
import { DELIVERY_RETENTION_DAYS } from '../../orders/orders.rules';

export const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', 'test');

/** A database of its own for one test file, migrated to the latest schema. */
export async function createTestDatabase(
  opts: { migrate?: boolean } = {},
): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const admin = createDb(inject('databaseUrl'), { min: 0, max: 1 });
  const name = `test_${crypto.randomBytes(6).toString('hex')}`;
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = inject('databaseUrl').replace(/\/[^/]+$/, `/${name}`);
  const db = createDb(url);
  if (opts.migrate !== false) await migrateLatest(db);
  return {
    db,
    url,
    async drop() {
      await db.destroy();
      await admin.raw(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

async function existingDatabase(url: string) {
  const db = createDb(url);
  await migrateLatest(db);
  return { db, url, drop: () => db.destroy() };
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${crypto.randomBytes(4).toString('hex')}`,
    SMTP_URL: `smtp://127.0.0.1:${inject('smtpPort')}`,
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    DATA_DIR: path.join(os.tmpdir(), 'kartkontor-test-data'),
    ...env,
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export const workflowBundle = () =>
  (bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  }));

export interface TestBackOffice {
  config: Config;
  db: Db;
  temporal: Client;
  worker: Worker;
  baseUrl: string;
  close(): Promise<void>;
}

/** The API and a worker on the dev server, over a fresh database: the back office as deployed. */
export async function startBackOffice(
  env: Record<string, string> = {},
): Promise<TestBackOffice & { drop(): Promise<void> }> {
  const database = env.DATABASE_URL ? await existingDatabase(env.DATABASE_URL) : await createTestDatabase();
  // The port is taken first, so links (built from PUBLIC_URL, never the Host header) point at this server.
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig({ DATABASE_URL: database.url, PORT: String(port), PUBLIC_URL: baseUrl, ...env });
  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await createWorker(config, { db: database.db, log }, await workflowBundle());
  const running = worker.run();
  const app = createApp({
    config,
    db: database.db,
    temporal,
    services: createServices({ db: database.db, temporal, config }),
    log,
  });
  server.on('request', app);
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection.close();
  };
  return {
    config,
    db: database.db,
    temporal,
    worker,
    baseUrl,
    close,
    drop: async () => {
      await close();
      await database.drop();
    },
  };
}

/** The demo product sources (G7), generated once, then copied for a test file that edits its source. */
export function demoSources(): string {
  const dir = productSourceDir(testConfig());
  ensureDemoSources(dir);
  return dir;
}
export function copyOfDemoSources(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-test-sources-'));
  fs.cpSync(demoSources(), copy, { recursive: true });
  return copy;
}

/** The activities over a test database, sending to the test SMTP receiver unless told otherwise. */
export function testActivities(db: Db, opts: { smtp?: boolean } = {}) {
  const sources = demoSources();
  return createActivities({
    db,
    smtpUrl: opts.smtp === false ? undefined : `smtp://127.0.0.1:${inject('smtpPort')}`,
    mailFrom: 'Kartkontor <noreply@test.se>',
    deliveryDir: path.join(os.tmpdir(), 'kartkontor-test-deliveries'),
    productSourceDir: sources,
    retentionDays: DELIVERY_RETENTION_DAYS,
    seller: sellerOf(testConfig()),
    log,
  });
}

/**
 * The test activities with a production system that can be made to fail: set `production.failures`
 * and the next that many production attempts throw.
 */
export function activitiesWithFailingProduction(db: Db) {
  const activities = testActivities(db, { smtp: false });
  const production = { failures: 0 };
  return {
    production,
    activities: {
      ...activities,
      async produceDelivery(request: Parameters<typeof activities.produceDelivery>[0]) {
        if (production.failures > 0) {
          production.failures -= 1;
          throw new Error('the production system is down');
        }
        return activities.produceDelivery(request);
      },
    },
  };
}

const parsedMail = new Map<string, ParsedMail>();

/** Every message the SMTP receiver got for `to`, parsed (each file once); waits until `count` have arrived. */
export async function mailTo(to: string, count = 1, timeoutMs = 20_000): Promise<ParsedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dir = inject('mailDir');
    for (const file of fs.readdirSync(dir)) {
      if (!parsedMail.has(file)) parsedMail.set(file, await simpleParser(fs.readFileSync(path.join(dir, file))));
    }
    const mine = [...parsedMail.keys()]
      .sort()
      .map((file) => parsedMail.get(file)!)
      .filter((m) => [m.to].flat().some((a) => a?.value.some((v) => v.address === to)));
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** JSON over HTTP with an optional bearer token. */
export async function call(
  baseUrl: string,
  method: string,
  urlPath: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A system account's bearer token for the delivery API (G10), from its OAuth client credentials. */
export async function clientCredentialsToken(
  baseUrl: string,
  client: { clientId: string; clientSecret: string },
): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) throw new Error(`client credentials of ${client.clientId}: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await call(baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token;
}
