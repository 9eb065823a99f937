import { bbox, parseSelectionText, type Area } from '../domain/geometry';
import { ApiError } from '../platform/http/errors';
import type { Frame } from '../platform/pages/view';
import type { MessageKey } from '../platform/pages/i18n';
import { queryString, type Form, type Page, type PagesKit } from '../platform/pages/kit';
import { CASE_STATUSES } from './case.messages';
import { ANSWERS, VECTOR_FORMATS, caseActions } from './cases.rules';
import { zonedInstant } from '../domain/calendar';

/** West and east halves of an area's bounding box: a starting point for splitting a case (L13). */
function halves(area: Area) {
  const b = bbox(area);
  const mid = Math.round((b.minE + b.maxE) / 2);
  const box = (w: number, e: number) => ({
    type: 'Polygon',
    coordinates: [
      [
        [w, b.minN],
        [e, b.minN],
        [e, b.maxN],
        [w, b.maxN],
        [w, b.minN],
      ],
    ],
  });
  return [box(b.minE, mid), box(mid, b.maxE)];
}

/** A `datetime-local` field's value read as Stockholm time (T4), as an ISO instant; the API refuses what is not one. */
function stockholmLocal(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  return m ? zonedInstant(m[1]!, Number(m[2]), Number(m[3]), 'Europe/Stockholm').toISOString() : value;
}

interface HistoryItem {
  at: string;
  type: string;
  actor?: string;
  actorRole: string | null;
  data: Record<string, unknown>;
}
/** The facts of a history step worth a glance: dates, answers, fees (excluding VAT, as stated). */
function historyDetail(e: HistoryItem): string {
  const d = e.data;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const fees = Array.isArray(d.fees) ? (d.fees as { code: string }[]).map((f) => f.code).join(', ') : '';
  const parts = [
    d.ownerId && d.answer ? `${str(d.ownerId)}: ${str(d.answer)}` : '',
    d.from && d.to ? `${str(d.from)} → ${str(d.to)}` : str(d.locateDate),
    str(d.handlingDeadline) || str(d.deadline),
    d.express ? 'express' : '',
    fees,
  ];
  return parts.filter(Boolean).join(' · ');
}

const caseCrumbs = (p: Page, lk: string, last?: string): Frame['crumbs'] => [
  { href: '/app/cases', label: p.t('cases.title') },
  last ? { href: `/app/cases/${lk}`, label: lk } : { label: lk },
  ...(last ? [{ label: last }] : []),
];

/**
 * L14–L17: a paid change is quoted first; the confirming form carries the fee back as
 * expectedFeeMinor, and the API refuses it if the fee has changed meanwhile.
 */
const feeFirst = (
  p: Page,
  title: MessageKey,
  confirm: MessageKey,
  quote: { fees: unknown; locateDate?: string },
  action: string,
  hidden: [string, string][],
) => {
  const lk = String(p.req.params.lk);
  p.show(
    'fee-confirm',
    p.t(title),
    {
      lk,
      quote,
      action: `/app/cases/${lk}/${action}`,
      confirm: p.t(confirm),
      hidden: hidden.map(([name, value]) => ({ name, value })),
    },
    caseCrumbs(p, lk, p.t(title)),
  );
};

/** The body of each case form's API call (`/api/v1/cases/:lk/<action>`). */
const casePosts: Record<string, (form: Form) => unknown> = {
  answers: (f) => ({ ownerId: f.ownerId, answer: f.answer, note: f.note || undefined }),
  'locate-done': () => ({}),
  deliver: () => ({}),
  // L18, L7: a handler records a notice or complaint received by e-mail, at a Stockholm local time.
  withdraw: (f) => (f.noticeReceivedAt ? { noticeReceivedAt: stockholmLocal(String(f.noticeReceivedAt)) } : {}),
  'locate/move': (f) => ({ date: f.date, express: f.express === 'true', expectedFeeMinor: Number(f.expectedFeeMinor) }),
  'locate/cancel': (f) => ({ expectedFeeMinor: Number(f.expectedFeeMinor) }),
  'map-only-locate': (f) => ({ ownerId: f.ownerId, expectedFeeMinor: Number(f.expectedFeeMinor) }),
  'add-ons': (f) => ({
    fasterDelivery: f.fasterDelivery === 'true',
    formats: [f.formats ?? []].flat(),
    expectedFeeMinor: Number(f.expectedFeeMinor),
  }),
  complaints: (f) => ({ text: f.text, ...(f.receivedAt ? { receivedAt: stockholmLocal(String(f.receivedAt)) } : {}) }),
  split: (f) => {
    try {
      return { parts: (JSON.parse(String(f.parts ?? '')) as unknown[]).map((workArea) => ({ workArea })) };
    } catch {
      throw new ApiError(
        400,
        'validation_failed',
        'The request is not valid: body.parts: must be a JSON list of GeoJSON polygons',
      );
    }
  },
};

/** A span of time for people, in whole hours and minutes (none when it has run out). */
const timeLeft = (ms: number) =>
  ms > 0 ? `${Math.floor(ms / 3_600_000)} h ${Math.floor((ms % 3_600_000) / 60_000)} min` : null;

/** The registration form's fields as the API's new case (L2): the work area as drawn, uploaded or typed. */
const newCaseBody = (f: Form) => {
  const str = (v: Form[string]) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  return {
    kind: str(f.kind),
    workArea: parseSelectionText(str(f.workArea) ?? ''),
    digStart: str(f.digStart),
    desiredLocateDate: f.kind === 'locate' ? str(f.desiredLocateDate) : undefined,
    express: f.kind === 'locate' && f.express === 'true',
    acceptTerms: f.acceptTerms === 'true',
    termsVersion: str(f.termsVersion),
  };
};

/** Locate, planning and survey cases (L1–L18): the list, one case with what the user may do on it, fees first. */
export function casePages(kit: PagesKit, deps: { basemapXyzUrl?: string } = {}) {
  const showNewCase = (p: Page, values: Form, error?: ApiError) => {
    if (error) p.res.status(error.status);
    p.show('case-new', p.t('caseNew.title'), { values, error, basemapXyzUrl: deps.basemapXyzUrl }, [
      { href: '/app/cases', label: p.t('cases.title') },
      { label: p.t('caseNew.title') },
    ]);
  };
  // L2: the work area on the same map as orders, the dates, and the case's kind.
  kit.get('/cases/new', async (p) => {
    showNewCase(p, { kind: queryString(p.req.query.kind) ?? 'locate' });
  });
  kit.post('/cases/new/edit', async (p) => {
    showNewCase(p, p.fields());
  });
  // L3, L10, L12: the order time, deadline, owners and fees of the form as it stands, from the API's quote.
  kit.post('/cases/new/quote', async (p) => {
    try {
      const quote = await p.api('post', '/api/v1/cases/quote', { body: newCaseBody(p.fields()) });
      p.fragment('case-quote', { quote });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      p.res.status(err.status);
      p.fragment('case-quote', { error: err });
    }
  });
  // L1: the deadline and fees again, and the terms to accept; registering answers the LK number at once (L4).
  kit.post('/cases/new', async (p) => {
    const form = p.fields();
    try {
      const quote = await p.api('post', '/api/v1/cases/quote', { body: newCaseBody(form) });
      const terms = await p.api('get', '/api/v1/terms/current');
      p.show(
        'case-confirm',
        p.t('caseConfirm.title'),
        {
          quote,
          form,
          kindLabel: p.t(`caseKind.${String(form.kind) as 'locate'}`),
          terms,
          hidden: Object.entries(form)
            .filter(([name, v]) => typeof v === 'string' && name !== 'acceptTerms')
            .map(([name, value]) => ({ name, value })),
        },
        [{ href: '/app/cases', label: p.t('cases.title') }, { label: p.t('caseConfirm.title') }],
      );
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      showNewCase(p, form, err);
    }
  });
  kit.post('/cases/new/register', async (p) => {
    const registered = await p.api('post', '/api/v1/cases', { body: newCaseBody(p.fields()) });
    p.done(`/app/cases/${registered.lk}`);
  });

  kit.get('/cases', async (p) => {
    const { limit, cursor, pager } = p.paging();
    const status = queryString(p.req.query.status);
    const overdue = p.req.query.overdue === 'true' ? 'true' : undefined;
    const list = await p.api('get', '/api/v1/cases', { query: { status, overdue, limit, cursor } });
    p.show(
      'cases',
      p.t('cases.title'),
      {
        items: list.items,
        pager: pager(list.items.length, list.next),
        statuses: CASE_STATUSES,
        status,
        overdue,
        overdueFilter: true,
      },
      [{ label: p.t('cases.title') }],
    );
  });

  // Handlers' search over cases and orders (issue 18), a page at a time by the API's cursor.
  kit.get('/search', async (p) => {
    const fields = ['q', 'ownerId', 'from', 'to', 'point', 'cursor'] as const;
    const query = Object.fromEntries(
      fields.map((f) => [f, queryString(p.req.query[f]) || undefined]).filter(([, v]) => v !== undefined),
    ) as Partial<Record<(typeof fields)[number], string>>;
    const searched = Object.keys(query).length > 0;
    const result = searched ? await p.api('get', '/api/v1/search', { query: { ...query, limit: 50 } }) : { items: [] };
    const next = result.next
      ? `/app/search?${new URLSearchParams({ ...query, cursor: result.next as string }).toString()}`
      : null;
    p.show(
      'search',
      p.t('search.title'),
      {
        query,
        next,
        items: result.items.map((h: { type: string; ref: string }) => ({
          ...h,
          link: h.type === 'case' ? `/app/cases/${h.ref}` : `/app/orders/${h.ref}`,
        })),
      },
      [{ label: p.t('search.title') }],
    );
  });

  kit.get('/cases/:lk', async (p) => {
    const c = await p.api('get', '/api/v1/cases/:lk', { params: p.req.params });
    const actions = caseActions(c, p.principal.role);
    p.show(
      'case',
      `${p.t('cases.case')} ${c.lk}`,
      {
        c,
        actions,
        answers: ANSWERS,
        splitParts: JSON.stringify(halves(c.workArea)),
        vectorFormats: VECTOR_FORMATS,
        mapOnlyOwners: c.owners.filter((o: { id: string }) => actions.mapOnlyLocate.includes(o.id)),
        hasPdf: c.kind === 'planning' && c.status === 'delivered',
        // L18: the time left to withdraw, counted from the registration.
        withdrawLeft: actions.withdraw
          ? timeLeft(new Date(c.registeredAt).getTime() + 48 * 3_600_000 - Date.now())
          : null,
        principalRole: p.principal.role,
        history: c.history.map((e: HistoryItem) => ({
          at: e.at,
          label: p.t(`caseEvent.${e.type}` as MessageKey),
          detail: historyDetail(e),
          who: e.actorRole === 'system' ? 'Kartkontor' : [e.actorRole, e.actor].filter(Boolean).join(' '),
        })),
      },
      caseCrumbs(p, c.lk),
    );
  });

  kit.get('/cases/:lk/move', async (p) => {
    const express = p.req.query.express === 'true' ? 'true' : 'false';
    const quote = await p.api('get', '/api/v1/cases/:lk/locate/quote', {
      params: p.req.params,
      query: { date: queryString(p.req.query.date) ?? '', express },
    });
    feeFirst(p, 'cases.move', 'cases.confirmMove', quote, 'locate/move', [
      ['date', quote.locateDate],
      ['express', String(quote.express)],
    ]);
  });
  kit.get('/cases/:lk/cancel', async (p) => {
    const quote = await p.api('get', '/api/v1/cases/:lk/locate/quote', { params: p.req.params, query: {} });
    feeFirst(p, 'cases.cancelLocate', 'cases.confirmCancel', quote, 'locate/cancel', []);
  });
  // Without expectedFeeMinor these API routes only answer the fee.
  kit.get('/cases/:lk/map-only-locate', async (p) => {
    const ownerId = queryString(p.req.query.ownerId) ?? '';
    const quote = await p.api('post', '/api/v1/cases/:lk/map-only-locate', { params: p.req.params, body: { ownerId } });
    feeFirst(p, 'cases.mapOnlyLocate', 'cases.confirmOrder', quote, 'map-only-locate', [['ownerId', ownerId]]);
  });
  kit.get('/cases/:lk/add-ons', async (p) => {
    const fasterDelivery = p.req.query.fasterDelivery === 'true';
    const formats = [p.req.query.formats ?? []].flat().map(String);
    const quote = await p.api('post', '/api/v1/cases/:lk/add-ons', {
      params: p.req.params,
      body: { fasterDelivery, formats },
    });
    feeFirst(p, 'cases.addOns', 'cases.confirmOrder', quote, 'add-ons', [
      ['fasterDelivery', String(fasterDelivery)],
      ...formats.map((f): [string, string] => ['formats', f]),
    ]);
  });

  const back = (p: Page) => `/app/cases/${encodeURIComponent(String(p.req.params.lk))}`;
  for (const [action, body] of Object.entries(casePosts))
    kit.form(`/cases/:lk/${action}`, `/api/v1/cases/:lk/${action}`, { back, body });
  kit.form('/cases/:lk/complaints/:complaintId/response', '/api/v1/cases/:lk/complaints/:complaintId/response', {
    back,
  });
}
