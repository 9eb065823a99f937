import type { Db } from '../platform/db';
import { upsertNetworkOwner, type NetworkOwner } from '../cases/cases.store';

const box = (e: number, n: number, width: number, height: number): NetworkOwner['coverage'] => ({
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
export const DEMO_NETWORK_OWNERS: NetworkOwner[] = [
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

export async function seedNetworkOwners(db: Db): Promise<void> {
  for (const owner of DEMO_NETWORK_OWNERS) await upsertNetworkOwner(db, owner);
}
