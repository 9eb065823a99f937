import type { Db } from '../platform/db';
import type { DeliveryStore } from '../platform/file-store';
import type { Config } from '../platform/config';
import { DELIVERY_RETENTION_DAYS } from './orders.rules';

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
  const expired = await deps
    .db<{ id: string; status: string; files_removed_at: Date | null; finished_at: Date }>('deliveries')
    .where({ status: 'LYCKAD' })
    .whereNull('files_removed_at')
    .where('finished_at', '<=', cutoff)
    .select('id');
  let files = 0;
  for (const { id } of expired) {
    const keys = await deps
      .db<{ storage_key: string; delivery_id: string }>('delivery_files')
      .where({ delivery_id: id })
      .select('storage_key');
    for (const { storage_key } of keys) await deps.store.remove(storage_key);
    files += keys.length;
    await deps.db('deliveries').where({ id }).update({ files_removed_at: deps.now });
  }
  return { deliveries: expired.length, files };
}
