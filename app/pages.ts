import type { RequestHandler } from 'express';
import type { Db } from '../platform/db';
import type { RouteSpec } from '../platform/http/route';
import { SESSION_COOKIE, type Auth } from '../identity/auth';
import { createPagesKit, type Navigation } from '../platform/pages/kit';
import { accountPages } from '../identity/account.pages';
import { ACCOUNT_ACCESS } from '../identity/account-roles';
import { signUpPages } from '../identity/sign-up.pages';
import { securityPages } from '../identity/security.pages';
import { outboxPages } from '../platform/outbox/outbox.pages';
import { paymentPages } from '../invoicing/payments.pages';
import { invoicePages } from '../invoicing/invoices.pages';
import { orderPages } from '../orders/orders.pages';
import { priceListPages } from '../orders/price-list.pages';
import { blockingPages } from '../identity/blocking.pages';
import { casePages } from '../cases/cases.pages';
import { networkOwnerPages } from '../cases/network-owners.pages';
import { settlementPages } from '../settlement/settlement.pages';

/** Each role's menu across the contexts; the first entry is where the role lands after sign-in. */
const navigation: Navigation = {
  customer: [
    ['/app/orders', 'nav.myOrders', ACCOUNT_ACCESS.read],
    ['/app/catalogue', 'nav.catalogue', ACCOUNT_ACCESS.read],
    ['/app/cases', 'nav.cases', ACCOUNT_ACCESS.read],
    ['/app/cases/new', 'nav.newCase', ACCOUNT_ACCESS.order],
    ['/app/invoices', 'nav.invoices', ACCOUNT_ACCESS.invoices],
    ['/app/agreements', 'nav.agreements', ACCOUNT_ACCESS.read],
    ['/app/account/users', 'nav.users'],
    ['/app/account', 'nav.account'],
    ['/app/security', 'nav.security'],
  ],
  handler: [
    ['/app/orders?status=awaiting_approval', 'nav.queue'],
    ['/app/orders', 'nav.orders'],
    ['/app/cases', 'nav.cases'],
    ['/app/search', 'nav.search'],
    ['/app/network-owners', 'nav.networkOwners'],
    ['/app/prices', 'nav.prices'],
    ['/app/orders?status=failed', 'nav.failed'],
    ['/app/outbox', 'nav.outbox'],
    ['/app/accounts', 'nav.accounts'],
    ['/app/security', 'nav.security'],
  ],
  finance: [
    ['/app/settlements', 'nav.settlements'],
    ['/app/invoices', 'nav.invoices'],
    ['/app/prices', 'nav.prices'],
    ['/app/payments', 'nav.payments'],
    ['/app/orders', 'nav.orders'],
    ['/app/security', 'nav.security'],
  ],
  admin: [
    ['/app/orders', 'nav.orders'],
    ['/app/cases', 'nav.cases'],
    ['/app/search', 'nav.search'],
    ['/app/network-owners', 'nav.networkOwners'],
    ['/app/prices', 'nav.prices'],
    ['/app/outbox', 'nav.outbox'],
    ['/app/settlements', 'nav.settlements'],
    ['/app/invoices', 'nav.invoices'],
    ['/app/agreements', 'nav.agreements'],
    ['/app/accounts', 'nav.accounts'],
    ['/app/security', 'nav.security'],
  ],
};

/**
 * The pages under /app: the kit (sessions, CSRF, language, rendering, errors) signs users in to
 * identity's sessions, and each context registers its own pages on it.
 */
export function pagesRouter(deps: {
  routes: RouteSpec[];
  auth: Auth;
  db: Db;
  signInLimiter: RequestHandler;
  basemapXyzUrl?: string;
}) {
  const { auth, db } = deps;
  const kit = createPagesKit({
    routes: deps.routes,
    sessions: { cookie: SESSION_COOKIE, session: auth.session, login: auth.login, signOut: auth.signOut },
    navigation,
    signInLimiter: deps.signInLimiter,
    scripts: ['map'],
  });
  orderPages(kit, { db, basemapXyzUrl: deps.basemapXyzUrl });
  priceListPages(kit);
  casePages(kit, { basemapXyzUrl: deps.basemapXyzUrl });
  networkOwnerPages(kit);
  outboxPages(kit);
  invoicePages(kit);
  paymentPages(kit);
  settlementPages(kit, { db });
  accountPages(kit);
  blockingPages(kit);
  signUpPages(kit);
  securityPages(kit);
  return kit.router();
}
