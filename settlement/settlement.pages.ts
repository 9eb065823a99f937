import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { queryString, type Page, type PagesKit } from '../platform/pages/kit';
import { listUsers } from '../identity/users.store';
import { INPUT_TYPES } from './rules/csv';
import { SETTLEMENT_STATUSES } from './settlement.messages';

interface SettlementRow {
  year: number;
  status: string;
  booksClosedBy: string | null;
  computedBy: string | null;
  latestVersion: number | null;
}

/** The yearly royalty settlement (M1–M6): the years, one year's statement and what finance does with it. */
export function settlementPages(kit: PagesKit, deps: { db: Db }) {
  kit.get('/settlements', async (p) => {
    // One row per year: the API gives them all, and one page shows them all.
    const { pager } = p.paging();
    const status = queryString(p.req.query.status);
    const years = (await p.api<SettlementRow[]>('get', '/api/v1/settlements')).filter(
      (y) => !status || y.status === status,
    );
    p.show(
      'settlements',
      p.t('settlements.title'),
      {
        items: years,
        pager: pager(years.length, null),
        statuses: SETTLEMENT_STATUSES,
        status,
        year: new Date().getFullYear() - 1,
        canRun: p.principal.role === 'finance',
      },
      [{ label: p.t('settlements.title') }],
    );
  });
  kit.form('/settlements/run', '/api/v1/settlements/:year/run', {
    params: (p) => ({ year: p.fields().year }),
    body: () => undefined,
    back: (p) => `/app/settlements/${encodeURIComponent(String(p.fields().year))}`,
  });

  kit.get('/settlements/:year', async (p) => {
    const year = Number(p.req.params.year);
    // A run just started has no settlement row for a moment; the inputs can be uploaded meanwhile.
    const version = queryString(p.req.query.version);
    const statement = await p
      .api('get', '/api/v1/settlements/:year', { params: p.req.params, query: { version } })
      .catch((err) => {
        if (err instanceof ApiError && err.code === 'not_found')
          return { year, status: null, revenue: [], pools: null, lines: [] };
        throw err;
      });
    const row = (await p.api<SettlementRow[]>('get', '/api/v1/settlements')).find((s) => s.year === statement.year);
    const emails = new Map((await listUsers(deps.db)).map((u) => [u.id, u.email]));
    const finance = p.principal.role === 'finance';
    const ranIt = row?.computedBy === p.principal.id;
    p.show(
      'settlement',
      `${p.t('settlements.statement')} ${statement.year}`,
      {
        s: statement,
        inputTypes: INPUT_TYPES,
        booksClosedBy: row?.booksClosedBy ? (emails.get(row.booksClosedBy) ?? row.booksClosedBy) : null,
        computedBy: row?.computedBy ? (emails.get(row.computedBy) ?? row.computedBy) : null,
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
  });
  const back = (p: Page) => `/app/settlements/${encodeURIComponent(String(p.req.params.year))}`;
  kit.form('/settlements/:year/imports/:type', '/api/v1/settlements/:year/imports/:type', {
    body: (form) => form.file ?? '',
    back,
  });
  for (const action of ['close-books', 'recompute', 'approve', 'corrections'])
    kit.form(`/settlements/:year/${action}`, `/api/v1/settlements/:year/${action}`, { back });
}
