import type { Request } from 'express';
import type { Db } from '../platform/db';
import {
  findSystemAccountByClientId,
  principalForToken,
  revokeAccessToken,
  revokeSystemAccountToken,
  storeAccessToken,
  type TokenSubject,
} from './credentials.store';
import type { Principal } from '../platform/http/principal';
import { findUserByEmail } from './users.store';
import type { Account } from './accounts.store';
import { DUMMY_HASH, randomToken, tokenHash, verifySecret } from './secrets';
import { ApiError } from '../platform/http/errors';
import { readCookie } from '../platform/http/cookies';
import { unstorableText } from '../platform/http/input';
import { assertNotBlocked, blockedError, blockOf } from './blocking';
import { createTwoFactor } from './two-factor';

/** The pages' session cookie holds an ordinary access token. */
export const SESSION_COOKIE = 'kk_session';

export const unauthorized = (message = 'A valid access token is required') =>
  new ApiError(401, 'unauthorized', message);

/** G10: a client-credentials token lives at least this long, whatever the sessions' lifetime. */
export const CLIENT_TOKEN_MIN_TTL_SECONDS = 1800;

/**
 * HTTP Basic credentials, if the request has them. OAuth2 clients form-encode the client id and
 * secret before joining them (RFC 6749 2.3.1); a user's e-mail and password come as they are (RFC 7617).
 */
export function basicCredentials(
  req: Request,
  formEncoded: boolean,
): { id: string; secret: string } | 'malformed' | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.get('Authorization') ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return 'malformed';
  // A %-escape that cannot be decoded, a NUL or a lone surrogate is no credential (A6): never a query.
  try {
    const decode = (part: string) => (formEncoded ? decodeURIComponent(part.replace(/\+/g, ' ')) : part);
    const id = decode(decoded.slice(0, colon));
    const secret = decode(decoded.slice(colon + 1));
    if (unstorableText(id) || unstorableText(secret)) return 'malformed';
    return { id, secret };
  } catch {
    return 'malformed';
  }
}

export function createAuth(db: Db, tokenTtlSeconds: number, opts: { staffTwoFactorRequired?: boolean } = {}) {
  const twoFactor = createTwoFactor(db);
  async function issue(subject: TokenSubject, ttlSeconds = tokenTtlSeconds) {
    const token = randomToken();
    await storeAccessToken(db, tokenHash(token), subject, new Date(Date.now() + ttlSeconds * 1000));
    return { access_token: token, token_type: 'Bearer' as const, expires_in: ttlSeconds };
  }

  /**
   * A user by e-mail and password; a wrong e-mail and a wrong password look alike and cost alike.
   * A2: the right password of an address not yet confirmed is refused with its own code.
   */
  async function checkPassword(email: string, password: string) {
    const user = await findUserByEmail(db, email);
    const ok = await verifySecret(password, user?.password_hash ?? DUMMY_HASH);
    if (user && ok && !user.email_confirmed_at)
      throw new ApiError(403, 'email_unconfirmed', 'Confirm the e-mail address with the link we sent first');
    return user && ok ? user : undefined;
  }

  /** The user of an e-mail and password, or 401: what sign-in and the password-proved steps share. */
  async function userByPassword(email: string, password: string) {
    const user = await checkPassword(email, password);
    if (!user) throw new ApiError(401, 'invalid_credentials', 'The e-mail address or the password is wrong');
    await assertNotBlocked(db, { kind: 'user', id: user.id, accountId: user.account_id });
    return user;
  }

  /** A live system account by its client id and secret; one of a blocked account (A5) is refused like a wrong one. */
  async function checkClient(clientId: string, clientSecret: string) {
    const account = await findSystemAccountByClientId(db, clientId);
    // A1: after a rotation, the previous secret too, until the grace period the admin chose ends.
    const ok =
      (await verifySecret(clientSecret, account?.secret_hash ?? DUMMY_HASH)) ||
      (account?.previous_secret_hash != null &&
        account.previous_secret_expires_at != null &&
        account.previous_secret_expires_at > new Date() &&
        (await verifySecret(clientSecret, account.previous_secret_hash)));
    if (!account || !ok) return undefined;
    return (await blockOf(db, { kind: 'system_account', id: account.id, accountId: account.account_id }))
      ? undefined
      : account;
  }

  return {
    /**
     * The request's credentials → principal: a bearer token, on `basic` routes also a user's
     * e-mail and password (HTTP Basic). Wrong or expired credentials are a 401, and so is none at
     * all unless `optional`. A GET may also come with the pages' session cookie, so the pages
     * link to downloads; only reads, because a cookie is sent along on cross-site requests and
     * POSTs need the pages' CSRF check.
     */
    async authenticate(
      req: Request,
      how: { basic: boolean; optional: boolean } = { basic: false, optional: false },
    ): Promise<Principal | undefined> {
      const header = req.get('Authorization');
      const basic = how.basic ? basicCredentials(req, false) : undefined;
      if (basic === 'malformed') throw unauthorized('The Basic credentials cannot be read');
      if (basic) {
        const user = await checkPassword(basic.id, basic.secret);
        if (!user) throw unauthorized('The e-mail address or the password is wrong');
        await assertNotBlocked(db, { kind: 'user', id: user.id, accountId: user.account_id });
        // A4: a password alone does not sign in a user with two factors; a bearer token does.
        if (twoFactor.isOn(user)) throw unauthorized('Two-factor sign-in is on: use a bearer token');
        return {
          kind: 'user',
          id: user.id,
          role: user.role,
          accountId: user.account_id,
          email: user.email,
          language: user.language,
          ...(user.account_role ? { accountRole: user.account_role } : {}),
        };
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
      const token =
        match?.[1] ?? (req.method === 'GET' || req.method === 'HEAD' ? readCookie(req, SESSION_COOKIE) : undefined);
      if (!token) {
        // Credentials of a kind this route does not take are not the same as none.
        if (how.optional && header === undefined) return undefined;
        throw unauthorized();
      }
      const found = await principalForToken(db, tokenHash(token), new Date());
      if (!found) throw unauthorized('The access token is unknown or has expired');
      // A5: read with the token on every request, so a block cuts live sessions and tokens at once.
      if (found.blocked) throw blockedError(found.blocked);
      return found.principal;
    },

    /** The principal of a pages session, if the token is still live and not blocked (A5). */
    async session(token: string) {
      const found = await principalForToken(db, tokenHash(token), new Date());
      return found && !found.blocked ? found.principal : undefined;
    },

    signOut: (token: string) => revokeAccessToken(db, tokenHash(token)),

    /**
     * Users sign in with e-mail and password; a wrong e-mail and a wrong password look alike. A4:
     * with two factors on, also a code; staff without them are refused when they are required.
     */
    async login(email: string, password: string, code?: string) {
      const user = await userByPassword(email, password);
      if (twoFactor.isOn(user)) await twoFactor.check(user, code);
      else if (opts.staffTwoFactorRequired && user.role !== 'customer')
        throw new ApiError(
          403,
          'two_factor_enrolment_required',
          'Staff must turn on two-factor sign-in first (POST /api/v1/auth/two-factor/setup)',
        );
      return issue({ userId: user.id });
    },

    userByPassword,

    /** OAuth2 client credentials for system accounts (DOMAIN G10); undefined for a wrong client. */
    async clientCredentials(clientId: string, clientSecret: string) {
      const account = await checkClient(clientId, clientSecret);
      if (!account) return undefined;
      return issue({ systemAccountId: account.id }, Math.max(tokenTtlSeconds, CLIENT_TOKEN_MIN_TTL_SECONDS));
    },

    /**
     * OAuth2 token revocation (RFC 7009): a client ends one of its own tokens. False for a wrong
     * client; an unknown token, or another client's, is left alone and still answers true.
     */
    async revokeClientToken(clientId: string, clientSecret: string, token: string) {
      const account = await checkClient(clientId, clientSecret);
      if (!account) return false;
      await revokeSystemAccountToken(db, tokenHash(token), account.id);
      return true;
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** Customers see only their own account: the account filter for a list, undefined for staff. */
export function accountScope(principal: Principal): string | undefined {
  return principal.role === 'customer' ? (principal.accountId ?? '00000000-0000-0000-0000-000000000000') : undefined;
}

/** Another account's object answers 404, as if it did not exist. */
export function assertVisible<T extends { account_id: string | null }>(
  principal: Principal,
  row: T | undefined,
  what: string,
): T {
  const scope = accountScope(principal);
  if (!row || (scope && row.account_id !== scope)) throw new ApiError(404, 'not_found', `${what} was not found`);
  return row;
}

/** New business (an order, a case) needs an account that is neither blocked (L9) nor restricted or erased (L8). */
export function assertMayDoBusiness(account: Pick<Account, 'blocked_at' | 'restricted_at'>): void {
  if (account.blocked_at)
    throw new ApiError(403, 'account_blocked', 'This account is blocked (L9); contact customer service');
  if (account.restricted_at)
    throw new ApiError(
      409,
      'processing_restricted',
      'Processing of this account’s data is restricted (L8); lift the restriction to order again',
    );
}
