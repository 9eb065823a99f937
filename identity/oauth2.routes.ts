import express, { type Router } from 'express';
import type { Auth } from './auth';

/**
 * `POST /oauth2/token`, client credentials (DOMAIN G10). Customer integrations use stock
 * OAuth2 clients, so errors here follow RFC 6749 (`{ error, error_description }`) rather
 * than the API's own error shape.
 */
export function mountOAuth2(router: Router, auth: Auth) {
  router.post('/oauth2/token', express.urlencoded({ extended: false }), async (req, res) => {
    const fail = (status: number, error: string, description: string) => {
      if (status === 401) res.set('WWW-Authenticate', 'Basic realm="kartkontor"');
      res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
    };
    const grantType = req.body?.grant_type;
    if (grantType !== 'client_credentials') {
      return fail(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    const match = /^Basic\s+(\S+)$/i.exec(req.get('Authorization') ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) return fail(401, 'invalid_client', 'Send the client id and secret with HTTP Basic authentication');
    const clientId = decodeURIComponent(decoded.slice(0, colon));
    const secret = decodeURIComponent(decoded.slice(colon + 1));
    const token = await auth.clientCredentials(clientId, secret);
    if (!token) return fail(401, 'invalid_client', 'The client id or the client secret is wrong');
    res.set('Cache-Control', 'no-store').json(token);
  });
}
