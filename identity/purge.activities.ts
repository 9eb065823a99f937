import type { Db } from '../platform/db';
import { purgeIdempotencyKeys } from '../platform/http/idempotency.store';
import type { PurgeInput, PurgeResult } from './purge.messages';

/** Expired credentials and old idempotency keys are of no use to anyone; they are deleted. */
export function createPurgeActivities(deps: { db: Db }) {
  return {
    async purgeExpired(input: PurgeInput): Promise<PurgeResult> {
      const accessTokens = await deps.db('access_tokens').where('expires_at', '<', deps.db.fn.now()).delete();
      const idempotencyKeys = await purgeIdempotencyKeys(deps.db, input.idempotencyKeyTtlHours);
      return { accessTokens, idempotencyKeys };
    },
  };
}

export type PurgeActivities = ReturnType<typeof createPurgeActivities>;
