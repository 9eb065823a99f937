import { defineWorkflow } from '../platform/temporal/contract';

export interface PurgeInput {
  /** Idempotency keys older than this are dropped: a client retries within hours, not days. */
  idempotencyKeyTtlHours: number;
}

export interface PurgeResult {
  accessTokens: number;
  idempotencyKeys: number;
}

/** The Schedule that starts the purge every hour (one per namespace). */
export const PURGE_SCHEDULE_ID = 'purge-expired';

/** Drops expired access tokens and old idempotency keys; started by the Schedule PURGE_SCHEDULE_ID. */
export const purgeExpiredWorkflow = defineWorkflow<[PurgeInput], PurgeResult>()(
  'purgeExpired',
  (at: string) => `purge-expired-${at}`,
);
