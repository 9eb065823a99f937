import { z } from 'zod';
import { ACCOUNT_ACCESS } from './account-roles';
import type { Db } from '../platform/db';
import type { Principal } from '../platform/http/principal';
import { appendAudit } from '../platform/audit/audit.store';
import { auditActor } from '../platform/audit/actor';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import {
  liveSystemAccountOf,
  renameSystemAccount,
  revokeSystemAccount,
  rotateSystemAccountSecret,
  systemAccountsOf,
} from './credentials.store';
import type { Directory } from './directory.service';
import { hashSecret, randomToken } from './secrets';

/** A1: the longest the previous secret stays valid after a rotation. */
export const MAX_SECRET_GRACE_HOURS = 24;

const name = z.string().trim().min(1).max(200);
const params = z.object({ id: z.uuid() });

/**
 * A1: an account's admin keeps its system accounts (the G10 integrations): creates, lists, names
 * and revokes them, and rotates a secret with a grace period for the old one. Every change is in
 * the audit log.
 */
export function systemAccountRoutes(deps: { db: Db; directory: Directory }) {
  const { db } = deps;
  const ADMIN = ['customer'] as const;
  const own = (principal: Principal) => principal.accountId!;
  const liveOf = async (principal: Principal, id: string) => {
    const row = await liveSystemAccountOf(db, own(principal), id);
    if (!row) throw new ApiError(404, 'not_found', `System account ${id} was not found, or it is revoked`);
    return row;
  };
  const audit = (
    principal: Principal,
    req: Parameters<typeof auditActor>[1],
    action: string,
    id: string,
    details?: Record<string, unknown>,
  ) =>
    appendAudit(db, {
      ...auditActor(principal, req),
      action: `system_account.${action}`,
      objectType: 'system_account',
      objectId: id,
      details,
    });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/me/system-accounts',
      tag: 'system accounts',
      summary: "The account's system accounts (G10 integrations), revoked ones included; never a secret",
      auth: ADMIN,
      accountRoles: ACCOUNT_ACCESS.administer,
      handler: async ({ principal }) => ({ body: { items: await systemAccountsOf(db, own(principal)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/me/system-accounts',
      tag: 'system accounts',
      summary: 'Create a system account for the account; its client secret is shown this once',
      auth: ADMIN,
      accountRoles: ACCOUNT_ACCESS.administer,
      body: z.object({ name }),
      successStatus: 201,
      handler: async ({ principal, body, req }) => {
        const created = await deps.directory.createSystemAccount(own(principal), body.name, auditActor(principal, req));
        return { body: { ...created, name: body.name } };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/me/system-accounts/:id',
      tag: 'system accounts',
      summary: 'Rename a system account',
      auth: ADMIN,
      accountRoles: ACCOUNT_ACCESS.administer,
      params,
      body: z.object({ name }),
      handler: async ({ principal, params: p, body, req }) => {
        await liveOf(principal, p.id);
        const renamed = await renameSystemAccount(db, p.id, body.name);
        await audit(principal, req, 'renamed', p.id, { name: body.name });
        return { body: renamed };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/me/system-accounts/:id',
      tag: 'system accounts',
      summary: 'Revoke a system account at once: its secret and every token it holds stop working',
      auth: ADMIN,
      accountRoles: ACCOUNT_ACCESS.administer,
      params,
      successStatus: 204,
      handler: async ({ principal, params: p, req }) => {
        await liveOf(principal, p.id);
        await revokeSystemAccount(db, p.id);
        await audit(principal, req, 'revoked', p.id);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/me/system-accounts/:id/secret',
      tag: 'system accounts',
      summary: `Rotate the client secret (shown this once); the old one stays valid for graceHours (0–${MAX_SECRET_GRACE_HOURS}); with 0, the old secret and its tokens end at once`,
      auth: ADMIN,
      accountRoles: ACCOUNT_ACCESS.administer,
      params,
      body: z.object({ graceHours: z.number().min(0).max(MAX_SECRET_GRACE_HOURS) }),
      handler: async ({ principal, params: p, body, req }) => {
        await liveOf(principal, p.id);
        const clientSecret = randomToken(32);
        const until = body.graceHours > 0 ? new Date(Date.now() + body.graceHours * 3_600_000) : null;
        const rotated = await rotateSystemAccountSecret(db, p.id, await hashSecret(clientSecret), until);
        await audit(principal, req, 'secret_rotated', p.id, { graceHours: body.graceHours });
        return { body: { ...rotated, clientSecret } };
      },
    }),
  ];
}
