import crypto from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-dist';
import type { Client } from '@temporalio/client';
import type { Db } from '../platform/db';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { createAuth } from '../identity/auth';
import { clientRequestId } from '../platform/audit/actor';
import { ApiError, errorBody, errorHandler } from '../platform/http/errors';
import { jsonBody } from '../platform/http/input';
import { openApiDocument } from '../platform/http/openapi';
import { pagesRouter } from './pages';
import { mountRoutes, type RouteSpec } from '../platform/http/route';
import { auditRoutes } from '../platform/audit/audit.routes';
import { accountUserRoutes } from '../identity/account-users.routes';
import { authRoutes } from '../identity/auth.routes';
import { signUpRoutes } from '../identity/sign-up.routes';
import { termsPublishingRoutes } from '../identity/terms.routes';
import { passwordRoutes } from '../identity/passwords.routes';
import { calendarRoutes } from '../platform/http/calendar.routes';
import { blockingRoutes } from '../identity/blocking.routes';
import { systemAccountRoutes } from '../identity/system-accounts.routes';
import { caseRoutes } from '../cases/cases.routes';
import { networkOwnerRoutes } from '../cases/network-owners.routes';
import { directoryRoutes } from '../identity/directory.routes';
import { mountHealth } from '../platform/http/health.routes';
import { createHttpMetrics, mountMetrics } from '../platform/http/metrics';
import { registerBusinessMetrics } from './metrics';
import { invoiceRoutes } from '../invoicing/invoices.routes';
import { sellerOf } from '../invoicing/invoice-document';
import { paymentRoutes } from '../invoicing/payments.routes';
import { referenceRateRoutes } from '../invoicing/reference-rates.routes';
import { ledgerAccountsOf, ledgerRoutes } from '../invoicing/ledger.routes';
import { mountOAuth2 } from '../identity/oauth2.routes';
import { outboxRoutes } from '../platform/outbox/outbox.routes';
import { personalDataRoutes } from '../identity/personal-data.routes';
import { orderRoutes } from '../orders/orders.routes';
import { frameworkAgreementRoutes } from '../orders/framework-agreements';
import { priceListRoutes } from '../orders/price-list.routes';
import { deliveryApiRoutes } from '../orders/delivery-api.routes';
import { settlementRoutes } from '../settlement/settlement.routes';
import type { Services } from './services';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  services: Services;
  log: Logger;
}

/**
 * Security headers on every answer: pages, API answers and documents (helmet). The CSP allows
 * only this origin's own scripts and styles, none inline: the pages and documents have none.
 * Images may be data: URLs (Swagger UI's icons). No upgrade-insecure-requests: `npm start`
 * serves plain HTTP on localhost; behind TLS the proxy's HSTS does that work.
 */
export const securityHeaders = (basemapXyzUrl?: string) =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        // A configured basemap's tiles are the one image source from elsewhere (G2).
        imgSrc: ["'self'", 'data:', ...(basemapXyzUrl ? [new URL(basemapXyzUrl.split('{')[0]!).origin] : [])],
        fontSrc: ["'self'", 'data:'],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
  });

/** The Express app: routers per resource over injected stores and the Temporal client. */
export function createApp(deps: AppDeps) {
  const { config, db, services } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.log,
      // The server makes every request id; a client's own X-Request-Id is logged (and audited) beside it.
      genReqId: (_req, res) => {
        const id = crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customProps: (req) => {
        const sent = clientRequestId(req);
        return sent ? { clientRequestId: sent } : {};
      },
    }),
  );
  const metrics = createHttpMetrics();
  registerBusinessMetrics(metrics.registry, db);
  app.use(metrics.middleware);
  app.use(securityHeaders(config.BASEMAP_XYZ_URL));
  const staffTwoFactorRequired = config.STAFF_TOTP_REQUIRED === 'true';
  const auth = createAuth(db, config.ACCESS_TOKEN_TTL_SECONDS, { staffTwoFactorRequired });
  const routes: RouteSpec[] = [
    ...authRoutes({ db, auth }),
    ...directoryRoutes({ db, directory: services.directory }),
    ...accountUserRoutes({ accountUsers: services.accountUsers }),
    ...blockingRoutes({ blocking: services.blocking }),
    // Before the sign-up routes: /api/v1/terms/upcoming is not a version of GET /api/v1/terms/:version.
    ...termsPublishingRoutes({ termsPublishing: services.termsPublishing }),
    ...signUpRoutes({ db, signUp: services.signUp }),
    ...passwordRoutes({
      auth,
      passwords: services.passwords,
      twoFactor: services.twoFactor,
      staffTwoFactorRequired,
    }),
    ...systemAccountRoutes({ db, directory: services.directory }),
    ...personalDataRoutes({ personalData: services.personalData }),
    ...invoiceRoutes({ db, seller: sellerOf(config), onPaid: services.orders.invoicePaid }),
    ...paymentRoutes({ db, seller: sellerOf(config), onPaid: services.orders.invoicePaid }),
    ...referenceRateRoutes({ db }),
    ...ledgerRoutes({ db, seller: sellerOf(config), accounts: ledgerAccountsOf(config) }),
    ...outboxRoutes({ db }),
    ...auditRoutes({ db }),
    ...calendarRoutes(),
    ...caseRoutes({ db, cases: services.cases, store: services.store }),
    ...networkOwnerRoutes({ db, networkOwners: services.networkOwners }),
    ...settlementRoutes({ db, settlements: services.settlements, config }),
    ...orderRoutes({ db, orders: services.orders }),
    ...frameworkAgreementRoutes({ frameworkAgreements: services.frameworkAgreements }),
    ...priceListRoutes({ priceList: services.priceList }),
    ...deliveryApiRoutes({ db, orders: services.orders, store: services.store, config }),
  ];

  const router = Router();
  mountHealth(router, { db, temporal: deps.temporal });
  mountMetrics(router, { registry: metrics.registry, token: config.METRICS_TOKEN });
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: config.LOGIN_RATE_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      res
        .status(429)
        .json(errorBody(new ApiError(429, 'rate_limited', 'Too many sign-in attempts; wait a minute and try again')));
    },
  });
  // A2, A4: signing up and asking for a reset link send e-mail, and the password steps guess passwords: limited like sign-ins.
  router.use(
    [
      '/api/v1/auth/login',
      '/oauth2/token',
      '/token',
      '/revoke',
      '/oauth2/revoke',
      '/api/v1/sign-up',
      '/api/v1/password-reset',
      '/api/v1/auth/two-factor',
      '/api/v1/me/password',
    ],
    limiter,
  );
  // A4: failed sign-ins per account (e-mail address), whichever address they come from; a
  // successful one does not count. Kept in each API process's memory, like the per-address limit.
  const accountLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: config.LOGIN_FAILURES_PER_ACCOUNT,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req) => typeof req.body?.email !== 'string',
    keyGenerator: (req) => `account:${String(req.body.email).trim().toLowerCase()}`,
    skipSuccessfulRequests: true,
    handler: (_req, res) => {
      res
        .status(429)
        .json(
          errorBody(
            new ApiError(429, 'rate_limited_account', 'Too many failed sign-ins to this account; wait and try again'),
          ),
        );
    },
  });
  router.use(['/api/v1/auth/login', '/api/v1/auth/two-factor'], accountLimiter);
  const signInLimiter: RequestHandler = (req, res, next) =>
    limiter(req, res, (err?: unknown) => (err ? next(err) : accountLimiter(req, res, next)));
  // G10: the download API takes a user's password with every request (HTTP Basic); failed ones count as sign-in attempts.
  router.use(
    '/geotorget/nedladdning',
    rateLimit({
      windowMs: 60_000,
      limit: config.LOGIN_RATE_LIMIT_PER_MINUTE,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      skip: (req) => !/^Basic\s/i.test(req.get('Authorization') ?? ''),
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
      handler: (_req, res) => {
        res
          .status(429)
          .json(errorBody(new ApiError(429, 'rate_limited', 'Too many failed sign-ins; wait a minute and try again')));
      },
    }),
  );
  // The pages read their own forms, and only once the session is known (platform/pages/kit.ts).
  app.use('/app', pagesRouter({ routes, auth, db, signInLimiter, basemapXyzUrl: config.BASEMAP_XYZ_URL }));
  // G10: a new delivery takes any JSON body and ignores it, a bare `null` or string too.
  app.use(
    ['/geotorget/orderhanterare/v2/:orderId/leverans', '/geotorget/nedladdning/v1/:orderId/leverans'],
    jsonBody({ strict: false }),
  );
  // JSON bodies only, bounded in size and depth (A6): routes that take a file read it from the
  // request stream (platform/http/upload.ts).
  app.use(jsonBody());
  mountOAuth2(router, auth);
  mountRoutes(router, routes, {
    db,
    authenticate: auth.authenticate,
    idempotencyLeaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
  });

  const document = openApiDocument(routes, config.publicUrl);
  router.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/api/docs/assets', express.static(swaggerUi.getAbsoluteFSPath(), { index: false }));
  // The page's own script is a file, not inline, so the CSP needs no exception for it.
  router.get('/api/docs/start.js', (_req, res) => {
    res.type('js').send("SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });\n");
  });
  router.get('/api/docs', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kartkontor API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script></body></html>`);
  });

  app.use(router);
  app.use((req, _res, next) => next(new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
