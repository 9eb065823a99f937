import type { Db } from '../db';

export type IdempotencyClaim =
  | { state: 'new' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in-progress' }
  | { state: 'mismatch' };

/**
 * Claims `key` for a request with this body hash. The first caller gets `new` and must
 * `completeIdempotentRequest`; later callers with the same body get the stored answer,
 * with another body a `mismatch` (the API answers 409). A claim without an answer older than
 * `leaseSeconds` was left by a request that died (a crash, a lost connection to the database):
 * the next caller takes it over (`new`) rather than the key staying in progress for ever.
 * `created_at` is the time of the current claim.
 */
export async function claimIdempotencyKey(
  db: Db,
  scope: string,
  key: string,
  requestHash: string,
  leaseSeconds: number,
): Promise<IdempotencyClaim> {
  const inserted = await db('idempotency_keys')
    .insert({ scope, key, request_hash: requestHash })
    .onConflict(['scope', 'key'])
    .ignore()
    .returning('key');
  if (inserted.length === 1) return { state: 'new' };
  const row = await db('idempotency_keys').where({ scope, key }).first();
  if (row.request_hash !== requestHash) return { state: 'mismatch' };
  if (row.response_status === null) {
    // One taker only: a concurrent taker's update finds the claim renewed and matches nothing.
    const taken = await db('idempotency_keys')
      .where({ scope, key })
      .whereNull('response_status')
      .where('created_at', '<', db.raw('now() - make_interval(secs => ?)', [leaseSeconds]))
      .update({ created_at: db.fn.now() })
      .returning('key');
    return taken.length === 1 ? { state: 'new' } : { state: 'in-progress' };
  }
  return { state: 'replay', status: row.response_status, body: row.response_body };
}

/**
 * JSON text jsonb takes: JSON.stringify writes U+0000 and lone surrogates as `\u` escapes, which
 * jsonb refuses; they become U+FFFD, so an answer can always be stored (A6). An escaped
 * backslash (`\\`) is skipped whole, so `\\u0000` (a backslash, then text) stays as it is.
 */
export const storableJson = (value: unknown): string =>
  JSON.stringify(value ?? null).replace(/\\(\\|u0000|ud[89a-f][0-9a-f]{2})/gi, (escape, what: string) =>
    what === '\\' ? escape : '\\ufffd',
  );

/** Stores the answer of a claimed key; one that holds U+0000 or a lone surrogate is stored with U+FFFD in their place. */
export async function completeIdempotentRequest(
  db: Db,
  scope: string,
  key: string,
  status: number,
  body: unknown,
): Promise<void> {
  await db('idempotency_keys')
    .where({ scope, key })
    .update({ response_status: status, response_body: storableJson(body) });
}

/** A request that failed with a server error frees its key, so the client may retry. */
export async function releaseIdempotencyKey(db: Db, scope: string, key: string): Promise<void> {
  await db('idempotency_keys').where({ scope, key }).whereNull('response_status').delete();
}

/** Drops keys claimed more than `hours` ago, answered or not (the purge Schedule, identity/purge-schedule.ts). */
export async function purgeIdempotencyKeys(db: Db, hours: number): Promise<number> {
  return db('idempotency_keys')
    .where('created_at', '<', db.raw('now() - make_interval(hours => ?)', [hours]))
    .delete();
}
