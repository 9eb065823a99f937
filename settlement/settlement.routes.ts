import { z } from 'zod';
import type { Db } from '../platform/db';
import { appendAudit } from '../platform/audit/audit.store';
import {
  getProvider,
  getSettlement,
  getVersion,
  ImportRefused,
  importInput,
  listPayouts,
  listSettlements,
  providerInputRows,
} from './settlement.store';
import type { SettlementInput, Statement } from './rules/calculate';
import { INPUT_TYPES, readInput } from './rules/csv';
import { pain001, type PayoutBatch } from './rules/payout-file';
import type { Config } from '../platform/config';
import { ApiError, notFound } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { uploadedText, type Upload } from '../platform/http/upload';
import { auditActor } from '../platform/audit/actor';
import { payoutCsv, statementCsv, statementHtml } from './documents.routes';
import { SETTLEMENT_ACTIONS, type SettlementService } from './settlement.service';

const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2200) });
const eur = (minor: number) => ({ minor, currency: 'EUR' as const });
const versionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

const CSV_UPLOAD: Upload = { mediaType: 'text/csv', multipartField: 'file' };

/** The statement in the API's shape (issue 6), money as `{ minor, currency }`. */
function present(
  year: number,
  version: number | null,
  status: string,
  inputsSha256: string | null,
  statementSha256: string | null,
  s: Statement | null,
) {
  return {
    year,
    version,
    status,
    inputsSha256,
    statementSha256,
    revenue:
      s?.revenue.map((r) => ({
        category: r.category,
        import: eur(r.importCents),
        ledger: eur(r.ledgerCents),
        total: eur(r.totalCents),
      })) ?? [],
    pools: s
      ? {
          map: { total: eur(s.pools.map.amountCents), undistributedReason: s.pools.map.undistributedReason },
          address: {
            total: eur(s.pools.address.amountCents),
            deficit: s.pools.address.amountCents < 0 ? eur(-s.pools.address.amountCents) : null,
            undistributedReason: s.pools.address.undistributedReason,
          },
        }
      : null,
    lines:
      s?.lines.map((l) => ({
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
export function settlementRoutes(deps: { db: Db; settlements: SettlementService; config: Config }) {
  /** The version asked for; without one, the draft while there is one (also a correction's), else the latest version. */
  async function statementOf(
    year: number,
    version?: number,
  ): Promise<
    ReturnType<typeof present> & { reason: string | null; statement: Statement | null; inputs: SettlementInput | null }
  > {
    const s = version ? undefined : await getSettlement(deps.db, year);
    if (s && s.status !== 'approved') {
      return {
        ...present(year, null, s.status, s.inputs_sha256, s.statement_sha256, s.statement),
        reason: s.correction_reason,
        statement: s.statement,
        inputs: s.inputs,
      };
    }
    const frozen = await getVersion(deps.db, year, version);
    if (!frozen) throw notFound(version ? `Version ${version} of the ${year} statement` : `The ${year} settlement`);
    return {
      ...present(year, frozen.version, 'approved', frozen.inputs_sha256, frozen.statement_sha256, frozen.statement),
      reason: frozen.reason,
      statement: frozen.statement,
      inputs: frozen.inputs,
    };
  }

  async function payoutBatch(year: number, version?: number): Promise<PayoutBatch> {
    const frozen = await getVersion(deps.db, year, version);
    if (!frozen)
      throw new ApiError(
        409,
        'not_approved',
        `The ${year} statement${version ? ` version ${version}` : ''} is not approved; there is nothing to pay out`,
      );
    const payouts = await listPayouts(deps.db, year, frozen.version);
    return {
      year,
      version: frozen.version,
      approvedAt: frozen.approved_at.toISOString(),
      payments: payouts.map((p) => ({
        providerId: p.provider_id,
        name: p.name,
        iban: p.iban,
        amountCents: p.amount_cents,
      })),
    };
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/settlements/:year/imports/:type',
      tag: 'settlements',
      summary:
        'Import one input file (text/csv body or multipart field `file`) for the year, replacing the previous one; every bad row is reported by line and nothing is stored',
      auth: ['finance'],
      // No Idempotency-Key: a repeated import replaces the rows with the same rows, and hashing a large file for the key would cost more.
      params: yearParams.extend({ type: z.enum(INPUT_TYPES) }),
      upload: CSV_UPLOAD,
      handler: async ({ params, principal, req, body }) => {
        // The request stream; or the text a page form already read (the pages run this route with it).
        const text =
          typeof body === 'string'
            ? (async function* () {
                yield body;
              })()
            : uploadedText(req, CSV_UPLOAD);
        let imported;
        try {
          imported = await importInput(deps.db, params.year, params.type, readInput(params.type, text), principal.id);
        } catch (err) {
          if (err instanceof ImportRefused)
            throw new ApiError(err.code === 'settlement_approved' ? 409 : 422, err.code, err.message, err.errors);
          throw err;
        }
        await appendAudit(deps.db, {
          ...auditActor(principal, req),
          action: `settlement.import.${params.type}`,
          objectType: 'settlement',
          objectId: String(params.year),
          details: { rows: imported.rows },
        });
        return { body: { year: params.year, type: params.type, rows: imported.rows } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/settlements/:year/run',
      tag: 'settlements',
      summary: 'Start the settlement of a year now (the January schedule does it too)',
      auth: ['finance'],
      idempotent: true,
      params: yearParams,
      successStatus: 202,
      handler: async ({ params, principal }) => {
        return { body: { workflowId: await deps.settlements.start(params.year, principal.id) } };
      },
    }),
    ...(Object.keys(SETTLEMENT_ACTIONS) as (keyof typeof SETTLEMENT_ACTIONS)[]).map((action) =>
      defineRoute({
        method: 'post',
        path: `/api/v1/settlements/:year/${action}`,
        tag: 'settlements',
        summary: {
          'close-books': "Mark the year's books closed (M5); the draft statement is computed at once",
          recompute: 'Recompute the draft from the inputs present now',
          approve:
            'Approve and freeze the draft; another finance user than the one who ran or recomputed it (four eyes)',
        }[action],
        auth: ['finance'],
        idempotent: true,
        params: yearParams,
        handler: async ({ params, principal }) => ({
          body: await deps.settlements.act(params.year, action, principal.id),
        }),
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/api/v1/settlements/:year/corrections',
      tag: 'settlements',
      summary:
        'Correct an approved statement: drafts a new version with its reason (imports open again); the approved versions stay readable',
      auth: ['finance'],
      idempotent: true,
      params: yearParams,
      body: z.object({ reason: z.string().trim().min(1).max(1000) }),
      handler: async ({ params, body, principal }) => ({
        body: await deps.settlements.correct(params.year, principal.id, body.reason),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements',
      tag: 'settlements',
      summary: "Every year's settlement: status, closed books, the latest approved version",
      auth: ['finance', 'admin'],
      handler: async () => ({
        body: (await listSettlements(deps.db)).map((s) => ({
          year: s.year,
          status: s.status,
          booksClosedAt: s.books_closed_at,
          booksClosedBy: s.books_closed_by,
          computedAt: s.computed_at,
          computedBy: s.computed_by,
          latestVersion: s.version ?? null,
        })),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year',
      tag: 'settlements',
      summary: 'The statement: the current draft, else the latest approved version; ?version= for an earlier one',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: versionQuery,
      handler: async ({ params, query }) => {
        const { statement: _statement, inputs: _inputs, ...body } = await statementOf(params.year, query.version);
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
      query: versionQuery,
      handler: async ({ params, query }) => {
        const provider = await getProvider(deps.db, params.year, params.providerId);
        if (!provider) throw notFound(`Provider ${params.providerId} in ${params.year}`);
        const s = await statementOf(params.year, query.version);
        return {
          body: {
            year: params.year,
            version: s.version,
            status: s.status,
            provider,
            lines: s.lines.filter((l) => l.providerId === params.providerId),
            // M6: the input rows the lines were computed from, as the version keeps them.
            inputs: await providerInputRows(deps.db, params.year, s.version ?? 0, params.providerId),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/statement.csv',
      tag: 'settlements',
      summary: 'The statement as CSV: one row per provider and pool (?version= as for the statement)',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: versionQuery,
      handler: async ({ params, query, res }) => {
        const s = await statementOf(params.year, query.version);
        res
          .type('text/csv')
          .attachment(`settlement-${params.year}-${s.version ? `v${s.version}` : 'draft'}.csv`)
          .send(statementCsv(s.statement));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/statement.html',
      tag: 'settlements',
      summary: 'The statement as a printable page (?version= as for the statement)',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: versionQuery,
      handler: async ({ params, query, res }) => {
        const s = await statementOf(params.year, query.version);
        res.type('html').send(statementHtml(s, s.statement));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/payouts.csv',
      tag: 'settlements',
      summary: 'The payout file of an approved version (default the latest): one payment per provider',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: versionQuery,
      handler: async ({ params, query, res }) => {
        const batch = await payoutBatch(params.year, query.version);
        res.type('text/csv').attachment(`payouts-${params.year}-v${batch.version}.csv`).send(payoutCsv(batch));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settlements/:year/payouts.xml',
      tag: 'settlements',
      summary: 'The payout file of an approved version as an ISO 20022 pain.001.001.03 SEPA credit transfer',
      auth: ['finance', 'admin'],
      params: yearParams,
      query: versionQuery,
      handler: async ({ params, query, res }) => {
        const iban = deps.config.SETTLEMENT_PAYER_IBAN;
        if (!iban)
          throw new ApiError(
            409,
            'payer_account_missing',
            'Set SETTLEMENT_PAYER_IBAN (the account royalties are paid from) to get the pain.001 file',
          );
        const batch = await payoutBatch(params.year, query.version);
        res
          .type('application/xml')
          .attachment(`payouts-${params.year}-v${batch.version}.xml`)
          .send(pain001(batch, { name: deps.config.SETTLEMENT_PAYER_NAME, iban }));
      },
    }),
  ];
}
