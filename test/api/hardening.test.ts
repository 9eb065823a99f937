/**
 * Issue 15, the hardening points beside A6's bad-input classes: page bodies read only after the
 * session is known and mapped to 4xx pages, CSV exports, security headers and links, request
 * ids, stale idempotency claims and the purge of expired tokens and keys.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { SESSION_COOKIE } from '../../identity/auth';
import { login, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let customer: string;
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
