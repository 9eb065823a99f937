import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Db } from '../platform/db';
import { getAccount } from '../identity/accounts.store';
import type { Principal } from '../identity/credentials.store';
import { listUsers } from '../identity/users.store';
import { ANSWERS, VECTOR_FORMATS } from '../cases/cases.rules';
import { bbox, type Area } from '../domain/geometry';
import { INPUT_TYPES } from '../settlement/rules/csv';
import { SESSION_COOKIE, type Auth } from '../identity/auth';
import { readCookie } from '../platform/http/cookies';
import { ApiError } from '../platform/http/errors';
import { prepareRoute, runRoute, type RouteInput, type RouteSpec } from '../platform/http/route';
import type { Language } from '../domain/vocabulary';
import { dictionaries, pageLanguage, type MessageKey } from '../platform/pages/i18n';
import { createViews, type Frame } from '../platform/pages/view';

const PAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../templates/pages');
const PAGE_SIZE = 20;
/** Before sign-in there is no session to bind the CSRF token to; this random cookie stands in. */
const PRE_SESSION_COOKIE = 'kk_pre';
const AGREEMENT_STATUSES = ['valid', 'ended'];
const SETTLEMENT_STATUSES = ['waiting_for_books', 'draft', 'approved'];
const ORDER_STATUSES = ['submitted', 'awaiting_approval', 'approved', 'rejected', 'cancelled', 'in_production', 'delivered', 'shipped', 'failed'];
const CASE_STATUSES = ['registered', 'answered', 'locate_scheduled', 'delivered', 'completed', 'split', 'cancelled', 'withdrawn'];

/** The CSRF token of a session: an HMAC keyed by the session's own secret, so nothing else needs storing. */
const csrfToken = (secret: string) => crypto.createHmac('sha256', secret).update('kartkontor-csrf').digest('base64url');
const csrfMatches = (sent: unknown, secret: string | undefined) =>
  typeof sent === 'string' && secret !== undefined && crypto.timingSafeEqual(crypto.createHash('sha256').update(sent).digest(), crypto.createHash('sha256').update(csrfToken(secret)).digest());

/** A posted form: a field sent more than once (checkboxes of one name) is a list. */
type Form = Record<string, string | string[] | undefined>;

interface PageState {
  lang: Language;
  principal?: Principal;
  csrf: string;
}

interface Page {
  req: Request;
  res: Response;
  principal: Principal;
  t(key: MessageKey): string;
  /** Calls an API route as the signed-in user: the same roles, validation, rules and errors. */
  api<T = any>(method: RouteSpec['method'], routePath: string, input?: RouteInput): Promise<T>;
  show(view: string, title: string, data?: object, crumbs?: Frame['crumbs']): void;
  /** After a successful POST: back to a page, with a notice (post/redirect/get). */
  done(to: string): void;
}

const navigation: Record<Principal['role'], [string, MessageKey][]> = {
  customer: [['/app/orders', 'nav.myOrders'], ['/app/cases', 'nav.cases'], ['/app/invoices', 'nav.invoices'], ['/app/agreements', 'nav.agreements']],
  handler: [['/app/orders?status=awaiting_approval', 'nav.queue'], ['/app/orders', 'nav.orders'], ['/app/cases', 'nav.cases'], ['/app/orders?status=failed', 'nav.failed'], ['/app/outbox', 'nav.outbox']],
  finance: [['/app/settlements', 'nav.settlements'], ['/app/invoices', 'nav.invoices'], ['/app/orders', 'nav.orders']],
  admin: [['/app/orders', 'nav.orders'], ['/app/cases', 'nav.cases'], ['/app/outbox', 'nav.outbox'], ['/app/settlements', 'nav.settlements'], ['/app/invoices', 'nav.invoices'], ['/app/agreements', 'nav.agreements']],
};

/** `?page=` of a list, as the API's limit and offset, and the links to the pages around it. */
function paging(req: Request) {
  const page = Math.max(1, Math.floor(Number(req.query.page)) || 1);
  return {
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    pager(total: number) {
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const link = (n: number) => {
        const q = new URLSearchParams(Object.entries(req.query).filter(([k, v]) => k !== 'page' && k !== 'notice' && typeof v === 'string' && v) as [string, string][]);
        q.set('page', String(n));
        return `${req.baseUrl}${req.path}?${q}`;
      };
      return { page, pages, total, previous: page > 1 ? link(page - 1) : undefined, next: page < pages ? link(page + 1) : undefined };
    },
  };
}

const queryString = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** West and east halves of an area's bounding box: a starting point for splitting a case (L13). */
function halves(area: Area) {
  const b = bbox(area);
  const mid = Math.round((b.minE + b.maxE) / 2);
  const box = (w: number, e: number) => ({ type: 'Polygon', coordinates: [[[w, b.minN], [e, b.minN], [e, b.maxN], [w, b.maxN], [w, b.minN]]] });
  return [box(b.minE, mid), box(mid, b.maxE)];
}

/**
 * Server-rendered pages under /app for customers, handlers and finance. Every read and every
 * change goes through the API's own route declarations (`api()`), so the pages apply exactly the
 * API's roles, validation and rules, and show its error codes and messages.
 */
export function pagesRouter(deps: { routes: RouteSpec[]; auth: Auth; db: Db; signInLimiter: RequestHandler }) {
  const views = createViews(PAGES_DIR);
  const specs = new Map(deps.routes.map((r) => [`${r.method} ${r.path}`, r]));
  const router = Router();
  router.use('/assets', express.static(path.join(PAGES_DIR, 'assets'), { index: false, maxAge: '1h' }));
  router.use(express.urlencoded({ extended: false, limit: '2mb' }));
  // A form with a file (a settlement input) is read whole here: a person's upload from a page.
  // The API's own import route streams files of any size instead.
  router.use(express.raw({ type: 'multipart/form-data', limit: '50mb' }));

  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' });

  /** Language, session and CSRF token of a request; forms sent as multipart become plain fields. */
  async function stateOf(req: Request, res: Response): Promise<PageState & { secret?: string }> {
    const token = readCookie(req, SESSION_COOKIE);
    const principal = token ? await deps.auth.session(token) : undefined;
    const { lang, remember } = pageLanguage(req, principal?.language);
    if (remember) res.cookie('lang', lang, { ...cookieOptions(req), maxAge: 365 * 86_400_000 });
    let secret = principal ? token : readCookie(req, PRE_SESSION_COOKIE);
    if (!secret && req.method === 'GET') {
      secret = crypto.randomBytes(32).toString('base64url');
      res.cookie(PRE_SESSION_COOKIE, secret, cookieOptions(req));
    }
    if (Buffer.isBuffer(req.body) && req.is('multipart/form-data')) {
      const form = await new Response(req.body, { headers: { 'content-type': req.get('content-type')! } }).formData().catch(() => {
        throw new ApiError(400, 'bad_multipart', 'The multipart body could not be read');
      });
      const fields: Record<string, string> = {};
      for (const [name, value] of form) fields[name] = typeof value === 'string' ? value : await value.text();
      req.body = fields;
    }
    const state = { lang, principal, csrf: secret ? csrfToken(secret) : '', secret };
    res.locals.page = state;
    return state;
  }

  function frame(req: Request, state: PageState, title: string, crumbs: Frame['crumbs'] = []): Frame {
    const dict = dictionaries[state.lang];
    const here = req.originalUrl.replace(/[?&](page|notice|lang)=[^&]*/g, '');
    return {
      lang: state.lang,
      csrf: state.csrf,
      user: state.principal ? { email: state.principal.email, role: state.principal.role } : undefined,
      nav: (state.principal ? navigation[state.principal.role] : []).map(([href, key]) => ({ href, label: dict[key], current: here === href })),
      crumbs: crumbs.length ? [{ href: '/app', label: dict['nav.home'] }, ...crumbs] : [],
      title,
      notice: req.query.notice === 'done' ? dict['notice.done'] : undefined,
    };
  }

  /** A signed-in page: without a session, to the sign-in form; a POST without the session's CSRF token is refused. */
  const page =
    (handler: (p: Page) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      const state = await stateOf(req, res);
      if (!state.principal) return res.redirect(303, `/app/sign-in?next=${encodeURIComponent(req.method === 'GET' ? req.originalUrl : '/app')}`);
      if (req.method === 'POST' && !csrfMatches(req.body?._csrf, state.secret)) throw new ApiError(403, 'csrf', dictionaries[state.lang]['error.csrf']);
      const principal = state.principal;
      await handler({
        req,
        res,
        principal,
        t: (key) => dictionaries[state.lang][key],
        async api(method, routePath, input = {}) {
          const spec = specs.get(`${method} ${routePath}`);
          if (!spec) throw new Error(`The pages call an API route that does not exist: ${method} ${routePath}`);
          return (await runRoute(spec, prepareRoute(spec, principal, req, res, input))).body as never;
        },
        show(view, title, data = {}, crumbs = []) {
          res.type('html').send(views.render(view, frame(req, state, title, crumbs), data));
        },
        done(to) {
          res.redirect(303, `${to}${to.includes('?') ? '&' : '?'}notice=done`);
        },
      });
    };

  /** A form's fields without the CSRF token: the body of the API call. */
  const fields = (req: Request): Form => {
    const { _csrf, ...rest } = (req.body ?? {}) as Form;
    return rest;
  };

  // --- Sign-in and sign-out -------------------------------------------------------------
  const safeNext = (next: unknown) => (typeof next === 'string' && next.startsWith('/app') ? next : '/app');

  router.get('/sign-in', async (req, res) => {
    const state = await stateOf(req, res);
    if (state.principal) return res.redirect(303, safeNext(req.query.next));
    res.type('html').send(views.render('sign-in', frame(req, state, dictionaries[state.lang]['signIn.title']), { next: safeNext(req.query.next) }));
  });
  router.post('/sign-in', deps.signInLimiter, async (req, res) => {
    const state = await stateOf(req, res);
    if (!csrfMatches(req.body?._csrf, state.secret)) throw new ApiError(403, 'csrf', dictionaries[state.lang]['error.csrf']);
    const { email, password } = fields(req);
    try {
      const { access_token, expires_in } = await deps.auth.login(String(email ?? ''), String(password ?? ''));
      res.cookie(SESSION_COOKIE, access_token, { ...cookieOptions(req), maxAge: expires_in * 1000 });
      res.clearCookie(PRE_SESSION_COOKIE, cookieOptions(req));
      req.log.info('signed in to the pages');
      res.redirect(303, safeNext(req.body?.next));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      res.status(err.status).type('html').send(views.render('sign-in', frame(req, state, dictionaries[state.lang]['signIn.title']), { next: safeNext(req.body?.next), error: err, email }));
    }
  });
  router.post(
    '/sign-out',
    page(async ({ req, res }) => {
      await deps.auth.signOut(readCookie(req, SESSION_COOKIE)!);
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      res.redirect(303, '/app/sign-in');
    }),
  );
  router.get(
    '/',
    page(async ({ principal, res }) => {
      res.redirect(303, navigation[principal.role][0]![0]);
    }),
  );

  // --- Orders (G1–G9): the handlers' queue, failed deliveries, my orders ------------------------
  router.get(
    '/orders',
    page(async (p) => {
      const { limit, offset, pager } = paging(p.req);
      const status = queryString(p.req.query.status);
      const list = await p.api('get', '/api/v1/orders', { query: { status, limit, offset } });
      const title = status === 'awaiting_approval' && p.principal.role === 'handler' ? p.t('orders.queueTitle') : status === 'failed' ? p.t('nav.failed') : p.t(p.principal.role === 'customer' ? 'nav.myOrders' : 'orders.title');
      p.show('orders', title, { items: list.items, pager: pager(list.total), statuses: ORDER_STATUSES, status, queue: status === 'awaiting_approval' }, [{ label: title }]);
    }),
  );
  router.get(
    '/orders/:id',
    page(async (p) => {
      const order = await p.api('get', '/api/v1/orders/:id', { params: p.req.params });
      const account = await getAccount(deps.db, order.accountId);
      const files = order.latestDelivery?.status === 'LYCKAD' ? await p.api('get', '/download/:orderId/files', { params: { orderId: order.id } }) : [];
      const role = p.principal.role;
      const open = ['submitted', 'awaiting_approval'].includes(order.status);
      p.show(
        'order',
        `${p.t('orders.order')} ${order.id.slice(0, 8)}`,
        {
          order,
          customer: account,
          files,
          canDecide: role === 'handler' && order.status === 'awaiting_approval',
          canCancel: (role === 'customer' || role === 'handler') && open,
          canRetry: role === 'handler' && order.status === 'failed',
          // G7: a produced hard drive waits as `delivered` until the handler records its shipment.
          canShip: role === 'handler' && order.deliveryMethod === 'physical_media' && order.status === 'delivered',
          canExtract: role === 'customer' && order.subscription && order.latestDelivery !== null,
        },
        [{ href: '/app/orders', label: p.t('nav.orders') }, { label: order.id.slice(0, 8) }],
      );
    }),
  );
  for (const action of ['approve', 'reject', 'cancel', 'retry-delivery', 'shipment', 'deliveries']) {
    router.post(
      `/orders/:id/${action}`,
      page(async (p) => {
        await p.api('post', `/api/v1/orders/:id/${action}`, { params: p.req.params, body: fields(p.req) });
        p.done(`/app/orders/${encodeURIComponent(String(p.req.params.id))}`);
      }),
    );
  }
  router.get(
    '/agreements',
    page(async (p) => {
      const { limit, offset, pager } = paging(p.req);
      const status = queryString(p.req.query.status);
      const list = await p.api('get', '/api/v1/agreements', { query: { status, limit, offset } });
      p.show('agreements', p.t('agreements.title'), { items: list.items, pager: pager(list.total), statuses: AGREEMENT_STATUSES, status }, [{ label: p.t('agreements.title') }]);
    }),
  );

  // --- Cases (L1–L18) ---------------------------------------------------------------------------
  router.get(
    '/cases',
    page(async (p) => {
      const { limit, offset, pager } = paging(p.req);
      const status = queryString(p.req.query.status);
      const overdue = p.req.query.overdue === 'true' ? 'true' : undefined;
      const list = await p.api('get', '/api/v1/cases', { query: { status, overdue, limit, offset } });
      p.show('cases', p.t('cases.title'), { items: list.items, pager: pager(list.total), statuses: CASE_STATUSES, status, overdue, overdueFilter: true }, [{ label: p.t('cases.title') }]);
    }),
  );
  const caseCrumbs = (p: Page, lk: string, last?: string): Frame['crumbs'] => [
    { href: '/app/cases', label: p.t('cases.title') },
    last ? { href: `/app/cases/${lk}`, label: lk } : { label: lk },
    ...(last ? [{ label: last }] : []),
  ];
  router.get(
    '/cases/:lk',
    page(async (p) => {
      const c = await p.api('get', '/api/v1/cases/:lk', { params: p.req.params });
      const handler = p.principal.role === 'handler';
      const customer = p.principal.role === 'customer';
      const open = !['completed', 'cancelled', 'withdrawn', 'split', 'delivered'].includes(c.status);
      const unanswered = c.owners.every((o: { answer: string | null }) => o.answer === null);
      p.show(
        'case',
        `${p.t('cases.case')} ${c.lk}`,
        {
          c,
          answers: ANSWERS,
          canAnswer: handler && open,
          canSplit: handler && c.kind === 'locate' && c.status === 'registered' && unanswered,
          splitParts: JSON.stringify(halves(c.workArea)),
          canLocateDone: handler && c.status === 'locate_scheduled',
          canDeliver: handler && c.kind === 'planning' && open,
          canChangeLocate: customer && c.status === 'locate_scheduled',
          canWithdraw: customer && c.kind === 'planning' && open,
          canAddOns: customer && c.kind === 'planning' && open,
          vectorFormats: VECTOR_FORMATS,
          // L14: an owner that only supplies maps and answered "dig according to map" can be asked to locate, for a fee.
          mapOnlyOwners: customer && c.status === 'answered' ? c.owners.filter((o: { mode: string; answer: string | null }) => o.mode === 'map_only' && o.answer === 'dig_according_to_map') : [],
          canComplain: customer,
          canRespond: handler,
          hasPdf: c.kind === 'planning' && c.status === 'delivered',
        },
        caseCrumbs(p, c.lk),
      );
    }),
  );
  /**
   * L14–L17: a paid change is quoted first; the confirming form carries the fee back as
   * expectedFeeMinor, and the API refuses it if the fee has changed meanwhile.
   */
  const feeFirst = (p: Page, title: MessageKey, confirm: MessageKey, quote: { fees: unknown; locateDate?: string }, action: string, hidden: [string, string][]) => {
    const lk = String(p.req.params.lk);
    p.show('fee-confirm', p.t(title), { lk, quote, action: `/app/cases/${lk}/${action}`, confirm: p.t(confirm), hidden: hidden.map(([name, value]) => ({ name, value })) }, caseCrumbs(p, lk, p.t(title)));
  };
  router.get(
    '/cases/:lk/move',
    page(async (p) => {
      const express = p.req.query.express === 'true' ? 'true' : 'false';
      const quote = await p.api('get', '/api/v1/cases/:lk/locate/quote', { params: p.req.params, query: { date: queryString(p.req.query.date) ?? '', express } });
      feeFirst(p, 'cases.move', 'cases.confirmMove', quote, 'locate/move', [['date', quote.locateDate], ['express', String(quote.express)]]);
    }),
  );
  router.get(
    '/cases/:lk/cancel',
    page(async (p) => {
      const quote = await p.api('get', '/api/v1/cases/:lk/locate/quote', { params: p.req.params, query: {} });
      feeFirst(p, 'cases.cancelLocate', 'cases.confirmCancel', quote, 'locate/cancel', []);
    }),
  );
  // Without expectedFeeMinor these API routes only answer the fee.
  router.get(
    '/cases/:lk/map-only-locate',
    page(async (p) => {
      const ownerId = queryString(p.req.query.ownerId) ?? '';
      const quote = await p.api('post', '/api/v1/cases/:lk/map-only-locate', { params: p.req.params, body: { ownerId } });
      feeFirst(p, 'cases.mapOnlyLocate', 'cases.confirmOrder', quote, 'map-only-locate', [['ownerId', ownerId]]);
    }),
  );
  router.get(
    '/cases/:lk/add-ons',
    page(async (p) => {
      const fasterDelivery = p.req.query.fasterDelivery === 'true';
      const formats = [p.req.query.formats ?? []].flat().map(String);
      const quote = await p.api('post', '/api/v1/cases/:lk/add-ons', { params: p.req.params, body: { fasterDelivery, formats } });
      feeFirst(p, 'cases.addOns', 'cases.confirmOrder', quote, 'add-ons', [['fasterDelivery', String(fasterDelivery)], ...formats.map((f): [string, string] => ['formats', f])]);
    }),
  );
  const casePosts: Record<string, (form: Form) => unknown> = {
    answers: (f) => ({ ownerId: f.ownerId, answer: f.answer, note: f.note || undefined }),
    'locate-done': () => ({}),
    deliver: () => ({}),
    withdraw: () => ({}),
    'locate/move': (f) => ({ date: f.date, express: f.express === 'true', expectedFeeMinor: Number(f.expectedFeeMinor) }),
    'locate/cancel': (f) => ({ expectedFeeMinor: Number(f.expectedFeeMinor) }),
    'map-only-locate': (f) => ({ ownerId: f.ownerId, expectedFeeMinor: Number(f.expectedFeeMinor) }),
    'add-ons': (f) => ({ fasterDelivery: f.fasterDelivery === 'true', formats: [f.formats ?? []].flat(), expectedFeeMinor: Number(f.expectedFeeMinor) }),
    complaints: (f) => ({ text: f.text }),
    split: (f) => {
      try {
        return { parts: (JSON.parse(String(f.parts ?? '')) as unknown[]).map((workArea) => ({ workArea })) };
      } catch {
        throw new ApiError(400, 'validation_failed', 'The request is not valid: body.parts: must be a JSON list of GeoJSON polygons');
      }
    },
  };
  for (const [action, bodyOf] of Object.entries(casePosts)) {
    router.post(
      `/cases/:lk/${action}`,
      page(async (p) => {
        await p.api('post', `/api/v1/cases/:lk/${action}`, { params: p.req.params, body: bodyOf(fields(p.req)) });
        p.done(`/app/cases/${encodeURIComponent(String(p.req.params.lk))}`);
      }),
    );
  }

  router.post(
    '/cases/:lk/complaints/:complaintId/response',
    page(async (p) => {
      await p.api('post', '/api/v1/cases/:lk/complaints/:complaintId/response', { params: p.req.params, body: fields(p.req) });
      p.done(`/app/cases/${encodeURIComponent(String(p.req.params.lk))}`);
    }),
  );

  // --- E-mail outbox and invoices ---------------------------------------------------------------
  router.get(
    '/outbox',
    page(async (p) => {
      const { limit, offset, pager } = paging(p.req);
      const status = queryString(p.req.query.status);
      const list = await p.api('get', '/api/v1/outbox', { query: { status, limit, offset } });
      p.show('outbox', p.t('outbox.title'), { items: list.items, pager: pager(list.total), statuses: ['pending', 'sent', 'held', 'failed'], status }, [{ label: p.t('outbox.title') }]);
    }),
  );
  router.get(
    '/invoices',
    page(async (p) => {
      const { limit, offset, pager } = paging(p.req);
      const status = queryString(p.req.query.status);
      const list = await p.api('get', '/api/v1/invoices', { query: { status, limit, offset } });
      p.show('invoices', p.t('invoices.title'), { items: list.items, pager: pager(list.total), statuses: ['unpaid', 'paid'], status, canMarkPaid: p.principal.role === 'finance' }, [{ label: p.t('invoices.title') }]);
    }),
  );
  router.post(
    '/invoices/:id/paid',
    page(async (p) => {
      await p.api('post', '/api/v1/invoices/:id/paid', { params: p.req.params });
      p.done('/app/invoices');
    }),
  );

  // --- Settlements (M1–M6) ----------------------------------------------------------------------
  router.get(
    '/settlements',
    page(async (p) => {
      // One row per year: the API gives them all, and the page shows them a page at a time.
      const { limit, offset, pager } = paging(p.req);
      const status = queryString(p.req.query.status);
      const years = (await p.api<{ status: string }[]>('get', '/api/v1/settlements')).filter((y) => !status || y.status === status);
      p.show(
        'settlements',
        p.t('settlements.title'),
        { items: years.slice(offset, offset + limit), pager: pager(years.length), statuses: SETTLEMENT_STATUSES, status, year: new Date().getFullYear() - 1, canRun: p.principal.role === 'finance' },
        [{ label: p.t('settlements.title') }],
      );
    }),
  );
  router.post(
    '/settlements/run',
    page(async (p) => {
      const year = fields(p.req).year;
      await p.api('post', '/api/v1/settlements/:year/run', { params: { year } });
      p.done(`/app/settlements/${encodeURIComponent(String(year))}`);
    }),
  );
  router.get(
    '/settlements/:year',
    page(async (p) => {
      const year = Number(p.req.params.year);
      // A run just started has no settlement row for a moment; the inputs can be uploaded meanwhile.
      const version = queryString(p.req.query.version);
      const statement = await p.api('get', '/api/v1/settlements/:year', { params: p.req.params, query: { version } }).catch((err) => {
        if (err instanceof ApiError && err.code === 'not_found') return { year, status: null, revenue: [], pools: null, lines: [] };
        throw err;
      });
      const row = (await p.api<{ year: number; booksClosedBy: string | null; computedBy: string | null; latestVersion: number | null }[]>('get', '/api/v1/settlements')).find((s) => s.year === statement.year);
      const emails = new Map((await listUsers(deps.db)).map((u) => [u.id, u.email]));
      const finance = p.principal.role === 'finance';
      const ranIt = row?.computedBy === p.principal.id;
      p.show(
        'settlement',
        `${p.t('settlements.statement')} ${statement.year}`,
        {
          s: statement,
          inputTypes: INPUT_TYPES,
          booksClosedBy: row?.booksClosedBy ? emails.get(row.booksClosedBy) ?? row.booksClosedBy : null,
          computedBy: row?.computedBy ? emails.get(row.computedBy) ?? row.computedBy : null,
          canImport: finance && statement.status !== 'approved',
          canCloseBooks: finance && !row?.booksClosedBy,
          canRecompute: finance && statement.status === 'draft',
          canApprove: finance && statement.status === 'draft' && !ranIt,
          ranIt: finance && statement.status === 'draft' && ranIt,
          approved: row?.latestVersion !== null && row?.latestVersion !== undefined,
          canCorrect: finance && statement.status === 'approved' && !version,
          // Every approved version stays readable (M6).
          versions: Array.from({ length: row?.latestVersion ?? 0 }, (_, i) => i + 1),
          versionQuery: version ? `?version=${version}` : '',
        },
        [{ href: '/app/settlements', label: p.t('settlements.title') }, { label: String(statement.year) }],
      );
    }),
  );
  router.post(
    '/settlements/:year/imports/:type',
    page(async (p) => {
      await p.api('post', '/api/v1/settlements/:year/imports/:type', { params: p.req.params, body: fields(p.req).file ?? '' });
      p.done(`/app/settlements/${encodeURIComponent(String(p.req.params.year))}`);
    }),
  );
  for (const action of ['close-books', 'recompute', 'approve', 'corrections']) {
    router.post(
      `/settlements/:year/${action}`,
      page(async (p) => {
        await p.api('post', `/api/v1/settlements/:year/${action}`, { params: p.req.params, body: fields(p.req) });
        p.done(`/app/settlements/${encodeURIComponent(String(p.req.params.year))}`);
      }),
    );
  }

  router.use(
    page(async ({ req }) => {
      throw new ApiError(404, 'not_found', `No page ${req.originalUrl.split('?')[0]}`);
    }),
  );
  const errorPage: ErrorRequestHandler = (err, req, res, _next) => {
    const state: PageState = res.locals.page ?? { lang: pageLanguage(req).lang, csrf: '' };
    const error = err instanceof ApiError ? err : new ApiError(500, 'internal_error', 'Something went wrong on our side; the request id is in the X-Request-Id header');
    if (!(err instanceof ApiError)) req.log.error({ err }, 'page failed');
    const details = Array.isArray(error.details) ? error.details : [];
    // Back to the page the form was on, when it was one of ours.
    const referer = req.get('Referer') ?? '';
    const back = referer.startsWith(`${req.protocol}://${req.get('host')}/app`) ? referer : undefined;
    res.status(error.status).type('html').send(views.render('error', frame(req, state, dictionaries[state.lang]['error.title'], [{ label: String(error.status) }]), { error, details, back }));
  };
  router.use(errorPage);
  return router;
}
