import { z } from 'zod';
import type { Db } from '../platform/db';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import { ApiError } from '../platform/http/errors';
import type { Principal } from '../platform/http/principal';

/**
 * A5, L9: staff block an account (its users, sessions, tokens and system accounts) or one user,
 * with a reason, and unblock them. The block is read from the database on every request, never
 * cached, so it takes effect at once and lifting it restores the same sessions and tokens.
 */

export const blockReasonSchema = z.object({ reason: z.string().trim().min(1).max(1000) });

export type Blocked = 'account_blocked' | 'user_blocked';

/** What blocks a principal now: its account's block first (it covers users and system accounts alike), then the user's own. */
export async function blockOf(
  db: Db,
  who: { kind: Principal['kind']; id: string; accountId: string | null },
): Promise<Blocked | undefined> {
  if (who.accountId) {
    const account = await db('accounts').where({ id: who.accountId }).first('blocked_at');
    if (account?.blocked_at) return 'account_blocked';
  }
  if (who.kind === 'user') {
    const user = await db('users').where({ id: who.id }).first('blocked_at');
    if (user?.blocked_at) return 'user_blocked';
  }
  return undefined;
}

/** 403, not 401: the credentials are right, and the caller is told why they no longer open anything. */
export const blockedError = (blocked: Blocked) =>
  blocked === 'account_blocked'
    ? new ApiError(403, 'account_blocked', 'This account is blocked (L9); contact customer service')
    : new ApiError(403, 'user_blocked', 'This user is blocked; contact customer service');

export async function assertNotBlocked(
  db: Db,
  who: { kind: Principal['kind']; id: string; accountId: string | null },
): Promise<void> {
  const blocked = await blockOf(db, who);
  if (blocked) throw blockedError(blocked);
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId'>;

export class BlockingRefused extends Error {
  constructor(
    readonly code: 'not_found' | 'cannot_block_self',
    message: string,
  ) {
    super(message);
  }
}

/** Blocking and unblocking, each written to the audit log with its reason; the API, the pages and the CLI share it. */
export function createBlocking(deps: { db: Db }) {
  const { db } = deps;
  const change = async (
    table: 'accounts' | 'users',
    id: string,
    blocked: boolean,
    reason: string,
    actor: Actor,
  ): Promise<{ id: string; blockedAt: Date | null; blockedReason: string | null }> => {
    const what = table === 'accounts' ? 'account' : 'user';
    const { reason: why } = blockReasonSchema.parse({ reason });
    if (blocked && table === 'users' && actor.actorType === 'user' && actor.actorId === id)
      throw new BlockingRefused('cannot_block_self', 'You cannot block yourself');
    return db.transaction(async (trx) => {
      const [row] = await trx(table)
        .where({ id })
        .update(
          blocked ? { blocked_at: trx.fn.now(), blocked_reason: why } : { blocked_at: null, blocked_reason: null },
        )
        .returning(['id', 'blocked_at', 'blocked_reason']);
      if (!row) throw new BlockingRefused('not_found', `${what} ${id} was not found`);
      await appendAudit(trx, {
        ...actor,
        action: `${what}.${blocked ? 'blocked' : 'unblocked'}`,
        objectType: what,
        objectId: id,
        details: { reason: why },
      });
      return { id: row.id, blockedAt: row.blocked_at, blockedReason: row.blocked_reason };
    });
  };
  return {
    blockAccount: (id: string, reason: string, actor: Actor) => change('accounts', id, true, reason, actor),
    unblockAccount: (id: string, reason: string, actor: Actor) => change('accounts', id, false, reason, actor),
    blockUser: (id: string, reason: string, actor: Actor) => change('users', id, true, reason, actor),
    unblockUser: (id: string, reason: string, actor: Actor) => change('users', id, false, reason, actor),
  };
}

export type Blocking = ReturnType<typeof createBlocking>;
