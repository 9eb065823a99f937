import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNetworkOwners } from '../../dev/demo-network-owners';
import { addDays, addWorkingDays, orderTime as orderTimeOf } from '../../domain/calendar';
import { createDirectory } from '../../identity/directory.service';
import { call, login, startBackOffice, type TestBackOffice } from '../support/env';
import { geoJsonFile, geoPackageFile, square, zippedShapefile } from '../support/coverage-files';

let office: TestBackOffice & { drop(): Promise<void> };
const token: Record<string, string> = {};
const password = 'owner-password-1';
// The first day a change may take effect: after the order time of a case registered now.
const future = addDays(orderTimeOf(new Date()), 1);

beforeAll(async () => {
  office = await startBackOffice();
  // LK numbers are the case workflows' ids on the shared Temporal server: a range of this file's own.
  const year = new Date().getFullYear();
  await office.db('case_series').insert([year, year + 1].map((y) => ({ year: y, last_sequence: 660_000 })));
  await seedNetworkOwners(office.db);
  const directory = createDirectory({ db: office.db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const org = await directory.createAccount(
    { kind: 'organisation', name: 'Gräv AB', email: 'owner-org@test.se', organisationNumber: '556111-4444' },
    actor,
  );
  await directory.createUser(
    { email: 'owner-customer@test.se', name: 'C', password, role: 'customer', accountId: org.id },
    actor,
  );
  await directory.createUser({ email: 'owner-handler@test.se', name: 'H', password, role: 'handler' }, actor);
  await directory.createUser({ email: 'owner-admin@test.se', name: 'A', password, role: 'admin' }, actor);
  for (const who of ['customer', 'handler', 'admin'])
    token[who] = await login(office.baseUrl, `owner-${who}@test.se`, password);
});
afterAll(() => office.drop());

const api = (who: string, method: string, path: string, body?: unknown) =>
  call(office.baseUrl, method, path, { token: token[who], body });

async function upload(
  who: string,
  id: string,
  data: Buffer,
  validFrom = future,
  reason = 'new coverage from the owner',
) {
  const res = await fetch(
    `${office.baseUrl}/api/v1/network-owners/${id}/coverage?validFrom=${validFrom}&reason=${encodeURIComponent(reason)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token[who]}`, 'content-type': 'application/octet-stream' },
      body: data,
    },
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const owner = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Nät ${id}`,
  organisationNumber: '556036-0793',
  email: `${id}@owner.example.se`,
  contact: 'Driftcentralen, 010-123 45 67',
  mode: 'locates',
  reason: 'new owner joined the service',
  ...extra,
});

const matched = async (workArea: unknown, date: string) => {
  const res = await api('handler', 'POST', '/api/v1/network-owners/match', { workArea, date });
  expect(res.status).toBe(200);
  return res.body.owners as { id: string; coverageVersion: number }[];
};

describe('issue 21: who may keep network owners', () => {
  it('refuses customers everything, and handlers every change; refused input stores nothing', async () => {
    expect((await api('customer', 'GET', '/api/v1/network-owners')).status).toBe(403);
    expect((await api('customer', 'POST', '/api/v1/network-owners', owner('kund-nat'))).status).toBe(403);
    expect((await api('handler', 'POST', '/api/v1/network-owners', owner('handl-nat'))).status).toBe(403);
    expect(
      (await api('handler', 'PATCH', '/api/v1/network-owners/stockholm-el', { name: 'X', reason: 'why not' })).status,
    ).toBe(403);
    expect(
      (await upload('handler', 'stockholm-el', geoJsonFile([{ geometry: square(700_000, 6_600_000, 1000) }]))).status,
    ).toBe(403);
    expect(
      (await upload('customer', 'stockholm-el', geoJsonFile([{ geometry: square(700_000, 6_600_000, 1000) }]))).status,
    ).toBe(403);
    expect((await call(office.baseUrl, 'GET', '/api/v1/network-owners')).status).toBe(401);

    const noReason = await api('admin', 'POST', '/api/v1/network-owners', { ...owner('utan-skal'), reason: undefined });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('validation_failed');
    const badOrgNo = await api(
      'admin',
      'POST',
      '/api/v1/network-owners',
      owner('fel-orgnr', { organisationNumber: '556036-0794' }),
    );
    expect(badOrgNo.status).toBe(400);
    const noFeeClass = await api('admin', 'POST', '/api/v1/network-owners', owner('bara-karta', { mode: 'map_only' }));
    expect(noFeeClass.status).toBe(422);
    expect(noFeeClass.body.error.code).toBe('fee_class_required');
    const list = await api('handler', 'GET', '/api/v1/network-owners?limit=200');
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual(['fiber-ost', 'stockholm-el', 'vatten-syd']);
  });
});

describe('issue 21 (L11, L14): owners and their coverage files', () => {
  it('loads an owner from each of GeoJSON, a zipped shapefile and a GeoPackage, in force from its date', async () => {
    const files = {
      'nat-geojson': geoJsonFile([{ geometry: square(400_000, 6_400_000, 5_000), name: 'Norra' }]),
      'nat-shape': await zippedShapefile([square(420_000, 6_400_000, 5_000), square(430_000, 6_400_000, 5_000)]),
      'nat-gpkg': geoPackageFile([square(440_000, 6_400_000, 5_000)]),
    };
    for (const [id, data] of Object.entries(files)) {
      expect((await api('admin', 'POST', '/api/v1/network-owners', owner(id))).status).toBe(201);
      const loaded = await upload('admin', id, data);
      expect(loaded.status, JSON.stringify(loaded.body)).toBe(201);
      expect(loaded.body).toMatchObject({ version: 1, validFrom: future, reason: 'new coverage from the owner' });
    }
    const formats = await Promise.all(
      Object.keys(files).map(async (id) => (await api('handler', 'GET', `/api/v1/network-owners/${id}`)).body),
    );
    expect(formats.map((o) => [o.id, o.coverageVersions[0].format, o.coverageVersions[0].features])).toEqual([
      ['nat-geojson', 'geojson', 1],
      ['nat-shape', 'shapefile', 2],
      ['nat-gpkg', 'geopackage', 1],
    ]);

    // Each matches inside its own squares, from the version's date and not before it.
    expect((await matched(square(401_000, 6_401_000, 100), future)).map((o) => o.id)).toEqual(['nat-geojson']);
    expect((await matched(square(431_000, 6_401_000, 100), future)).map((o) => o.id)).toEqual(['nat-shape']);
    expect((await matched(square(425_200, 6_401_000, 100), future)).map((o) => o.id)).toEqual([]); // between the shapefile's two squares
    expect((await matched(square(441_000, 6_401_000, 100), future)).map((o) => o.id)).toEqual(['nat-gpkg']);
    expect(await matched(square(441_000, 6_401_000, 100), addDays(future, -1))).toEqual([]);
  });

  it('refuses a bad coverage file by feature, and stores nothing', async () => {
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [500_000, 6_500_000],
          [501_000, 6_501_000],
          [501_000, 6_500_000],
          [500_000, 6_501_000],
          [500_000, 6_500_000],
        ],
      ],
    };
    const degrees = square(18, 59, 0.1);
    const refused = await upload(
      'admin',
      'nat-geojson',
      geoJsonFile([
        { geometry: square(400_000, 6_500_000, 1_000) },
        { geometry: bowtie, name: 'Fjärilen' },
        { geometry: degrees },
        { geometry: { type: 'Point', coordinates: [500_000, 6_500_000] } },
      ]),
      addDays(future, 10),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('invalid_coverage');
    expect(
      refused.body.error.details.map((f: { feature: number; name?: string; problems: { code: string }[] }) => [
        f.feature,
        f.name ?? null,
        f.problems[0]!.code,
      ]),
    ).toEqual([
      [2, 'Fjärilen', 'self_intersection'],
      [3, null, 'outside_sweden'],
      [4, null, 'unsupported_type'],
    ]);
    const wrongProjection = await upload(
      'admin',
      'nat-shape',
      await zippedShapefile([square(420_000, 6_400_000, 5_000)], 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]'),
      addDays(future, 10),
    );
    expect(wrongProjection.status).toBe(422);
    expect(wrongProjection.body.error.message).toMatch(/EPSG:3006/);
    const notAFile = await upload(
      'admin',
      'nat-gpkg',
      Buffer.from('SQLite format 3\0 but nothing more'),
      addDays(future, 10),
    );
    expect(notAFile.status).toBe(422);
    for (const id of ['nat-geojson', 'nat-shape', 'nat-gpkg'])
      expect((await api('admin', 'GET', `/api/v1/network-owners/${id}`)).body.coverageVersions).toHaveLength(1);
    // A version may not start on a date a case may already have been matched on.
    const today = await upload(
      'admin',
      'nat-geojson',
      geoJsonFile([{ geometry: square(400_000, 6_400_000, 10) }]),
      orderTimeOf(new Date()),
    );
    expect(today.status).toBe(422);
    expect(today.body.error.code).toBe('valid_from_not_in_future');
  });

  it('matches a case against the coverage of its order time, reproducibly after a later change', async () => {
    const orderTime = orderTimeOf(new Date());
    const workArea = square(675_000, 6_580_000, 200);
    const registered = await api('customer', 'POST', '/api/v1/cases', {
      kind: 'planning',
      workArea,
      digStart: addWorkingDays(orderTime, 20),
      acceptTerms: true,
    });
    expect(registered.status).toBe(201);
    expect(registered.body.owners.map((o: { id: string }) => o.id).sort()).toEqual(['fiber-ost', 'stockholm-el']);

    // Stockholm Elnät's coverage moves away from the work area from a later date.
    const moved = await upload(
      'admin',
      'stockholm-el',
      geoJsonFile([{ geometry: square(700_000, 6_700_000, 5_000) }]),
      future,
      'sold the Stockholm grid',
    );
    expect(moved.status).toBe(201);
    expect(moved.body.version).toBe(2);
    expect((await matched(workArea, future)).map((o) => o.id)).toEqual(['fiber-ost']);

    const again = await api('handler', 'GET', `/api/v1/cases/${registered.body.lk}/owner-match`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      orderTime,
      sameAsRecorded: true,
      recordedOwners: ['fiber-ost', 'stockholm-el'],
    });
    expect(again.body.owners.find((o: { id: string }) => o.id === 'stockholm-el')).toMatchObject({
      coverageVersion: 1,
    });
    expect((await api('customer', 'GET', `/api/v1/cases/${registered.body.lk}/owner-match`)).status).toBe(403);
  });

  it('changes and retires an owner, each change in its history with who and why', async () => {
    const changed = await api('admin', 'PATCH', '/api/v1/network-owners/nat-gpkg', {
      mode: 'map_only',
      feeClass: 'mapOnlyOwnerLocate',
      reason: 'no longer sends technicians',
    });
    expect(changed.status).toBe(200);
    // What the change leaves out stays as it was.
    expect(changed.body).toMatchObject({
      mode: 'map_only',
      feeClass: 'mapOnlyOwnerLocate',
      organisationNumber: '556036-0793',
      contact: 'Driftcentralen, 010-123 45 67',
    });
    const retired = await api('admin', 'POST', '/api/v1/network-owners/nat-gpkg/retire', {
      from: addDays(future, 30),
      reason: 'merged into Fiber Öst',
    });
    expect(retired.status).toBe(200);
    expect((await matched(square(441_000, 6_401_000, 100), addDays(future, 29))).map((o) => o.id)).toEqual([
      'nat-gpkg',
    ]);
    expect(await matched(square(441_000, 6_401_000, 100), addDays(future, 30))).toEqual([]);

    const history = await api('handler', 'GET', '/api/v1/network-owners/nat-gpkg/history');
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { action: string; reason: string }) => [e.action, e.reason])).toEqual([
      ['retired', 'merged into Fiber Öst'],
      ['changed', 'no longer sends technicians'],
      ['coverage_loaded', 'new coverage from the owner'],
      ['created', 'new owner joined the service'],
    ]);
    expect(history.body.items[1]).toMatchObject({
      actorType: 'user',
      details: { changed: { mode: 'map_only', feeClass: 'mapOnlyOwnerLocate' } },
    });
    expect(history.body.items[0].actor).toEqual(expect.any(String));
  });
});
