import type { RequestHandler } from 'express';
import type { Db } from '../platform/db';
import type { RouteSpec } from '../platform/http/route';
import { SESSION_COOKIE, type Auth } from '../identity/auth';
import { createPagesKit, type Navigation } from '../platform/pages/kit';
import { outboxPages } from '../platform/outbox/outbox.pages';
import { invoicePages } from '../invoicing/invoices.pages';
import { orderPages } from '../orders/orders.pages';
import { casePages } from '../cases/cases.pages';
import { settlementPages } from '../settlement/settlement.pages';

/** Each role's menu across the contexts; the first entry is where the role lands after sign-in. */
const navigation: Navigation = {
  customer: [
    ['/app/orders', 'nav.myOrders'],
    ['/app/cases', 'nav.cases'],
    ['/app/invoices', 'nav.invoices'],
    ['/app/agreements', 'nav.agreements'],
  ],
  handler: [
    ['/app/orders?status=awaiting_approval', 'nav.queue'],
    ['/app/orders', 'nav.orders'],
    ['/app/cases', 'nav.cases'],
    ['/app/search', 'nav.search'],
    ['/app/orders?status=failed', 'nav.failed'],
    ['/app/outbox', 'nav.outbox'],
  ],
  finance: [
    ['/app/settlements', 'nav.settlements'],
    ['/app/invoices', 'nav.invoices'],
    ['/app/orders', 'nav.orders'],
  ],
  admin: [
    ['/app/orders', 'nav.orders'],
    ['/app/cases', 'nav.cases'],
    ['/app/search', 'nav.search'],
    ['/app/outbox', 'nav.outbox'],
    ['/app/settlements', 'nav.settlements'],
    ['/app/invoices', 'nav.invoices'],
    ['/app/agreements', 'nav.agreements'],
  ],
};

/**
 * The pages under /app: the kit (sessions, CSRF, language, rendering, errors) signs users in to
 * identity's sessions, and each context registers its own pages on it.
 */
export function pagesRouter(deps: { routes: RouteSpec[]; auth: Auth; db: Db; signInLimiter: RequestHandler }) {
  const { auth, db } = deps;
  const kit = createPagesKit({
    routes: deps.routes,
    sessions: { cookie: SESSION_COOKIE, session: auth.session, login: auth.login, signOut: auth.signOut },
    navigation,
    signInLimiter: deps.signInLimiter,
  });
  orderPages(kit, { db });
  casePages(kit);
  outboxPages(kit);
  invoicePages(kit);
  settlementPages(kit, { db });
  return kit.router();
}
