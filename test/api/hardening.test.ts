/**
 * Issue 15, the hardening points beside A6's bad-input classes: page bodies read only after the
 * session is known and mapped to 4xx pages, CSV exports, security headers and links, request
 * ids, stale idempotency claims and the purge of expired tokens and keys.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { SESSION_COOKIE } from '../../identity/auth';
import { createPurgeActivities } from '../../identity/purge.activities';
import { ensurePurgeSchedule } from '../../identity/purge-schedule';
import { PURGE_SCHEDULE_ID } from '../../identity/purge.messages';
import { cspViolations, launchBrowser, signIn, watchCsp } from '../support/browser';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let customer: string;
let admin: string;
let adminId: string;
const password = 'hardening-password-1';

beforeAll(async () => {
  office = await startBackOffice();
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const account = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Härdning AB',
      email: 'hard-org@test.se',
      organisationNumber: '556123-4567',
      language: 'en',
    },
    actor,
  );
  await directory.createUser(
    { email: 'hard-customer@test.se', name: 'C', password, role: 'customer', accountId: account.id, language: 'en' },
    actor,
  );
  customer = await login(office.baseUrl, 'hard-customer@test.se', password);
  adminId = (await directory.createUser({ email: 'hard-admin@test.se', name: 'A', password, role: 'admin' }, actor)).id;
  admin = await login(office.baseUrl, 'hard-admin@test.se', password);
});
afterAll(() => office.drop());

/**
 * Sends the head of a request that announces `announced` bytes, then only `sent` of them, and
 * resolves with the answer's status if it comes while the rest is still unsent.
 */
function answerBeforeBody(
  urlPath: string,
  headers: Record<string, string>,
  announced: number,
  sent: number,
): Promise<{ status: number; location?: string; body: string }> {
  const url = new URL(urlPath, office.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(announced) },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode!, location: res.headers.location, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(Buffer.alloc(sent, 'a'));
  });
}

const pagePost = (urlPath: string, body: string | Buffer, headers: Record<string, string>) =>
  fetch(`${office.baseUrl}${urlPath}`, { method: 'POST', redirect: 'manual', headers, body });

describe('page bodies', () => {
  it('an unauthenticated page POST announcing 45 MB is sent to the sign-in page before its body is read', async () => {
    const res = await answerBeforeBody(
      '/app/orders',
      { 'content-type': 'application/x-www-form-urlencoded' },
      45 * 1024 * 1024,
      64 * 1024,
    );
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/app\/sign-in/);
  });

  it('an unauthenticated multipart page POST is turned away before its body too', async () => {
    const res = await answerBeforeBody(
      '/app/settlements',
      { 'content-type': 'multipart/form-data; boundary=x' },
      45 * 1024 * 1024,
      1024,
    );
    expect(res.status).toBe(303);
  });

  it('the sign-in form is bounded: a 100 kB one is a 413 page', async () => {
    const res = await pagePost('/app/sign-in', `_csrf=x&email=${'x'.repeat(100_000)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('body_too_large');
  });

  const session = () => ({ cookie: `${SESSION_COOKIE}=${customer}` });

  it("a signed-in user's oversized form is a 413 page with the code", async () => {
    const res = await pagePost('/app/orders', `_csrf=x&note=${'x'.repeat(3_000_000)}`, {
      ...session(),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/html/);
    expect(await res.text()).toContain('body_too_large');
  });

  it('a form of too many fields is a 413 page', async () => {
    const fields = Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&');
    const res = await pagePost('/app/orders', fields, {
      ...session(),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('body_too_large');
  });

  it('a malformed multipart form is a 400 page', async () => {
    const res = await pagePost('/app/settlements', 'not multipart at all', {
      ...session(),
      'content-type': 'multipart/form-data; boundary=nothere',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('bad_multipart');
  });

  it('a deep JSON body to a page is not read: refused as a form without its CSRF token (403 page)', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await pagePost('/app/orders', deep, { ...session(), 'content-type': 'application/json' });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/html/);
  });

  it('a form whose %-escapes are malformed is a 4xx page', async () => {
    const res = await pagePost('/app/orders', '_csrf=%E0%A4%A&x=%', {
      ...session(),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('security headers', () => {
  const expectHardened = (res: Response) => {
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
  };

  it.each([
    ['a page', '/app/sign-in', undefined],
    ['a page error', '/app/nowhere', 'customer'],
    ['an API answer', '/api/v1/products', 'customer'],
    ['an API error', '/api/v1/nowhere', undefined],
    ['the API documentation', '/api/docs', undefined],
    ['a page asset', '/app/assets/documents.css', undefined],
  ])('on %s', async (_what, urlPath, who) => {
    const res = await fetch(`${office.baseUrl}${urlPath}`, {
      redirect: 'manual',
      headers: who ? { authorization: `Bearer ${customer}`, cookie: `${SESSION_COOKIE}=${customer}` } : {},
    });
    expectHardened(res);
  });

  it('the pages and the API documentation pass their CSP in the browser, which does refuse an inline script', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await signIn(page, office.baseUrl, 'hard-customer@test.se', password);
      await page.goto(`${office.baseUrl}/app/orders`);
      await page.goto(`${office.baseUrl}/api/docs`);
      await page.locator('.swagger-ui .info').waitFor();
      expect(cspViolations).toEqual([]);
      // The watch itself works: an inline script is refused and shows up.
      const probe = await browser.newPage();
      watchCsp(probe);
      await probe.goto(`${office.baseUrl}/app/sign-in`);
      await probe.addScriptTag({ content: 'window.ran = true' }).catch(() => undefined);
      await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
      expect(await probe.evaluate('window.ran')).toBeUndefined();
      cspViolations.length = 0;
    } finally {
      await browser.close();
    }
  });
});

describe('request ids', () => {
  it("the server makes every request id; the client's X-Request-Id is kept beside it in the audit log", async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: admin,
      headers: { 'X-Request-Id': 'client-chosen-id' },
      body: { kind: 'private', name: 'Request Id', email: 'rid@test.se', birthDate: '1980-01-01' },
    });
    expect(res.status).toBe(201);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const audit = await office.db('audit_log').where({ action: 'account.created', object_id: res.body.id }).first();
    expect(audit).toMatchObject({ request_id: id, client_request_id: 'client-chosen-id' });
  });
});

describe('an Idempotency-Key claimed by a request that died', () => {
  const account = (email: string) => ({ kind: 'private', name: 'Kvar Ståndare', email, birthDate: '1970-05-05' });
  /** The claim a request of the admin's would have left, as platform/http/route.ts computes scope and hash. */
  const claim = (key: string, body: unknown, claimedSecondsAgo: number) =>
    office.db('idempotency_keys').insert({
      scope: `user:${adminId}:POST /api/v1/accounts`,
      key,
      request_hash: crypto.createHash('sha256').update(JSON.stringify(body)).update('/api/v1/accounts').digest('hex'),
      created_at: office.db.raw('now() - make_interval(secs => ?)', [claimedSecondsAgo]),
    });
  const post = (key: string, body: unknown) =>
    call(office.baseUrl, 'POST', '/api/v1/accounts', { token: admin, body, headers: { 'Idempotency-Key': key } });

  it('is taken over once older than the lease (IDEMPOTENCY_LEASE_SECONDS): the request runs once, its retry replays', async () => {
    const body = account('stale-claim@test.se');
    await claim('crashed', body, office.config.IDEMPOTENCY_LEASE_SECONDS + 60);
    const first = await post('crashed', body);
    expect(first.status).toBe(201);
    const again = await post('crashed', body);
    expect(again).toMatchObject({ status: 201, body: { id: first.body.id } });
    expect(await office.db('accounts').where({ email: 'stale-claim@test.se' })).toHaveLength(1);
  });

  it('within the lease it is still in progress: 409, nothing run', async () => {
    const body = account('fresh-claim@test.se');
    await claim('running', body, 1);
    const res = await post('running', body);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_key_in_progress');
    expect(await office.db('accounts').where({ email: 'fresh-claim@test.se' })).toHaveLength(0);
  });
});

describe('the purge of expired access tokens and old idempotency keys', () => {
  const token = (hash: string, expiresInSeconds: number) =>
    office.db('access_tokens').insert({
      token_hash: hash,
      user_id: adminId,
      expires_at: office.db.raw('now() + make_interval(secs => ?)', [expiresInSeconds]),
    });
  const key = (name: string, hoursAgo: number) =>
    office.db('idempotency_keys').insert({
      scope: 'purge-test',
      key: name,
      request_hash: 'x',
      response_status: 201,
      response_body: '{}',
      created_at: office.db.raw('now() - make_interval(hours => ?)', [hoursAgo]),
    });
  const left = async () => ({
    tokens: (await office.db('access_tokens').where('token_hash', 'like', 'purge-%').orderBy('token_hash')).map(
      (t) => t.token_hash,
    ),
    keys: (await office.db('idempotency_keys').where({ scope: 'purge-test' }).orderBy('key')).map((k) => k.key),
  });

  it('the activity drops expired tokens and keys older than their time to live, nothing else', async () => {
    await token('purge-expired', -60);
    await token('purge-live', 3600);
    await key('old', 25);
    await key('recent', 23);
    const purged = await createPurgeActivities({ db: office.db }).purgeExpired({ idempotencyKeyTtlHours: 24 });
    expect(purged.accessTokens).toBeGreaterThanOrEqual(1);
    expect(purged.idempotencyKeys).toBe(1);
    expect(await left()).toEqual({ tokens: ['purge-live'], keys: ['recent'] });
    // The signed-in users' own tokens are live and stay.
    expect((await call(office.baseUrl, 'GET', '/api/v1/products', { token: customer })).status).toBe(200);
  });

  it('a Schedule on the dev server runs it every hour: created once however often the back office starts, and its run purges', async () => {
    await ensurePurgeSchedule(office.temporal, office.config);
    await ensurePurgeSchedule(office.temporal, office.config);
    try {
      const schedules = [];
      for await (const s of office.temporal.schedule.list()) if (s.scheduleId === PURGE_SCHEDULE_ID) schedules.push(s);
      expect(schedules).toHaveLength(1);
      const handle = office.temporal.schedule.getHandle(PURGE_SCHEDULE_ID);
      const described = await handle.describe();
      expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
      expect(described.action).toMatchObject({
        workflowType: 'purgeExpired',
        taskQueue: office.config.TEMPORAL_TASK_QUEUE,
        args: [{ idempotencyKeyTtlHours: office.config.IDEMPOTENCY_KEY_TTL_HOURS }],
      });
      await token('purge-expired-2', -60);
      await key('old-2', office.config.IDEMPOTENCY_KEY_TTL_HOURS + 1);
      await handle.trigger();
      await expect.poll(left, { timeout: 20_000 }).toEqual({ tokens: ['purge-live'], keys: ['recent'] });
    } finally {
      await office.temporal.schedule.getHandle(PURGE_SCHEDULE_ID).delete();
    }
  });
});
