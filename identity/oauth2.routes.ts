import express, { type Request, type Response, type Router } from 'express';
import { unstorableText } from '../platform/http/input';
import { basicCredentials, type Auth } from './auth';

/** What the token endpoint answers for a token's scope: Kartkontor has one scope, every client's own orders. */
export const TOKEN_SCOPE = 'default';

/**
 * The token endpoint, client credentials (DOMAIN G10), at `POST /oauth2/token` and `POST /token`,
 * and token revocation (RFC 7009) at `POST /revoke` and `POST /oauth2/revoke`. Customer
 * integrations use stock OAuth2 clients and older scripts, so both take their parameters in a form
 * body or in the query string (with an empty body of any type), and the client's credentials as
 * HTTP Basic or as `client_id` and `client_secret` fields. Errors follow RFC 6749
 * (`{ error, error_description }`) rather than the API's own error shape.
 */
export function mountOAuth2(router: Router, auth: Auth) {
  const form = express.urlencoded({ extended: false });
  const fail = (res: Response, status: number, error: string, description: string) => {
    if (status === 401) res.set('WWW-Authenticate', 'Basic realm="kartkontor"');
    res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
  };
  /** A parameter from the form body, else from the query string. */
  const param = (req: Request, name: string): string | undefined => {
    const fromBody: unknown = req.body?.[name];
    if (typeof fromBody === 'string') return fromBody;
    const fromQuery = req.query[name];
    return typeof fromQuery === 'string' ? fromQuery : undefined;
  };
  /** The client's id and secret: HTTP Basic first, else the form fields. */
  const client = (req: Request) => {
    const basic = basicCredentials(req, true);
    if (basic) return basic;
    const id = param(req, 'client_id');
    const secret = param(req, 'client_secret');
    if (!id || secret === undefined) return undefined;
    // A NUL or a lone surrogate is no credential (A6): never a query.
    return unstorableText(id) || unstorableText(secret) ? 'malformed' : { id, secret };
  };

  router.post(['/oauth2/token', '/token'], form, async (req, res) => {
    if (param(req, 'grant_type') !== 'client_credentials') {
      return fail(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    const credentials = client(req);
    if (credentials === 'malformed') return fail(res, 401, 'invalid_client', 'The client credentials cannot be read');
    if (!credentials)
      return fail(
        res,
        401,
        'invalid_client',
        'Send the client id and secret with HTTP Basic authentication, or as client_id and client_secret',
      );
    const token = await auth.clientCredentials(credentials.id, credentials.secret);
    if (!token) return fail(res, 401, 'invalid_client', 'The client id or the client secret is wrong');
    res.set('Cache-Control', 'no-store').json({ ...token, scope: TOKEN_SCOPE });
  });

  router.post(['/revoke', '/oauth2/revoke'], form, async (req, res) => {
    const credentials = client(req);
    if (credentials === 'malformed') return fail(res, 401, 'invalid_client', 'The client credentials cannot be read');
    if (!credentials)
      return fail(
        res,
        401,
        'invalid_client',
        'Send the client id and secret with HTTP Basic authentication, or as client_id and client_secret',
      );
    const token = param(req, 'token');
    if (!token) return fail(res, 400, 'invalid_request', 'token is required');
    if (!(await auth.revokeClientToken(credentials.id, credentials.secret, token)))
      return fail(res, 401, 'invalid_client', 'The client id or the client secret is wrong');
    // RFC 7009: 200 also for a token that was unknown, expired or already revoked.
    res.status(200).set('Cache-Control', 'no-store').end();
  });
}
