import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addDays, orderTime } from '../../domain/calendar';
import { startBackOffice, type TestBackOffice } from '../support/env';
import { geoJsonFile, geoPackageFile, square, zippedShapefile } from '../support/coverage-files';

let office: TestBackOffice & { drop(): Promise<void> };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-cli-coverage-'));
beforeAll(async () => {
  office = await startBackOffice();
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await office.drop();
});

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
    env: {
      PATH: process.env.PATH,
      USER: 'tester',
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

const file = (name: string, data: Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};

it('issue 21: creates an owner, loads its coverage from each format, refuses a bad file by feature, changes and retires it, all in its history', async () => {
  const validFrom = addDays(orderTime(new Date()), 1);
  const created = cli(
    'network-owners',
    'create',
    '--id',
    'cli-nat',
    '--name',
    'CLI Nät AB',
    '--email',
    'cli@nat.example.se',
    '--mode',
    'locates',
    '--organisation-number',
    '5560360793',
    '--reason',
    'signed up by phone',
    '--json',
  );
  expect(created.status, created.stderr).toBe(0);
  expect(created.json()).toMatchObject({ id: 'cli-nat', organisationNumber: '556036-0793', mode: 'locates' });

  const files = [
    file('a.geojson', geoJsonFile([{ geometry: square(500_000, 6_500_000, 1_000) }])),
    file('b.zip', await zippedShapefile([square(510_000, 6_500_000, 1_000)])),
    file('c.gpkg', geoPackageFile([square(520_000, 6_500_000, 1_000)])),
  ];
  for (const [i, f] of files.entries()) {
    const loaded = cli(
      'network-owners',
      'load-coverage',
      '--id',
      'cli-nat',
      '--file',
      f,
      '--valid-from',
      addDays(validFrom, i),
      '--reason',
      `coverage file ${i + 1}`,
      '--json',
    );
    expect(loaded.status, loaded.stderr).toBe(0);
    expect(loaded.json()).toMatchObject({ version: i + 1, format: ['geojson', 'shapefile', 'geopackage'][i] });
  }

  const bad = cli(
    'network-owners',
    'load-coverage',
    '--id',
    'cli-nat',
    '--valid-from',
    addDays(validFrom, 5),
    '--reason',
    'broken file',
    '--file',
    file(
      'bad.geojson',
      geoJsonFile([{ geometry: square(500_000, 6_500_000, 1_000) }, { geometry: square(16, 58, 1) }]),
    ),
  );
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/"feature": 2/);
  expect(bad.stderr).toMatch(/outside_sweden/);

  expect(
    cli('network-owners', 'change', '--id', 'cli-nat', '--contact', 'Jour 010-1', '--reason', 'new number').status,
  ).toBe(0);
  expect(
    cli('network-owners', 'retire', '--id', 'cli-nat', '--from', addDays(validFrom, 60), '--reason', 'sold').status,
  ).toBe(0);
  const shown = cli('network-owners', 'show', '--id', 'cli-nat', '--json').json();
  expect(shown).toMatchObject({ contact: 'Jour 010-1', retiredFrom: addDays(validFrom, 60) });
  expect(shown.coverageVersions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);

  const history = cli('network-owners', 'history', '--id', 'cli-nat', '--json').json();
  expect(history.map((e: { action: string; reason: string; actor: string }) => [e.action, e.reason, e.actor])).toEqual([
    ['retired', 'sold', 'cli:tester'],
    ['changed', 'new number', 'cli:tester'],
    ['coverage_loaded', 'coverage file 3', 'cli:tester'],
    ['coverage_loaded', 'coverage file 2', 'cli:tester'],
    ['coverage_loaded', 'coverage file 1', 'cli:tester'],
    ['created', 'signed up by phone', 'cli:tester'],
  ]);
});

it('issue 21 (T3): adds a geodata price version from a future date and lists what is in force on a date', () => {
  const from = addDays(orderTime(new Date()), 2);
  const added = cli(
    'prices',
    'add',
    '--product',
    'byggnader',
    '--valid-from',
    from,
    '--price-per-km2',
    '5000',
    '--minimum-fee',
    '30000',
    '--reason',
    'price review',
    '--json',
  );
  expect(added.status, added.stderr).toBe(0);
  expect(added.json()).toEqual({
    productId: 'byggnader',
    validFrom: from,
    pricePerKm2Minor: 5000,
    minimumFeeMinor: 30000,
    annualFeeMinor: null,
  });
  const before = cli('prices', 'list', '--on', addDays(from, -1), '--json').json();
  expect(before.find((p: { productId: string }) => p.productId === 'byggnader')).toMatchObject({
    validFrom: '2026-01-01',
  });
  const after = cli('prices', 'list', '--on', from, '--json').json();
  expect(after.find((p: { productId: string }) => p.productId === 'byggnader')).toMatchObject({
    validFrom: from,
    pricePerKm2Minor: 5000,
  });
  const refused = cli(
    'prices',
    'add',
    '--product',
    'byggnader',
    '--valid-from',
    from,
    '--price-per-km2',
    '1',
    '--minimum-fee',
    '1',
    '--reason',
    'again',
  );
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/already has a price list/);
});

it('issue 21 (A2, L1): publishes a terms version from a future date, listed as upcoming', () => {
  const from = addDays(orderTime(new Date()), 3);
  const sv = file('villkor-sv.txt', Buffer.from('1. Avtalet\nNya villkor.'));
  const en = file('terms-en.txt', Buffer.from('1. The agreement\nNew terms.'));
  const published = cli(
    'terms',
    'publish',
    '--version',
    '2099-cli',
    '--valid-from',
    from,
    '--sv-title',
    'Villkor',
    '--sv-file',
    sv,
    '--en-title',
    'Terms',
    '--en-file',
    en,
    '--reason',
    'clearer liability',
    '--json',
  );
  expect(published.status, published.stderr).toBe(0);
  expect(published.json()).toMatchObject({ version: '2099-cli', validFrom: from, url: '/api/v1/terms/2099-cli' });
  expect(
    cli('terms', 'upcoming', '--json')
      .json()
      .map((t: { version: string }) => t.version),
  ).toEqual(['2099-cli']);
  const missingText = cli(
    'terms',
    'publish',
    '--version',
    '2099-x',
    '--valid-from',
    from,
    '--sv-title',
    'V',
    '--sv-file',
    sv,
    '--en-title',
    'T',
    '--reason',
    'why not',
  );
  expect(missingText.status).toBe(1);
  expect(missingText.stderr).toMatch(/--en-file is required/);
});
