import { activityProxies } from '../platform/temporal/proxies';
import type { OrderActivities } from './orders.activities';

const { acts } = activityProxies<OrderActivities>();

/** G10: the nightly purge of delivery files past `lagringstid`, as one idempotent activity. */
export async function deliveryRetention(): Promise<{ deliveries: number; files: number }> {
  return acts.purgeExpiredDeliveries();
}
