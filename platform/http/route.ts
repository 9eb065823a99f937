import crypto from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { AccountRole, Principal, Role } from './principal';
import { claimIdempotencyKey, completeIdempotentRequest, releaseIdempotencyKey } from './idempotency.store';
import type { Db, KeysetKey } from '../db';
import { ApiError, clientError, errorBody, validationError } from './errors';
import { findUnstorableText } from './input';
import type { Upload } from './upload';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerContext<B, Q, P> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: P;
  /** Present on every route that is not public (on an `anonymous` route, only when credentials came). */
  principal: Principal;
  /** The principal, or undefined: what a public or `anonymous` route's handler looks at. */
  caller: Principal | undefined;
}

export interface Answer {
  status?: number;
  body?: unknown;
}

/**
 * One declaration per route: its roles, its schemas, its handler. The same declaration
 * validates the request, checks the roles, honours Idempotency-Key where it starts work,
 * and becomes the route's entry in the OpenAPI document.
 */
export interface RouteSpec<B = unknown, Q = unknown, P = unknown> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** 'public', 'authenticated' (any role), or the roles allowed. */
  auth: 'public' | 'authenticated' | readonly Role[];
  /**
   * A3: the account roles a customer user needs on this route; without it every account role may
   * call it. Staff and system accounts are not customer users and are not checked here.
   */
  accountRoles?: readonly AccountRole[];
  /**
   * Also runs for a request without credentials, with `caller` undefined: the handler decides what
   * such a caller may see (open data, G10). Credentials that do come are checked and `auth` applies.
   */
  anonymous?: boolean;
  /** Also takes HTTP Basic with a user's e-mail and password, besides a bearer token (G10's download API). */
  basic?: boolean;
  /** A1: a system account may call this route (the G10 delivery API only); every other route refuses it. */
  systemAccounts?: true;
  body?: z.ZodType<B>;
  /** A route that reads a file from the request stream itself (the body is not parsed). */
  upload?: Upload;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Honour the Idempotency-Key header (POSTs that start work). */
  idempotent?: boolean;
  successStatus?: number;
  response?: z.ZodType;
  handler: (ctx: HandlerContext<B, Q, P>) => Promise<Answer | void>;
}

export const defineRoute = <B = unknown, Q = unknown, P = unknown>(spec: RouteSpec<B, Q, P>): RouteSpec =>
  spec as RouteSpec;

/**
 * Paging shared by every list (issue 20): `?limit=&cursor=`, keyset, where the cursor is the
 * previous answer's `next`. Offset paging read every row before the page: `offset` is refused.
 */
export const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
  offset: z.undefined({ error: 'offset paging is not offered: pass the previous answer’s next as cursor' }).optional(),
};

/** A list page's `next`: the last row's key values, opaque to clients. */
export const writeCursor = (values: readonly unknown[] | null) =>
  values ? Buffer.from(JSON.stringify(values)).toString('base64url') : null;

const CURSOR_VALUE: Record<KeysetKey['kind'], (v: unknown) => boolean> = {
  text: (v) => typeof v === 'string',
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  // As PostgreSQL writes a timestamptz as text (microseconds kept), or ISO 8601.
  timestamp: (v) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/.test(v),
  integer: (v) => Number.isSafeInteger(v),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

/** The key values in a cursor this list gave; anything else is 400 `invalid_cursor`. */
export function readCursor(cursor: string | undefined, keys: readonly KeysetKey[]): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (Array.isArray(values) && values.length === keys.length && keys.every((k, i) => CURSOR_VALUE[k.kind](values[i])))
    return values;
  throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this list gave; start again without it');
}

/** The input a route is called with: from the HTTP request for the API, from a form for the pages. */
export interface RouteInput {
  body?: unknown;
  query?: unknown;
  params?: unknown;
}

/** Checks the roles and validates the input; the API and the pages share it, so both apply the same rules. */
export function prepareRoute(
  spec: RouteSpec,
  principal: Principal | undefined,
  req: Request,
  res: Response,
  input: RouteInput,
): HandlerContext<unknown, unknown, unknown> {
  if (spec.auth !== 'public' && (principal || !spec.anonymous)) {
    if (!principal) throw new ApiError(401, 'unauthorized', 'A valid access token is required');
    if (principal.kind === 'system_account' && !spec.systemAccounts)
      throw new ApiError(
        403,
        'system_account_forbidden',
        'A system account may use only the delivery API (A1, G10); sign in as a user for this',
      );
    if (spec.auth !== 'authenticated' && !spec.auth.includes(principal.role)) {
      throw new ApiError(403, 'forbidden', `This needs one of the roles: ${spec.auth.join(', ')}`);
    }
    if (
      spec.accountRoles &&
      principal.kind === 'user' &&
      principal.role === 'customer' &&
      !(principal.accountRole && spec.accountRoles.includes(principal.accountRole))
    )
      throw new ApiError(
        403,
        'account_role_forbidden',
        `In the account this needs one of the roles: ${spec.accountRoles.join(', ')}`,
      );
  }
  const parse = <T>(where: 'body' | 'query' | 'params', schema: z.ZodType<T> | undefined, value: unknown): T => {
    // A6: before any schema, so no route can forget it: text PostgreSQL cannot store is refused.
    const bad = findUnstorableText(value);
    if (bad) {
      const field = [where, ...bad.path].join('.');
      throw new ApiError(400, 'validation_failed', `The request is not valid: ${field}: ${bad.problem}`, [
        { field, message: bad.problem },
      ]);
    }
    if (!schema) return value as T;
    const result = schema.safeParse(value ?? {});
    if (!result.success) throw validationError(where, result.error);
    return result.data;
  };
  return {
    req,
    res,
    params: parse('params', spec.params, input.params),
    query: parse('query', spec.query, input.query),
    body: parse('body', spec.body, input.body),
    principal: principal as Principal,
    caller: principal,
  };
}

export async function runRoute(
  spec: RouteSpec,
  ctx: HandlerContext<unknown, unknown, unknown>,
): Promise<Required<Answer>> {
  const answer = (await spec.handler(ctx)) ?? {};
  return { status: answer.status ?? spec.successStatus ?? 200, body: answer.body ?? null };
}

/**
 * The principal of a request's credentials. A request without any is a 401, or undefined when
 * `optional`; `basic` also takes HTTP Basic credentials.
 */
export type Authenticate = (req: Request, how: { basic: boolean; optional: boolean }) => Promise<Principal | undefined>;

export function mountRoutes(
  router: Router,
  routes: RouteSpec[],
  deps: { db: Db; authenticate: Authenticate; idempotencyLeaseSeconds: number },
) {
  for (const spec of routes) {
    router[spec.method](spec.path, async (req: Request, res: Response) => {
      const principal =
        spec.auth === 'public'
          ? undefined
          : await deps
              .authenticate(req, { basic: spec.basic ?? false, optional: spec.anonymous ?? false })
              .catch((err: unknown) => {
                // A client that may answer with Basic credentials is told so with the 401 (RFC 7235).
                if (spec.basic && err instanceof ApiError && err.status === 401)
                  res.set('WWW-Authenticate', 'Basic realm="Kartkontor", charset="UTF-8"');
                throw err;
              });
      const ctx = prepareRoute(spec, principal, req, res, { body: req.body, query: req.query, params: req.params });
      const run = () => runRoute(spec, ctx);
      const key = req.get('Idempotency-Key');
      const answer = spec.idempotent && key ? await idempotently(deps, principal, req, key, run) : await run();
      // A handler that streams a file has answered already.
      if (res.headersSent) return;
      if (answer.status === 204) res.status(204).end();
      else res.status(answer.status).json(answer.body);
    });
  }
}

/**
 * Same key and body → the stored answer; same key, other body → 409 (never a second run). Every
 * path settles the key: an answer (also a refusal, 4xx) is stored, a fault (5xx) frees the key
 * for a retry, and a run that applied is never freed, even when its answer cannot be stored.
 */
async function idempotently(
  { db, idempotencyLeaseSeconds }: { db: Db; idempotencyLeaseSeconds: number },
  principal: Principal | undefined,
  req: Request,
  key: string,
  run: () => Promise<Required<Answer>>,
) {
  if (key.length > 200) throw new ApiError(400, 'validation_failed', 'Idempotency-Key must be at most 200 characters');
  const scope = `${principal?.kind ?? 'anonymous'}:${principal?.id ?? '-'}:${req.method} ${req.baseUrl}${req.route.path}`;
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify(req.body ?? null))
    .update(req.originalUrl)
    .digest('hex');
  const claim = await claimIdempotencyKey(db, scope, key, hash, idempotencyLeaseSeconds);
  if (claim.state === 'mismatch')
    throw new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
  if (claim.state === 'in-progress')
    throw new ApiError(
      409,
      'idempotency_key_in_progress',
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
  if (claim.state === 'replay') return { status: claim.status, body: claim.body };
  /** A step that settles the key; its own failure is logged and never hides the request's outcome. */
  const settle = async (what: string, step: () => Promise<void>) => {
    try {
      await step();
      return true;
    } catch (err) {
      req.log.error({ err, scope, key }, `idempotency key: ${what} failed`);
      return false;
    }
  };
  let answer: Required<Answer>;
  try {
    answer = await run();
  } catch (err) {
    const refused = clientError(err);
    // A refused request (4xx) is an answer too; anything else frees the key for a retry. A
    // refusal whose answer cannot be stored frees the key as well: it applied nothing.
    const stored =
      refused &&
      refused.status < 500 &&
      (await settle('storing the refusal', () =>
        completeIdempotentRequest(db, scope, key, refused.status, errorBody(refused)),
      ));
    if (!stored) await settle('releasing the key', () => releaseIdempotencyKey(db, scope, key));
    throw refused ?? err;
  }
  // The request applied: its key must not be freed (a retry would apply it twice). Should the
  // answer not be stored, its status is, without a body.
  if (
    !(await settle('storing the answer', () => completeIdempotentRequest(db, scope, key, answer.status, answer.body)))
  )
    await settle('storing the status', () => completeIdempotentRequest(db, scope, key, answer.status, null));
  return answer;
}
