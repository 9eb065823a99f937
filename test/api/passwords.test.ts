import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
const password = 'correct-horse-battery';

/** The reset link's token in the newest e-mail to `to`, once `count` have come. */
async function resetToken(to: string, count: number) {
  const mails = await mailTo(to, count);
  expect(mails).toHaveLength(count);
  const match = /(https?:\/\/\S+)\?token=([\w-]+)/.exec(mails.at(-1)!.text ?? '')!;
  expect(match[1]).toBe(`${office.config.publicUrl}/app/password-reset/new`);
  return match[2]!;
}
const signIn = (email: string, secret: string, code?: string) =>
  call(office.baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password: secret, code } });
/** A TOTP code of the step `steps` from now (the authenticator app's clock may run ahead). */
const totp = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

beforeAll(async () => {
  office = await startBackOffice({
    PASSWORD_RESET_TTL_SECONDS: '2',
    LOGIN_FAILURES_PER_ACCOUNT: '8',
    STAFF_TOTP_REQUIRED: 'true',
  });
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const account = await directory.createAccount(
    { kind: 'private', name: 'Pass Person', email: 'pw-account@test.se', birthDate: '1980-01-01' },
    actor,
  );
  for (const name of ['change', 'reset', 'totp', 'limit', 'limit-other'])
    await directory.createUser(
      { email: `pw-${name}@test.se`, name, password, role: 'customer', accountId: account.id, language: 'en' },
      actor,
    );
  await directory.createUser({ email: 'pw-handler@test.se', name: 'H', password, role: 'handler' }, actor);
}, 120_000);
afterAll(() => office.drop());

describe('A4: changing the password', () => {
  it('needs the current password, and ends every session', async () => {
    const token = await login(office.baseUrl, 'pw-change@test.se', password);
    const wrong = await call(office.baseUrl, 'POST', '/api/v1/me/password', {
      token,
      body: { currentPassword: 'not-the-password', newPassword: 'a-new-password-1' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_password');
    const short = await call(office.baseUrl, 'POST', '/api/v1/me/password', {
      token,
      body: { currentPassword: password, newPassword: 'short' },
    });
    expect(short.status).toBe(400);
    const changed = await call(office.baseUrl, 'POST', '/api/v1/me/password', {
      token,
      body: { currentPassword: password, newPassword: 'a-new-password-1' },
    });
    expect(changed.status).toBe(200);
    expect((await call(office.baseUrl, 'GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await signIn('pw-change@test.se', password)).status).toBe(401);
    await login(office.baseUrl, 'pw-change@test.se', 'a-new-password-1');
  });
});

describe('A4: resetting the password by an e-mailed link', () => {
  it('answers the same for an unknown address and sends nothing', async () => {
    const unknown = await call(office.baseUrl, 'POST', '/api/v1/password-reset', { body: { email: 'nobody@test.se' } });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual({ sent: true });
    expect(await mailTo('nobody@test.se', 1, 1000)).toHaveLength(0);
  });

  it('the link works once and signs the user out of every session and token', async () => {
    const sessions = [
      await login(office.baseUrl, 'pw-reset@test.se', password),
      await login(office.baseUrl, 'pw-reset@test.se', password),
    ];
    const asked = await call(office.baseUrl, 'POST', '/api/v1/password-reset', {
      body: { email: 'PW-reset@test.se' },
    });
    expect(asked.status).toBe(202);
    const token = await resetToken('pw-reset@test.se', 1);
    // Asking is no sign-out: the sessions still work until the link is used.
    expect((await call(office.baseUrl, 'GET', '/api/v1/me', { token: sessions[0] })).status).toBe(200);
    const reset = await call(office.baseUrl, 'POST', '/api/v1/password-reset/confirm', {
      body: { token, password: 'reset-password-1' },
    });
    expect(reset.status).toBe(200);
    for (const session of sessions)
      expect((await call(office.baseUrl, 'GET', '/api/v1/me', { token: session })).status).toBe(401);
    const again = await call(office.baseUrl, 'POST', '/api/v1/password-reset/confirm', {
      body: { token, password: 'reset-password-2' },
    });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('link_used');
    expect((await signIn('pw-reset@test.se', password)).status).toBe(401);
    await login(office.baseUrl, 'pw-reset@test.se', 'reset-password-1');
  });

  it('the link expires (PASSWORD_RESET_TTL_SECONDS), and a newer link voids an older one', async () => {
    await call(office.baseUrl, 'POST', '/api/v1/password-reset', { body: { email: 'pw-reset@test.se' } });
    const older = await resetToken('pw-reset@test.se', 2);
    await call(office.baseUrl, 'POST', '/api/v1/password-reset', { body: { email: 'pw-reset@test.se' } });
    const newer = await resetToken('pw-reset@test.se', 3);
    const voided = await call(office.baseUrl, 'POST', '/api/v1/password-reset/confirm', {
      body: { token: older, password: 'reset-password-3' },
    });
    expect(voided.status).toBe(410);
    await new Promise((r) => setTimeout(r, 2500));
    const expired = await call(office.baseUrl, 'POST', '/api/v1/password-reset/confirm', {
      body: { token: newer, password: 'reset-password-3' },
    });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('link_expired');
    await login(office.baseUrl, 'pw-reset@test.se', 'reset-password-1');
  });
});

describe('A4: two-factor sign-in (TOTP)', () => {
  const email = 'pw-totp@test.se';
  let secret: string;
  let recoveryCodes: string[];

  it('is turned on with a first code from the app, and answers single-use recovery codes', async () => {
    const setup = await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/setup', { body: { email, password } });
    expect(setup.status).toBe(200);
    secret = setup.body.secret;
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Kartkontor:pw-totp%40test\.se\?/);
    const wrongPassword = await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/enable', {
      body: { email, password: 'wrong-password', code: await totp(secret) },
    });
    expect(wrongPassword.status).toBe(401);
    const wrongCode = await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/enable', {
      body: { email, password, code: '000000' === (await totp(secret)) ? '111111' : '000000' },
    });
    expect(wrongCode.status).toBe(422);
    // Until it is on, the password alone signs in.
    expect((await signIn(email, password)).status).toBe(200);
    const enabled = await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/enable', {
      body: { email, password, code: await totp(secret) },
    });
    expect(enabled.status).toBe(200);
    recoveryCodes = enabled.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
  });

  it('then signing in needs a code, and a code works once', async () => {
    const without = await signIn(email, password);
    expect(without.status).toBe(401);
    expect(without.body.error.code).toBe('two_factor_required');
    const wrong = await signIn(email, password, '123456' === (await totp(secret, 1)) ? '654321' : '123456');
    expect(wrong.body.error.code).toBe('two_factor_invalid');
    // The enabling code's step is spent: the next step's code (a clock a little ahead) signs in.
    const code = await totp(secret, 1);
    const signedIn = await signIn(email, password, code);
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.access_token;
    const me = await call(office.baseUrl, 'GET', '/api/v1/me', { token });
    expect(me.body.twoFactor).toBe(true);
    const replay = await signIn(email, password, code);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('two_factor_invalid');
  });

  it('a recovery code signs in once', async () => {
    const first = await signIn(email, password, recoveryCodes[0]);
    expect(first.status).toBe(200);
    const again = await signIn(email, password, recoveryCodes[0]);
    expect(again.status).toBe(401);
    expect((await signIn(email, password, recoveryCodes[1])).status).toBe(200);
  });

  it('the password alone no longer opens HTTP Basic routes', async () => {
    const res = await fetch(`${office.baseUrl}/download/00000000-0000-0000-0000-000000000000/files`, {
      headers: { authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` },
    });
    expect(res.status).toBe(401);
  });

  it('staff must turn it on when it is required, and may not turn it off', async () => {
    const staff = 'pw-handler@test.se';
    const refused = await signIn(staff, password);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('two_factor_enrolment_required');
    const setup = await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/setup', {
      body: { email: staff, password },
    });
    await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/enable', {
      body: { email: staff, password, code: await totp(setup.body.secret) },
    });
    expect((await signIn(staff, password, await totp(setup.body.secret, 1))).status).toBe(200);
    const off = await call(office.baseUrl, 'POST', '/api/v1/auth/two-factor/disable', {
      body: { email: staff, password, code: await totp(setup.body.secret, -1) },
    });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('two_factor_required');
  });
});

describe('A4: the sign-in limit per account', () => {
  it('refuses an account after LOGIN_FAILURES_PER_ACCOUNT failures, even with the right password; other accounts go on', async () => {
    for (let i = 0; i < 8; i++) expect((await signIn('pw-limit@test.se', `wrong-${i}`)).status).toBe(401);
    const limited = await signIn('PW-limit@test.se', password);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited_account');
    expect((await signIn('pw-limit-other@test.se', password)).status).toBe(200);
  });
});

describe('L8, A4: erasure', () => {
  it('voids a reset link the erased user had not used yet', async () => {
    const directory = createDirectory({ db: office.db, welcome: async () => {} });
    const actor = { actorType: 'system' as const };
    const account = await directory.createAccount(
      { kind: 'private', name: 'Gone Person', email: 'pw-gone-account@test.se', birthDate: '1980-01-01' },
      actor,
    );
    await directory.createUser(
      { email: 'pw-gone@test.se', name: 'Gone', password, role: 'customer', accountId: account.id },
      actor,
    );
    const token = await login(office.baseUrl, 'pw-gone@test.se', password);
    await call(office.baseUrl, 'POST', '/api/v1/password-reset', { body: { email: 'pw-gone@test.se' } });
    const link = await resetToken('pw-gone@test.se', 1);
    const erased = await call(office.baseUrl, 'POST', '/api/v1/me/personal-data/erasure', {
      token,
      body: { confirm: true },
    });
    expect(erased.status).toBe(200);
    const used = await call(office.baseUrl, 'POST', '/api/v1/password-reset/confirm', {
      body: { token: link, password: 'taken-over-password' },
    });
    expect(used.status).toBe(404);
    expect(used.body.error.code).toBe('link_unknown');
  });
});
