import { z } from 'zod';
import type { Db } from '../platform/db';
import { defineRoute } from '../platform/http/route';
import { isoDate } from '../platform/http/schemas';
import { stockholmDate } from '../domain/calendar';
import { ledgerVouchers, sieFile, type LedgerAccounts } from './sie';
import type { Seller } from './invoice-document';

/** The ledger export: a period's invoices, credit notes and payments for the accounting system. */
export function ledgerRoutes(deps: { db: Db; seller: Seller; accounts: LedgerAccounts }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/ledger/sie',
      tag: 'invoices',
      summary:
        "A SIE 4 file of a period's invoices, credit notes and matched payments (from–to within one year), one balanced voucher each",
      auth: ['finance', 'admin'],
      query: z
        .object({ from: isoDate, to: isoDate })
        .refine((q) => q.from <= q.to && q.from.slice(0, 4) === q.to.slice(0, 4), {
          message: 'from must not be after to, and both in one financial (calendar) year',
          path: ['to'],
        }),
      handler: async ({ query, res }) => {
        const vouchers = await ledgerVouchers(deps.db, deps.accounts, query.from, query.to);
        const file = sieFile({
          company: deps.seller.name,
          organisationNumber: deps.seller.organisationNumber,
          accounts: deps.accounts,
          from: query.from,
          to: query.to,
          generated: stockholmDate(new Date()),
          vouchers,
        });
        res.type('application/octet-stream').attachment(`kartkontor-${query.from}-${query.to}.se`).send(file);
      },
    }),
  ];
}

/** The ledger accounts as the SIE_ACCOUNT_* settings name them. */
export const ledgerAccountsOf = (config: {
  SIE_ACCOUNT_RECEIVABLES: string;
  SIE_ACCOUNT_BANK: string;
  SIE_ACCOUNT_OUTPUT_VAT: string;
  SIE_ACCOUNT_REVENUE_ORDERS: string;
  SIE_ACCOUNT_REVENUE_CASES: string;
  SIE_ACCOUNT_INTEREST: string;
}): LedgerAccounts => ({
  receivables: config.SIE_ACCOUNT_RECEIVABLES,
  bank: config.SIE_ACCOUNT_BANK,
  outputVat25: config.SIE_ACCOUNT_OUTPUT_VAT,
  revenueOrders: config.SIE_ACCOUNT_REVENUE_ORDERS,
  revenueCases: config.SIE_ACCOUNT_REVENUE_CASES,
  interest: config.SIE_ACCOUNT_INTEREST,
});
