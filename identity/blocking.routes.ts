import { z } from 'zod';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';
import { blockReasonSchema, BlockingRefused, type Blocking } from './blocking';

/** Who may block and unblock (A5, L9): staff who look after customers. */
const STAFF = ['admin', 'handler'] as const;

/** A5, L9: staff block and unblock accounts and users, with a reason (audit log). */
export function blockingRoutes(deps: { blocking: Blocking }) {
  const refusals = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      if (err instanceof BlockingRefused)
        throw new ApiError(err.code === 'not_found' ? 404 : 409, err.code, err.message);
      throw err;
    }
  };
  const params = z.object({ id: z.uuid() });
  const routes = [
    [
      'accounts',
      'block',
      'Block an account at once: its users, sessions, tokens and system accounts stop working (A5, L9)',
      deps.blocking.blockAccount,
    ],
    [
      'accounts',
      'unblock',
      'Unblock an account: its sessions, tokens and system accounts work again',
      deps.blocking.unblockAccount,
    ],
    ['users', 'block', 'Block one user at once: their sessions and tokens stop working (A5)', deps.blocking.blockUser],
    ['users', 'unblock', 'Unblock a user', deps.blocking.unblockUser],
  ] as const;
  return routes.map(([what, action, summary, run]) =>
    defineRoute({
      method: 'post',
      path: `/api/v1/${what}/:id/${action}`,
      tag: 'directory',
      summary,
      auth: STAFF,
      params,
      body: blockReasonSchema,
      handler: async ({ params: p, body, principal, req }) => ({
        body: await refusals(() => run(p.id, body.reason, auditActor(principal, req))),
      }),
    }),
  );
}
