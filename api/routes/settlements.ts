import { z } from 'zod';
import type { Db } from '../../db/knex';
import { appendAudit } from '../../db/stores/audit';
import { getProvider, getSettlement, getVersion, ImportRefused, listProviders, replaceImport } from '../../db/stores/settlements';
import { formatCents, type Statement } from '../../domain/settlement/calculate';
import { INPUT_TYPES, readAddressMaterial, readMapMaterial, readProviders, readRevenue, type InputType } from '../../domain/settlement/inputs';
import { workflowIds } from '../../workflows/ids';
import { ApiError, notFound } from '../errors';
import type { WorkflowGateway } from '../temporal';
import { defineRoute } from '../route';
import { auditActor } from './actor';

const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2200) });
const readers = { providers: readProviders, 'map-material': readMapMaterial, 'address-material': readAddressMaterial, revenue: readRevenue } satisfies Record<InputType, unknown>;
const eur = (minor: number) => ({ minor, currency: 'EUR' as const });

/** The statement in the API's shape (issue 6), money as `{ minor, currency }`. */
function present(year: number, version: number | null, status: string, inputsSha256: string | null, statementSha256: string | null, s: Statement | null) {
  return {
    year,
    version,
    status,
    inputsSha256,
    statementSha256,
    revenue: s?.revenue.map((r) => ({ category: r.category, import: eur(r.importCents), ledger: eur(r.ledgerCents), total: eur(r.totalCents) })) ?? [],
    pools: s
      ? {
          map: { total: eur(s.pools.map.amountCents), undistributedReason: s.pools.map.undistributedReason },
          address: { total: eur(s.pools.address.amountCents), deficit: s.pools.address.amountCents < 0, undistributedReason: s.pools.address.undistributedReason },
        }
      : null,
    lines: s?.lines.map((l) => ({
      providerId: l.providerId,
      pool: l.pool,
      weight: l.pool === 'map' ? l.basis.fraction : null,
      addresses: l.pool === 'address' ? Number(l.basis.fraction) : null,
      share: { fraction: l.share.fraction, percent: l.share.percent },
      amount: eur(l.amountCents),
      trace: l.trace,
    })) ?? [],
  };
}

/** M1–M6: finance imports the inputs, closes the books, recomputes, approves (four eyes) and reads the statement. */
export function settlementRoutes(deps: { db: Db; workflows: WorkflowGateway }) {
  const update = (year: number, name: string, by: string) => deps.workflows.update(workflowIds.settlement(year), name, { by });

  /** The approved version asked for (or the latest), else the draft. */
  async function statementOf(year: number, version?: number) {
    const frozen = await getVersion(deps.db, year, version);
    if (frozen) return { ...present(year, frozen.version, 'approved', frozen.inputs_sha256, frozen.statement_sha256, frozen.statement), statement: frozen.statement };
    if (version) throw notFound(`Version ${version} of the ${year} statement`);
    const s = await getSettlement(deps.db, year);
    if (!s) throw notFound(`The ${year} settlement`);
    return { ...present(year, null, s.status, s.inputs_sha256, s.statement_sha256, s.statement), statement: s.statement };
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/settlements/:year/imports/:type',
      tag: 'settlements',
      summary: 'Import one input file (text/csv) for the year; every bad row is reported by line and nothing is stored',
      auth: ['finance'],
      params: yearParams.extend({ type: z.enum(INPUT_TYPES) }),
      body: z.string({ error: 'send the file as the body with Content-Type: text/csv' }),
      handler: async ({ params, body, principal, req }) => {
        const result = readers[params.type](body);
        if (!result.ok) throw new ApiError(422, 'invalid_rows', `${result.errors.length} problem(s) in the ${params.type} file; nothing was imported`, result.errors);
        try {
          await replaceImport(deps.db, params.year, params.type, result.rows as never, principal.id);
        } catch (err) {
          if (err instanceof ImportRefused) throw new ApiError(err.code === 'settlement_approved' ? 409 : 422, err.code, err.message, err.errors);
          throw err;
        }
        await appendAudit(deps.db, { ...auditActor(principal, req), action: `settlement.import.${params.type}`, objectType: 'settlement', objectId: String(params.year), details: { rows: result.rows.length } });
        return { body: { year: params.year, type: params.type, rows: result.rows.length } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/settlements/:year/run',
      tag: 'settlements',
      summary: 'Start the settlement of a year now (the January schedule does it too)',
      auth: ['finance'],
      params: yearParams,
      successStatus: 202,
      handler: async ({ params, principal }) => {
        await deps.workflows.start('settlement', workflowIds.settlement(params.year), [{ year: params.year, by: principal.id }]);
        return { body: { workflowId: workflowIds.settlement(params.year) } };
      },
    }),
    ...(['close-books', 'recompute', 'approve'] as const).map((action) =>
      defineRoute({
        method: 'post',
        path: `/api/v1/settlements/:year/${action}`,
        tag: 'settlements',
        summary: {
          'close-books': "Mark the year's books closed (M5); the draft statement is computed at once",
          recompute: 'Recompute the draft from the inputs present now',
          approve: 'Approve and freeze the draft; another finance user than the one who ran or recomputed it (four eyes)',
        }[action],
        auth: ['finance'],
        params: yearParams,
        handler: async ({ params, principal }) => ({
          body: await update(params.year, { 'close-books': 'closeBooks', recompute: 'recompute', approve: 'approve' }[action], principal.id),
        }),
      }),
    ),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year',
      tag: 'settlements',
      summary: 'The statement: the draft, or an approved version (?version=, default the latest)',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      handler: async ({ params, query }) => {
        const { statement: _statement, ...body } = await statementOf(params.year, query.version);
        return { body };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/providers/:providerId',
      tag: 'settlements',
      summary: "One provider's lines and the input rows behind them (M6)",
      auth: ['finance', 'admin'],
      params: yearParams.extend({ providerId: z.string().min(1) }),
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      handler: async ({ params, query }) => {
        const provider = await getProvider(deps.db, params.year, params.providerId);
        if (!provider) throw notFound(`Provider ${params.providerId} in ${params.year}`);
        const s = await statementOf(params.year, query.version);
        return { body: { provider, lines: s.lines.filter((l) => l.providerId === params.providerId) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/statement.csv',
      tag: 'settlements',
      summary: 'The statement as CSV (one line per provider and pool)',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      handler: async ({ params, query, res }) => {
        const s = await statementOf(params.year, query.version);
        const rows = ['provider_id,pool,basis,share_percent,amount', ...(s.statement?.lines ?? []).map((l) => [l.providerId, l.pool, l.basis.fraction, l.share.percent, formatCents(l.amountCents)].join(','))];
        res.type('text/csv').attachment(`settlement-${params.year}${s.version ? `-v${s.version}` : '-draft'}.csv`).send(`${rows.join('\n')}\n`);
        return;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/payouts.csv',
      tag: 'settlements',
      summary: 'The payout file of an approved statement: one payment per provider',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      handler: async ({ params, query, res }) => {
        const frozen = await getVersion(deps.db, params.year, query.version);
        if (!frozen) throw new ApiError(409, 'not_approved', `The ${params.year} statement is not approved; there is nothing to pay out yet`);
        const totals = new Map<string, number>();
        for (const l of frozen.statement.lines) totals.set(l.providerId, (totals.get(l.providerId) ?? 0) + l.amountCents);
        const providers = await listProviders(deps.db, params.year);
        const rows = ['provider_id,name,iban,amount,currency,reference', ...providers.filter((p) => totals.get(p.provider_id)).map((p) =>
          [p.provider_id, `"${p.name.replace(/"/g, '""')}"`, p.iban, formatCents(totals.get(p.provider_id)!), 'EUR', `Royalty ${params.year} v${frozen.version}`].join(','))];
        res.type('text/csv').attachment(`payouts-${params.year}-v${frozen.version}.csv`).send(`${rows.join('\n')}\n`);
        return;
      },
    }),
  ];
}
