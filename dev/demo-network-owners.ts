import type { Db } from '../platform/db';
import type { Polygon } from '../domain/geometry';
import { addCoverageVersion, getNetworkOwner, insertNetworkOwner } from '../cases/network-owners.store';
import type { OwnerMode } from '../cases/cases.rules';

/** A demo or test owner with its coverage, valid since the start of time. */
export interface DemoNetworkOwner {
  id: string;
  name: string;
  email: string;
  mode: OwnerMode;
  coverage: Polygon;
}

const box = (e: number, n: number, width: number, height: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [e, n],
      [e + width, n],
      [e + width, n + height],
      [e, n + height],
      [e, n],
    ],
  ],
});

/** Demo network owners around Stockholm (SWEREF 99 TM): two that locate, one that only supplies maps (L14). */
export const DEMO_NETWORK_OWNERS: DemoNetworkOwner[] = [
  {
    id: 'stockholm-el',
    name: 'Stockholm Elnät AB',
    email: 'ledningar@stockholm-el.example.se',
    mode: 'locates',
    coverage: box(660_000, 6_570_000, 30_000, 30_000),
  },
  {
    id: 'fiber-ost',
    name: 'Fiber Öst AB',
    email: 'kartor@fiberost.example.se',
    mode: 'map_only',
    coverage: box(670_000, 6_575_000, 20_000, 15_000),
  },
  {
    id: 'vatten-syd',
    name: 'Vatten Syd',
    email: 'va@vattensyd.example.se',
    mode: 'locates',
    coverage: box(600_000, 6_500_000, 40_000, 40_000),
  },
];

/**
 * Stores an owner and its coverage as version 1, valid since 1900 (issue 21), unless the owner
 * exists: the demo seed runs on every start and must not add versions.
 */
export async function seedNetworkOwner(db: Db, owner: DemoNetworkOwner): Promise<void> {
  await db.transaction(async (trx) => {
    if (await getNetworkOwner(trx, owner.id)) return;
    await insertNetworkOwner(trx, {
      id: owner.id,
      name: owner.name,
      organisation_number: null,
      email: owner.email,
      contact: null,
      mode: owner.mode,
      fee_class: owner.mode === 'map_only' ? 'mapOnlyOwnerLocate' : null,
      retired_from: null,
    });
    await addCoverageVersion(
      trx,
      {
        owner_id: owner.id,
        valid_from: '1900-01-01',
        source: 'geojson',
        features: 1,
        loaded_by: 'system',
        reason: 'demo data',
      },
      [owner.coverage],
    );
  });
}

export async function seedNetworkOwners(db: Db): Promise<void> {
  for (const owner of DEMO_NETWORK_OWNERS) await seedNetworkOwner(db, owner);
}
