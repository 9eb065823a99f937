import { stockholmDate } from '../domain/calendar';
import { activityProxies } from '../platform/temporal/proxies';
import type { HandlerDigestResult } from './digest.messages';
import type { DigestActivities } from './digest.activities';

const { acts } = activityProxies<DigestActivities>();

/**
 * The day is fixed here, once, so that a retried activity (even one retried after midnight)
 * reports the same day under the same outbox keys.
 */
export async function handlerDigest(): Promise<HandlerDigestResult> {
  return acts.sendHandlerDigest({ day: stockholmDate(new Date()) });
}
