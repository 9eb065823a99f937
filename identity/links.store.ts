import type { Db } from '../platform/db';

/** A2–A4: what a single-use link in an e-mail does. */
export type LinkPurpose = 'confirm_email' | 'invitation' | 'password_reset';

/** Stores a link's token by its hash (a database leak opens no link). */
export async function storeLink(
  db: Db,
  link: { tokenHash: string; userId: string; purpose: LinkPurpose; expiresAt: Date },
): Promise<void> {
  await db('user_links').insert({
    token_hash: link.tokenHash,
    user_id: link.userId,
    purpose: link.purpose,
    expires_at: link.expiresAt,
  });
}

/**
 * Uses a link once: the user it belongs to, or why it does not open. Marking it used is one
 * statement, so two requests with the same link cannot both use it; `then` runs in the same
 * transaction, so a link whose work fails stays unused.
 */
export async function useLink<T>(
  db: Db,
  tokenHash: string,
  purpose: LinkPurpose,
  now: Date,
  then: (userId: string, trx: Db) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
  return db.transaction(async (trx) => {
    const [used] = await trx('user_links')
      .where({ token_hash: tokenHash, purpose })
      .whereNull('used_at')
      .where('expires_at', '>', now)
      .update({ used_at: now })
      .returning('user_id');
    if (!used) {
      const row = await trx('user_links').where({ token_hash: tokenHash, purpose }).first();
      return { ok: false, reason: !row ? 'unknown' : row.used_at ? 'used' : 'expired' } as const;
    }
    return { ok: true, value: await then(used.user_id as string, trx) } as const;
  });
}

/** A new link of a purpose makes the user's earlier ones of that purpose void. */
export async function voidLinks(db: Db, userId: string, purpose: LinkPurpose, now: Date): Promise<void> {
  await db('user_links').where({ user_id: userId, purpose }).whereNull('used_at').update({ used_at: now });
}
