import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config';

it('lists every configuration problem in one message', () => {
  let error: unknown;
  try {
    loadConfig({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      TEMPORAL_ADDRESS: 'no-port',
      LOG_LEVEL: 'loud',
      TEMPORAL_TLS_CERT: '/c.pem',
    });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'LOG_LEVEL', 'TEMPORAL_TLS_KEY'])
    expect(message).toContain(name);
  expect((error as ConfigError).problems).toHaveLength(5);
});

it('stops a process with that message and exit code 78 before it connects to anything', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'app/worker-main.ts'], {
    env: { PATH: process.env.PATH, PORT: '99999', SMTP_URL: 'http://mail' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(78);
  expect(result.stderr).toContain('Invalid configuration');
  expect(result.stderr).toMatch(/PORT: .*65535/);
  expect(result.stderr).toMatch(/SMTP_URL: must be a URL starting with smtp:\/\/ or smtps:\/\//);
});

it('defaults to the embedded PostgreSQL and dev server when nothing is configured', () => {
  const config = loadConfig({});
  expect(config.embeddedPostgres).toBe(true);
  expect(config.embeddedTemporal).toBe(true);
  expect(config.databaseUrl).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:54329\/kartkontor$/);
  expect(config.temporalAddress).toBe('127.0.0.1:7233');
});
