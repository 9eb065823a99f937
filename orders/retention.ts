import type { Db } from '../platform/db';
import type { DeliveryStore } from '../platform/file-store';
import type { Config } from '../platform/config';
import { DELIVERY_RETENTION_DAYS } from './orders.rules';
import { deliveriesToPurge, deliveryFiles, markDeliveryFilesRemoved } from './orders.store';

/** G10: `lagringstid`, days a delivery's files are kept: DELIVERY_RETENTION_DAYS, else the rule's default. */
export const retentionDays = (config: Config) => config.DELIVERY_RETENTION_DAYS ?? DELIVERY_RETENTION_DAYS;

/**
 * G10: removes the files of every successful delivery made `retentionDays` (`lagringstid`) or more
 * before `now`, and records when on the delivery; its links then answer 410. Idempotent: a file
 * already gone is fine, and a delivery is marked only after its files are removed.
 */
export async function purgeExpiredDeliveries(deps: {
  db: Db;
  store: DeliveryStore;
  retentionDays: number;
  now: Date;
}): Promise<{ deliveries: number; files: number }> {
  const cutoff = new Date(deps.now.getTime() - deps.retentionDays * 86_400_000);
  const expired = await deliveriesToPurge(deps.db, cutoff);
  let files = 0;
  for (const { id } of expired) {
    const stored = await deliveryFiles(deps.db, id);
    for (const f of stored) await deps.store.remove(f.storage_key);
    files += stored.length;
    await markDeliveryFilesRemoved(deps.db, id, deps.now);
  }
  return { deliveries: expired.length, files };
}
