import { z } from 'zod';
import type { Db } from '../platform/db';
import { ACCOUNT_LIST_KEYS, listAccounts } from './accounts.store';
import { listUsers } from './users.store';
import { DirectoryError, newAccountSchema, newUserSchema, type Directory } from './directory.service';
import { ApiError } from '../platform/http/errors';
import { defineRoute, paging, readCursor, writeCursor } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';

/** Directory errors become API errors with the same code. */
async function directoryCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof DirectoryError) throw new ApiError(err.code === 'not_found' ? 404 : 409, err.code, err.message);
    throw err;
  }
}

export function directoryRoutes(deps: { db: Db; directory: Directory }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/accounts',
      tag: 'directory',
      summary: 'List customer accounts, oldest first, a page at a time (keyset: pass next as cursor)',
      auth: ['admin', 'handler', 'finance'],
      query: z.object({ ...paging }),
      handler: async ({ query }) => {
        const { items, next } = await listAccounts(deps.db, {
          limit: query.limit,
          after: readCursor(query.cursor, ACCOUNT_LIST_KEYS),
        });
        return { body: { items, next: writeCursor(next), limit: query.limit } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/accounts',
      tag: 'directory',
      summary: 'Create a customer account (private person or organisation)',
      auth: ['admin'],
      body: newAccountSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal, req }) => ({
        body: await deps.directory.createAccount(body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/users',
      tag: 'directory',
      summary: 'List users',
      auth: ['admin'],
      handler: async () => ({ body: { items: await listUsers(deps.db) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/users',
      tag: 'directory',
      summary: 'Create a user; the welcome e-mail is sent by a workflow',
      auth: ['admin'],
      body: newUserSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal, req }) => ({
        body: await directoryCall(() => deps.directory.createUser(body, auditActor(principal, req))),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/accounts/:id/system-accounts',
      tag: 'directory',
      summary: 'Create a system account (OAuth2 client) for a customer account; the secret is shown once',
      auth: ['admin'],
      params: z.object({ id: z.uuid() }),
      body: z.object({ description: z.string().max(200).optional() }),
      successStatus: 201,
      handler: async ({ params, body, principal, req }) => ({
        body: await directoryCall(() =>
          deps.directory.createSystemAccount(params.id, body.description, auditActor(principal, req)),
        ),
      }),
    }),
  ];
}
