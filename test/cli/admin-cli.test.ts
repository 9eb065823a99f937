import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
beforeAll(async () => {
  office = await startBackOffice();
});
afterAll(() => office.drop());

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      DATABASE_URL: office.config.databaseUrl,
      TEMPORAL_ADDRESS: office.config.temporalAddress,
      TEMPORAL_TASK_QUEUE: office.config.TEMPORAL_TASK_QUEUE,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

it('creates an account, a customer user (welcomed by e-mail) and a system account, with --json output', async () => {
  const account = cli(
    'accounts',
    'create',
    '--kind',
    'organisation',
    '--name',
    'CLI AB',
    '--email',
    'cli@example.se',
    '--organisation-number',
    '556777-0001',
    '--json',
  );
  expect(account.status).toBe(0);
  const accountId = account.json().id;
  expect(accountId).toMatch(/^[0-9a-f-]{36}$/);

  const user = cli(
    'users',
    'create',
    '--email',
    'cli.user@example.se',
    '--name',
    'Cli User',
    '--password',
    'cli-password-1',
    '--role',
    'customer',
    '--account',
    accountId,
    '--language',
    'en',
    '--json',
  );
  expect(user.status).toBe(0);
  expect(user.json()).toMatchObject({ email: 'cli.user@example.se', role: 'customer', account_id: accountId });
  const [mail] = await mailTo('cli.user@example.se');
  expect(mail!.subject).toBe('Welcome to Kartkontor, Cli User');

  const system = cli('system-accounts', 'create', '--account', accountId, '--json');
  expect(system.status).toBe(0);
  expect(system.json()).toMatchObject({
    accountId,
    clientId: expect.stringMatching(/^kk_/),
    clientSecret: expect.any(String),
  });
  const listed = cli('system-accounts', 'list', '--json').json();
  expect(listed).toHaveLength(1);
  expect(listed[0]).not.toHaveProperty('secret_hash');

  const reset = cli(
    'users',
    'reset-password',
    '--email',
    'cli.user@example.se',
    '--password',
    'another-password',
    '--json',
  );
  expect(reset.status).toBe(0);
  const login = await fetch(`${office.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'cli.user@example.se', password: 'another-password' }),
  });
  expect(login.status).toBe(200);
});

it('refuses bad input with a message per field, exit code 1, and stores nothing', async () => {
  const bad = cli(
    'users',
    'create',
    '--email',
    'not-an-email',
    '--name',
    'X',
    '--password',
    'short',
    '--role',
    'wizard',
  );
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/email/);
  expect(bad.stderr).toMatch(/password: must be at least 10 characters/);
  expect(bad.stderr).toMatch(/role/);
  expect(await office.db('users').where({ name: 'X' })).toHaveLength(0);
  expect(cli('nonsense').status).toBe(64);
});

it('G5: records a framework agreement for an account, lists it, and refuses an unknown product or reversed dates', async () => {
  const accountId = cli(
    'accounts',
    'create',
    '--kind',
    'organisation',
    '--name',
    'Återförsäljare AB',
    '--email',
    'reseller@example.se',
    '--organisation-number',
    '556777-0002',
    '--json',
  ).json().id;
  const created = cli(
    'framework-agreements',
    'create',
    '--account',
    accountId,
    '--kind',
    'reseller',
    '--products',
    'byggnader,fastighetskartan-vektor',
    '--valid-from',
    '2026-01-01',
    '--json',
  );
  expect(created.status).toBe(0);
  expect(created.json()).toMatchObject({
    account_id: accountId,
    kind: 'reseller',
    product_ids: ['byggnader', 'fastighetskartan-vektor'],
  });
  const listed = cli('framework-agreements', 'list', '--account', accountId, '--json').json();
  expect(listed).toEqual([
    expect.objectContaining({ accountId, kind: 'reseller', validFrom: '2026-01-01', validTo: null }),
  ]);
  expect(await office.db('audit_log').where({ action: 'framework_agreement.created' })).toHaveLength(1);

  const unknown = cli(
    'framework-agreements',
    'create',
    '--account',
    accountId,
    '--kind',
    'reseller',
    '--products',
    'no-such-map',
    '--valid-from',
    '2026-01-01',
  );
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(/no product no-such-map/);
  const reversed = cli(
    'framework-agreements',
    'create',
    '--account',
    accountId,
    '--kind',
    'other',
    '--products',
    'byggnader',
    '--valid-from',
    '2026-06-01',
    '--valid-to',
    '2026-01-01',
  );
  expect(reversed.status).toBe(1);
  expect(reversed.stderr).toMatch(/validTo: must not be before validFrom/);
  expect(cli('framework-agreements', 'list', '--json').json()).toHaveLength(1);
});

it('A5, L9: blocks and unblocks an account and a user with a reason (audit log); refuses no reason or an unknown id', async () => {
  const accountId = cli(
    'accounts',
    'create',
    '--kind',
    'private',
    '--name',
    'Spärras',
    '--email',
    'blocked-cli@example.se',
    '--birth-date',
    '1980-01-01',
    '--json',
  ).json().id;
  const blocked = cli('accounts', 'block', '--account', accountId, '--reason', 'fraud suspected', '--json');
  expect(blocked.status).toBe(0);
  expect(blocked.json()).toMatchObject({ id: accountId, blockedReason: 'fraud suspected' });
  expect((await office.db('accounts').where({ id: accountId }).first()).blocked_at).not.toBeNull();
  expect(cli('accounts', 'unblock', '--account', accountId, '--reason', 'cleared', '--json').json()).toMatchObject({
    blockedAt: null,
  });
  expect((await office.db('accounts').where({ id: accountId }).first()).blocked_at).toBeNull();

  const user = (await office.db('users').where({ email: 'cli.user@example.se' }).first()).id;
  expect(cli('users', 'block', '--user', user, '--reason', 'left the company', '--json').status).toBe(0);
  expect((await office.db('users').where({ id: user }).first()).blocked_reason).toBe('left the company');
  expect(cli('users', 'unblock', '--user', user, '--reason', 'back', '--json').status).toBe(0);

  const noReason = cli('accounts', 'block', '--account', accountId);
  expect(noReason.status).toBe(1);
  expect(noReason.stderr).toMatch(/reason/);
  const unknown = cli('accounts', 'block', '--account', '00000000-0000-4000-8000-000000000000', '--reason', 'x');
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toMatch(/not found/);
  const audit = await office.db('audit_log').where({ object_id: accountId }).orderBy('id');
  expect(audit.map((a) => [a.action, a.actor_id, a.details?.reason])).toEqual([
    ['account.created', expect.stringMatching(/^cli:/), undefined],
    ['account.blocked', expect.stringMatching(/^cli:/), 'fraud suspected'],
    ['account.unblocked', expect.stringMatching(/^cli:/), 'cleared'],
  ]);
  expect((await office.db('accounts').where({ id: accountId }).first()).blocked_at).toBeNull();
});
