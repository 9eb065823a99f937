import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import type { WorkflowGateway } from '../platform/temporal/gateway';
import { accountMailWorkflow, type AccountMailInput } from './account-mail.messages';
import { storeLink, useLink, voidLinks, type LinkPurpose } from './links.store';
import { randomToken, tokenHash } from './secrets';

/**
 * A2–A4: the single-use links e-mailed to users. A new link voids the user's earlier ones of the
 * same purpose; the e-mail goes through the outbox by a workflow, like every other mail.
 */
export function createLinks(deps: { db: Db; workflows: WorkflowGateway; publicUrl: string }) {
  return {
    async send(
      link: { userId: string; purpose: LinkPurpose; ttlMs: number; page: string },
      mail: Omit<AccountMailInput, 'key' | 'data'> & { data: Record<string, string> },
    ): Promise<void> {
      const token = randomToken();
      const now = new Date();
      const hash = tokenHash(token);
      await voidLinks(deps.db, link.userId, link.purpose, now);
      await storeLink(deps.db, {
        tokenHash: hash,
        userId: link.userId,
        purpose: link.purpose,
        expiresAt: new Date(now.getTime() + link.ttlMs),
      });
      const url = `${deps.publicUrl}${link.page}?token=${encodeURIComponent(token)}`;
      // Keyed by the token's hash: the token itself stays out of workflow ids.
      const key = `${link.purpose}-${hash.slice(0, 32)}`;
      await deps.workflows.start(accountMailWorkflow, key, {
        ...mail,
        key,
        data: { ...mail.data, url, expiresAt: new Date(now.getTime() + link.ttlMs).toISOString() },
      });
    },

    /** Uses a link once and runs `then` with its user; a link that does not open is a 410 (or 404) with a code. */
    async use<T>(token: string, purpose: LinkPurpose, then: (userId: string, trx: Db) => Promise<T>): Promise<T> {
      const result = await useLink(deps.db, tokenHash(token), purpose, new Date(), then);
      if (result.ok) return result.value;
      if (result.reason === 'unknown') throw new ApiError(404, 'link_unknown', 'This link is not known');
      throw new ApiError(
        410,
        result.reason === 'used' ? 'link_used' : 'link_expired',
        result.reason === 'used' ? 'This link has been used already' : 'This link has expired; ask for a new one',
      );
    },
  };
}

export type Links = ReturnType<typeof createLinks>;
