import type { Request } from 'express';
import type { Db } from '../platform/db';
import {
  findSystemAccountByClientId,
  principalForToken,
  revokeAccessToken,
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

/** The pages' session cookie holds an ordinary access token. */
export const SESSION_COOKIE = 'kk_session';

export const unauthorized = (message = 'A valid access token is required') =>
  new ApiError(401, 'unauthorized', message);

export function createAuth(db: Db, tokenTtlSeconds: number) {
  async function issue(subject: TokenSubject) {
    const token = randomToken();
    await storeAccessToken(db, tokenHash(token), subject, new Date(Date.now() + tokenTtlSeconds * 1000));
    return { access_token: token, token_type: 'Bearer' as const, expires_in: tokenTtlSeconds };
  }

  return {
    /**
     * Bearer token → principal; a missing, unknown or expired token is a 401. A GET may also
     * come with the pages' session cookie, so the pages link to downloads; only reads, because a
     * cookie is sent along on cross-site requests and POSTs need the pages' CSRF check.
     */
    async authenticate(req: Request): Promise<Principal> {
      const header = req.get('Authorization') ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const token =
        match?.[1] ?? (req.method === 'GET' || req.method === 'HEAD' ? readCookie(req, SESSION_COOKIE) : undefined);
      if (!token) throw unauthorized();
      const principal = await principalForToken(db, tokenHash(token), new Date());
      if (!principal) throw unauthorized('The access token is unknown or has expired');
      return principal;
    },

    /** The principal of a pages session, if the token is still live. */
    session: (token: string) => principalForToken(db, tokenHash(token), new Date()),

    signOut: (token: string) => revokeAccessToken(db, tokenHash(token)),

    /** Users sign in with e-mail and password; a wrong e-mail and a wrong password look alike. */
    async login(email: string, password: string) {
      const user = await findUserByEmail(db, email);
      const ok = await verifySecret(password, user?.password_hash ?? DUMMY_HASH);
      if (!user || !ok) throw new ApiError(401, 'invalid_credentials', 'The e-mail address or the password is wrong');
      return issue({ userId: user.id });
    },

    /** OAuth2 client credentials for system accounts (DOMAIN G10). */
    async clientCredentials(clientId: string, clientSecret: string) {
      const account = await findSystemAccountByClientId(db, clientId);
      const ok = await verifySecret(clientSecret, account?.secret_hash ?? DUMMY_HASH);
      if (!account || !ok) return undefined;
      return issue({ systemAccountId: account.id });
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * HTTP Basic credentials (RFC 6749 2.3.1: each part %-encoded): `missing` without a Basic header,
 * `malformed` when a part is not validly %-encoded or holds text no client id or secret can
 * hold (U+0000, a lone surrogate), so neither ever reaches the database (A6).
 */
export function basicCredentials(
  header: string | undefined,
): { clientId: string; secret: string } | 'missing' | 'malformed' {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return 'missing';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return 'malformed';
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon));
    const secret = decodeURIComponent(decoded.slice(colon + 1));
    if (unstorableText(clientId) || unstorableText(secret)) return 'malformed';
    return { clientId, secret };
  } catch {
    return 'malformed';
  }
}

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
