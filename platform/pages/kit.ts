import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { readCookie } from '../http/cookies';
import { ApiError, apiErrorOf } from '../http/errors';
import type { AccountRole, Principal } from '../http/principal';
import { prepareRoute, runRoute, type RouteInput, type RouteSpec } from '../http/route';
import type { PageFiles } from '../http/upload';
import type { Language } from '../../domain/vocabulary';
import { dictionaries, pageLanguage, type MessageKey } from './i18n';
import { browserAssets } from './scripts';
import { createViews, type Frame } from './view';

const PAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/pages');
const PAGE_SIZE = 20;
/** Before sign-in there is no session to bind the CSRF token to; this random cookie stands in. */
const PRE_SESSION_COOKIE = 'kk_pre';

/** Who is signed in: the principal the API's routes are called as. */

/** The CSRF token of a session: an HMAC keyed by the session's own secret, so nothing else needs storing. */
const csrfToken = (secret: string) => crypto.createHmac('sha256', secret).update('kartkontor-csrf').digest('base64url');
const csrfMatches = (sent: unknown, secret: string | undefined) =>
  typeof sent === 'string' &&
  secret !== undefined &&
  crypto.timingSafeEqual(
    crypto.createHash('sha256').update(sent).digest(),
    crypto.createHash('sha256').update(csrfToken(secret)).digest(),
  );

/** A posted form: a field sent more than once (checkboxes of one name) is a list. */
export type Form = Record<string, string | string[] | undefined>;

/** A query parameter's value when it is a non-empty string. */
export const queryString = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * The sessions the pages sign users in to: the composition hands identity's in, so the kit
 * knows nothing of accounts, passwords or tokens.
 */
export interface PageSessions {
  /** The name of the cookie that holds a session's token (the API also reads it on GETs). */
  cookie: string;
  /** The principal of a live session token. */
  session(token: string): Promise<Principal | undefined>;
  /** `code`: the second factor, when the user has one (A4). */
  login(email: string, password: string, code?: string): Promise<{ access_token: string; expires_in: number }>;
  signOut(token: string): Promise<void>;
}

/**
 * The menu of each role: a page's link, its label, and for customers the account roles that may
 * open it (A3; all when not given); the first a user may open is their home.
 */
export type Navigation = Record<
  Principal['role'],
  [href: string, label: MessageKey, accountRoles?: readonly AccountRole[]][]
>;

/** The menu entries the principal may open. */
const menuOf = (navigation: Navigation, principal: Principal) =>
  navigation[principal.role].filter(
    ([, , roles]) => !roles || (principal.accountRole !== undefined && roles.includes(principal.accountRole)),
  );

interface PageState {
  lang: Language;
  principal?: Principal;
  csrf: string;
}

/** A signed-in request to a page, and what the page can do with it. */
export interface Page {
  req: Request;
  res: Response;
  principal: Principal;
  t(key: MessageKey): string;
  /** Calls an API route as the signed-in user: the same roles, validation, rules and errors. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a route's answer is JSON the page hands to its template as it is
  api<T = any>(method: RouteSpec['method'], routePath: string, input?: RouteInput): Promise<T>;
  show(view: string, title: string, data?: object, crumbs?: Frame['crumbs']): void;
  /** A view without the layout: a part of a page that its script swaps in (the map's fee, G3). */
  fragment(view: string, data?: object): void;
  /** After a successful POST: back to a page, with a notice (post/redirect/get). */
  done(to: string): void;
  /** The posted form's fields without the CSRF token: the body of an API call. */
  fields(): Form;
  /** A list's `?cursor=`, as the API's limit and cursor, and the links to the first and next page. */
  paging(): { limit: number; cursor: string | undefined; pager(shown: number, next: string | null): Pager };
}

/** Keyset paging (issue 20): how many rows this page shows, back to the first page, on to the next. */
export interface Pager {
  shown: number;
  first?: string;
  next?: string;
}

/** A page anyone may open (sign-up, the links in e-mails, the terms): the caller may be signed in or not. */
export type OpenPage = Omit<Page, 'principal'> & { principal: Principal | undefined; lang: Language };

/** Where a context registers its pages (paths under /app). */
export interface PagesKit {
  /** A page without a session (its API calls are the caller's, or anonymous); a POST still needs the CSRF token. */
  open(method: 'get' | 'post', path: string, handler: (p: OpenPage) => Promise<void>): void;
  /** A signed-in page: without a session, to the sign-in form; a POST without the session's CSRF token is refused. */
  get(path: string, handler: (p: Page) => Promise<void>): void;
  post(path: string, handler: (p: Page) => Promise<void>): void;
  /**
   * A form that calls one API route (POST) and goes back to a page: the route's path
   * parameters are the page's, its body the form's fields unless `body` says otherwise.
   */
  form(
    path: string,
    apiPath: string,
    options: { back: (p: Page) => string; body?: (form: Form, p: Page) => unknown; params?: (p: Page) => object },
  ): void;
  /** The router with every page registered so far, then the 404 page and the error page. */
  router(): Router;
}

function paging(req: Request) {
  const cursor = typeof req.query.cursor === 'string' && req.query.cursor ? req.query.cursor : undefined;
  return {
    limit: PAGE_SIZE,
    cursor,
    pager(shown: number, next: string | null): Pager {
      const link = (to: string | null) => {
        const q = new URLSearchParams(
          Object.entries(req.query).filter(
            ([k, v]) => k !== 'cursor' && k !== 'notice' && typeof v === 'string' && v,
          ) as [string, string][],
        );
        if (to) q.set('cursor', to);
        return `${req.baseUrl}${req.path}?${q.toString()}`;
      };
      return { shown, first: cursor ? link(null) : undefined, next: next ? link(next) : undefined };
    },
  };
}

/** The path (and query) of a referring page under /app, as a link that cannot leave this site. */
function backLink(referer: string | undefined): string | undefined {
  if (!referer || !URL.canParse(referer)) return undefined;
  const { pathname, search } = new URL(referer);
  return pathname === '/app' || pathname.startsWith('/app/') ? `${pathname}${search}` : undefined;
}

/** A form's fields without the CSRF token. */
const fieldsOf = (req: Request): Form => {
  const { _csrf, ...rest } = (req.body ?? {}) as Form;
  return rest;
};

/**
 * The pages kit: server-rendered pages under /app for customers, handlers and finance, with
 * sessions, sign-in and sign-out, CSRF tokens, the language, the menu, rendering and the error
 * page. Every read and every change a page makes goes through the API's own route declarations
 * (`api()`), so the pages apply exactly the API's roles, validation and rules, and show its error
 * codes and messages. Each context registers its own pages on the kit.
 */
export function createPagesKit(deps: {
  routes: RouteSpec[];
  sessions: PageSessions;
  navigation: Navigation;
  signInLimiter: RequestHandler;
  /** The browser scripts under templates/pages/scripts, bundled and served at /app/assets/scripts/<name>.js. */
  scripts?: string[];
}): PagesKit {
  const { sessions, navigation } = deps;
  const views = createViews(PAGES_DIR);
  const specs = new Map(deps.routes.map((r) => [`${r.method} ${r.path}`, r]));
  const router = Router();
  router.use('/assets', express.static(path.join(PAGES_DIR, 'assets'), { index: false, maxAge: '1h' }));
  if (deps.scripts?.length) router.use('/assets', browserAssets(path.join(PAGES_DIR, 'scripts'), deps.scripts));
  // Bodies are read only once the session is known (readForm): a stranger's POST is turned away
  // before a byte of it is parsed. A form with a file (a settlement input) is read whole: a
  // person's upload from a page; the API's own import route streams files of any size instead.
  const signedInParsers = [
    express.urlencoded({ extended: false, limit: '2mb' }),
    express.raw({ type: 'multipart/form-data', limit: '50mb' }),
  ];
  // The sign-in form holds an e-mail address, a password and two short tokens.
  const signInParsers = [express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 })];
  // An open page's form (sign-up, a link from an e-mail): a few short fields, from anyone.
  const openParsers = [express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 30 })];

  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' });

  /** Reads a POST's form with the given parsers (bounded); a form sent as multipart becomes plain fields. */
  async function readForm(req: Request, res: Response, parsers: RequestHandler[]) {
    for (const parse of parsers)
      await new Promise<void>((resolve, reject) => {
        void parse(req, res, (err?: unknown) => (err instanceof Error ? reject(err) : resolve()));
      });
    if (Buffer.isBuffer(req.body) && req.is('multipart/form-data')) {
      const form = await new Response(req.body, { headers: { 'content-type': req.get('content-type')! } })
        .formData()
        .catch(() => {
          throw new ApiError(400, 'bad_multipart', 'The multipart body could not be read');
        });
      const fields: Record<string, string> = {};
      const files: PageFiles = {};
      for (const [name, value] of form) {
        fields[name] = typeof value === 'string' ? value : await value.text();
        // A binary file (a zipped shapefile, a GeoPackage) as its bytes too, for a route that takes an upload.
        if (typeof value !== 'string')
          files[name] = { filename: value.name || null, data: Buffer.from(await value.arrayBuffer()) };
      }
      req.body = fields;
      res.locals.pageFiles = files;
    }
  }

  /** Language, session and CSRF token of a request (its body is not read here). */
  async function stateOf(req: Request, res: Response): Promise<PageState & { secret?: string }> {
    const token = readCookie(req, sessions.cookie);
    const principal = token ? await sessions.session(token) : undefined;
    const { lang, remember } = pageLanguage(req, principal?.language);
    if (remember) res.cookie('lang', lang, { ...cookieOptions(req), maxAge: 365 * 86_400_000 });
    let secret = principal ? token : readCookie(req, PRE_SESSION_COOKIE);
    if (!secret && req.method === 'GET') {
      secret = crypto.randomBytes(32).toString('base64url');
      res.cookie(PRE_SESSION_COOKIE, secret, cookieOptions(req));
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
      nav: (state.principal ? menuOf(navigation, state.principal) : []).map(([href, key]) => ({
        href,
        label: dict[key],
        current: here === href,
      })),
      crumbs: crumbs.length ? [{ href: '/app', label: dict['nav.home'] }, ...crumbs] : [],
      title,
      notice: req.query.notice === 'done' ? dict['notice.done'] : undefined,
    };
  }

  const page =
    (handler: (p: Page) => Promise<void>) =>
    (req: Request, res: Response): Promise<void> =>
      anyPage(req, res, handler as (p: OpenPage) => Promise<void>, false);

  async function anyPage(req: Request, res: Response, handler: (p: OpenPage) => Promise<void>, open: boolean) {
    const state = await stateOf(req, res);
    if (!state.principal && !open)
      return res.redirect(
        303,
        `/app/sign-in?next=${encodeURIComponent(req.method === 'GET' ? req.originalUrl : '/app')}`,
      );
    if (req.method === 'POST') {
      await readForm(req, res, state.principal ? signedInParsers : openParsers);
      if (!csrfMatches(req.body?._csrf, state.secret))
        throw new ApiError(403, 'csrf', dictionaries[state.lang]['error.csrf']);
    }
    const principal = state.principal;
    await handler({
      req,
      res,
      principal,
      lang: state.lang,
      t: (key) => dictionaries[state.lang][key],
      async api(method, routePath, input = {}) {
        const spec = specs.get(`${method} ${routePath}`);
        if (!spec) throw new Error(`The pages call an API route that does not exist: ${method} ${routePath}`);
        return (await runRoute(spec, prepareRoute(spec, principal, req, res, input))).body as never;
      },
      show(view, title, data = {}, crumbs = []) {
        res.type('html').send(views.render(view, frame(req, state, title, crumbs), data));
      },
      fragment(view, data = {}) {
        res.type('html').send(views.render(view, frame(req, state, ''), data, { layout: false }));
      },
      done(to) {
        res.redirect(303, `${to}${to.includes('?') ? '&' : '?'}notice=done`);
      },
      fields: () => fieldsOf(req),
      paging: () => paging(req),
    });
  }

  // --- Sign-in and sign-out -------------------------------------------------------------
  const safeNext = (next: unknown) => (typeof next === 'string' && next.startsWith('/app') ? next : '/app');

  router.get('/sign-in', async (req, res) => {
    const state = await stateOf(req, res);
    if (state.principal) return res.redirect(303, safeNext(req.query.next));
    res.type('html').send(
      views.render('sign-in', frame(req, state, dictionaries[state.lang]['signIn.title']), {
        next: safeNext(req.query.next),
      }),
    );
  });
  // The small form is read before the limiter, which counts failures per address and per account (A4).
  const readSignInForm: RequestHandler = (req, res, next) => {
    readForm(req, res, signInParsers).then(() => next(), next);
  };
  router.post('/sign-in', readSignInForm, deps.signInLimiter, async (req, res) => {
    const state = await stateOf(req, res);
    if (!csrfMatches(req.body?._csrf, state.secret))
      throw new ApiError(403, 'csrf', dictionaries[state.lang]['error.csrf']);
    const { email, password, code } = fieldsOf(req);
    try {
      const { access_token, expires_in } = await sessions.login(
        String(email ?? ''),
        String(password ?? ''),
        typeof code === 'string' && code ? code : undefined,
      );
      res.cookie(sessions.cookie, access_token, { ...cookieOptions(req), maxAge: expires_in * 1000 });
      res.clearCookie(PRE_SESSION_COOKIE, cookieOptions(req));
      req.log.info('signed in to the pages');
      res.redirect(303, safeNext(req.body?.next));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      res
        .status(err.status)
        .type('html')
        .send(
          views.render('sign-in', frame(req, state, dictionaries[state.lang]['signIn.title']), {
            next: safeNext(req.body?.next),
            error: err,
            email,
          }),
        );
    }
  });
  router.post(
    '/sign-out',
    page(async ({ req, res }) => {
      await sessions.signOut(readCookie(req, sessions.cookie)!);
      res.clearCookie(sessions.cookie, cookieOptions(req));
      res.redirect(303, '/app/sign-in');
    }),
  );
  router.get(
    '/',
    page(async ({ principal, res }) => {
      res.redirect(303, menuOf(navigation, principal)[0]?.[0] ?? '/app/security');
    }),
  );

  let finished = false;
  const notFinished = () => {
    if (finished) throw new Error('A page was registered after the pages router was finished');
  };
  return {
    open(method, routePath, handler) {
      notFinished();
      router[method](routePath, (req, res) => anyPage(req, res, handler, true));
    },
    get(routePath, handler) {
      notFinished();
      router.get(routePath, page(handler));
    },
    post(routePath, handler) {
      notFinished();
      router.post(routePath, page(handler));
    },
    form(routePath, apiPath, { back, body = (form) => form, params = (p) => p.req.params }) {
      notFinished();
      router.post(
        routePath,
        page(async (p) => {
          await p.api('post', apiPath, { params: params(p), body: body(p.fields(), p) });
          p.done(back(p));
        }),
      );
    },
    router() {
      if (finished) return router;
      finished = true;
      router.use(
        page(async ({ req }) => {
          throw new ApiError(404, 'not_found', `No page ${req.originalUrl.split('?')[0]}`);
        }),
      );
      const errorPage: ErrorRequestHandler = (err, req, res, _next) => {
        const state: PageState = res.locals.page ?? { lang: pageLanguage(req).lang, csrf: '' };
        // The API's own mapping: an oversized or malformed body is the client's 4xx, not our 500.
        const error = apiErrorOf(err);
        if (error.status >= 500) req.log.error({ err }, 'page failed');
        const details = Array.isArray(error.details) ? error.details : [];
        // Back to the page the form was on, when it was one of ours: as a path, never trusting the Host header.
        const back = backLink(req.get('Referer'));
        res
          .status(error.status)
          .type('html')
          .send(
            views.render(
              'error',
              frame(req, state, dictionaries[state.lang]['error.title'], [{ label: String(error.status) }]),
              { error, details, back },
            ),
          );
      };
      router.use(errorPage);
      return router;
    },
  };
}
