import { z } from 'zod';
import { ACCOUNT_ACCESS } from './account-roles';
import { invitationSchema, passwordSchema, type AccountUsers } from './account-users.service';
import { ACCOUNT_ROLES } from '../platform/http/principal';
import { defineRoute } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';

/** A3, G9: the users of the signed-in customer's account. */
export function accountUserRoutes(deps: { accountUsers: AccountUsers }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/account/users',
      tag: 'account',
      summary: 'The users of my account, each with their role and what it may do (A3, G9)',
      auth: ['customer'],
      handler: async ({ principal }) => ({ body: { items: await deps.accountUsers.list(principal) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/account/users',
      tag: 'account',
      summary: 'Invite a user to my account by e-mail with a role; the invitee sets a password through the link (A3)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      body: invitationSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ principal, body, req }) => ({
        body: await deps.accountUsers.invite(principal, body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/account/users/:id/role',
      tag: 'account',
      summary: "Change a user's role in my account; the account always keeps an admin (A3)",
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.administer,
      params: z.object({ id: z.uuid() }),
      body: z.object({ accountRole: z.enum(ACCOUNT_ROLES) }),
      handler: async ({ principal, params, body, req }) => ({
        body: await deps.accountUsers.setRole(principal, params.id, body.accountRole, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invitations/accept',
      tag: 'account',
      summary: 'Accept an invitation: the token from its link and the password the invitee chooses (A3)',
      auth: 'public',
      body: z.object({ token: z.string().min(1).max(200), password: passwordSchema }),
      handler: async ({ body }) => ({ body: await deps.accountUsers.acceptInvitation(body.token, body.password) }),
    }),
  ];
}
