import { activityProxies } from '../platform/temporal/proxies';
import type { PurgeInput, PurgeResult } from './purge.messages';
import type { PurgeActivities } from './purge.activities';

const { acts } = activityProxies<PurgeActivities>();

/** Started by the purge Schedule: one idempotent step (deleting what has expired twice deletes nothing more). */
export async function purgeExpired(input: PurgeInput): Promise<PurgeResult> {
  return acts.purgeExpired(input);
}
