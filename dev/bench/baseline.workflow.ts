import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

const options = { startToCloseTimeout: '1 minute' } as const;
const { noop } = proxyActivities<{ noop(): Promise<void> }>(options);
const local = proxyLocalActivities<{ noop(): Promise<void> }>(options);

/**
 * The benchmark's yardstick: as many regular and local activities as an order runs, one after
 * another, and nothing else. The local ones are spread evenly before, between and after the
 * regular ones, as an order's records and e-mails are around its production.
 */
export async function baseline(steps: { regular: number; local: number }): Promise<void> {
  const gaps = steps.regular + 1;
  for (let gap = 0; gap < gaps; gap++) {
    const locals = Math.floor((steps.local * (gap + 1)) / gaps) - Math.floor((steps.local * gap) / gaps);
    for (let i = 0; i < locals; i++) await local.noop();
    if (gap < steps.regular) await noop();
  }
}
