import express, { type Router } from 'express';
import { basicCredentials, type Auth } from './auth';

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
    const credentials = basicCredentials(req.get('Authorization'));
    if (credentials === 'missing')
      return fail(401, 'invalid_client', 'Send the client id and secret with HTTP Basic authentication');
    if (credentials === 'malformed')
      return fail(
        401,
        'invalid_client',
        'The Basic credentials cannot be read: send client_id:client_secret, each %-encoded, in base64',
      );
    const token = await auth.clientCredentials(credentials.clientId, credentials.secret);
    if (!token) return fail(401, 'invalid_client', 'The client id or the client secret is wrong');
    res.set('Cache-Control', 'no-store').json(token);
  });
}
