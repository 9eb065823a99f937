import crypto from 'node:crypto';
import { z } from 'zod';
import { ACCOUNT_ACCESS } from '../identity/account-roles';
import type { Db } from '../platform/db';
import { appendAudit } from '../platform/audit/audit.store';
import {
  accountBalance,
  creditInvoice,
  CreditRefused,
  getInvoice,
  INVOICE_LIST_KEYS,
  listInvoices,
  markInvoicePaid,
  openAmounts,
  type InvoiceLineRow,
  type InvoiceRow,
} from './invoices.store';
import { stockholmDate } from '../domain/calendar';
import { accountScope, assertVisible } from '../identity/auth';
import { ApiError, conflict, notFound } from '../platform/http/errors';
import { defineRoute, paging, readCursor, writeCursor } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';
import { invoiceDocument, type Seller } from './invoice-document';

const money = (minor: number, currency: string) => ({ minor, currency });

/** Invoices in the API's money shape (T1): every amount is `{ minor, currency }`. */
function present(row: InvoiceRow & { lines?: InvoiceLineRow[] }, openMinor?: number) {
  return {
    id: row.id,
    number: row.number,
    accountId: row.account_id,
    kind: row.kind,
    date: row.invoice_date,
    supplyDate: row.supply_date,
    dueDate: row.due_date,
    status: row.status,
    paidAt: row.paid_at,
    reference: row.reference,
    creditsInvoiceId: row.credits_invoice_id,
    creditReason: row.credit_reason,
    ocr: row.ocr,
    net: money(row.net_minor, row.currency),
    vat: money(row.vat_minor, row.currency),
    total: money(row.total_minor, row.currency),
    /** T8, T9: what is still to pay (an invoice's total less its credit notes and payments). */
    ...(openMinor === undefined || row.kind !== 'invoice' ? {} : { open: money(openMinor, row.currency) }),
    lines: row.lines?.map((l) => ({
      position: l.position,
      ...(l.credits_position ? { creditsPosition: l.credits_position } : {}),
      description: l.description,
      quantity: l.quantity,
      unitPrice: money(l.unit_price_minor, row.currency),
      net: money(l.net_minor, row.currency),
      vatPercent: l.vat_percent,
      vat: money(l.vat_minor, row.currency),
      total: money(l.total_minor, row.currency),
    })),
  };
}

const idParams = z.object({ id: z.uuid() });

/** `onPaid` tells whoever waits for a payment (a subscription's dunning, G8): invoicing knows no orders. */
export function invoiceRoutes(deps: { db: Db; seller: Seller; onPaid: (invoiceId: string) => Promise<void> }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/invoices',
      tag: 'invoices',
      summary: "List invoices: a customer sees its own account's, finance and admins all",
      auth: ['customer', 'finance', 'admin'],
      accountRoles: ACCOUNT_ACCESS.invoices,
      query: z.object({ status: z.enum(['paid', 'unpaid', 'credited']).optional(), ...paging }),
      handler: async ({ query, principal }) => {
        const { items, next } = await listInvoices(deps.db, {
          ...query,
          after: readCursor(query.cursor, INVOICE_LIST_KEYS),
          accountId: accountScope(principal),
        });
        const open = await openAmounts(
          deps.db,
          items.map((i) => i.id),
        );
        return {
          body: {
            items: items.map((i, n) => present(i, open[n]!.openMinor)),
            next: writeCursor(next),
            limit: query.limit,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/invoices/:id',
      tag: 'invoices',
      summary: 'One invoice with its lines',
      auth: ['customer', 'finance', 'admin'],
      accountRoles: ACCOUNT_ACCESS.invoices,
      params: idParams,
      handler: async ({ params, principal }) => {
        const invoice = assertVisible(principal, await getInvoice(deps.db, params.id), 'The invoice');
        const [open] = await openAmounts(deps.db, [invoice.id]);
        return { body: present(invoice, open!.openMinor) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invoices/:id/credit',
      tag: 'invoices',
      summary: 'T8: finance credits an invoice wholly or by lines, with a reason: a credit note in the same series',
      auth: ['finance'],
      idempotent: true,
      params: idParams,
      body: z.object({
        reason: z.string().trim().min(1).max(500),
        /** Positions of the lines to credit; every line not yet credited when absent. */
        lines: z.array(z.number().int().min(1)).min(1).max(1000).optional(),
      }),
      successStatus: 201,
      handler: async ({ params, body, principal, req }) => {
        const { creditNote, invoice } = await creditInvoice(deps.db, {
          idempotencyKey: `credit:${params.id}:${req.get('Idempotency-Key') ?? crypto.randomUUID()}`,
          invoiceId: params.id,
          date: stockholmDate(new Date()),
          positions: body.lines,
          reason: body.reason,
        }).catch((err: unknown) => {
          if (!(err instanceof CreditRefused)) throw err;
          if (err.code === 'not_found') throw notFound('The invoice');
          throw new ApiError(err.code === 'unknown_line' ? 422 : 409, err.code, err.message);
        });
        await appendAudit(deps.db, {
          ...auditActor(principal, req),
          action: 'invoice.credited',
          objectType: 'invoice',
          objectId: invoice.id,
          details: {
            creditNoteId: creditNote.id,
            number: creditNote.number,
            lines: body.lines ?? null,
            reason: body.reason,
          },
        });
        // A wholly credited debt is no longer awaited (a subscription's dunning, G8).
        if (invoice.status !== 'unpaid') await deps.onPaid(invoice.id);
        return { body: present((await getInvoice(deps.db, creditNote.id))!) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/balance',
      tag: 'invoices',
      summary: "T8, T9: an account's balance from its invoices, credit notes and payments (a customer: its own)",
      auth: ['customer', 'finance', 'admin'],
      accountRoles: ACCOUNT_ACCESS.invoices,
      query: z.object({ accountId: z.uuid().optional() }),
      handler: async ({ query, principal }) => {
        const accountId = accountScope(principal) ?? query.accountId;
        if (!accountId) throw new ApiError(422, 'account_required', 'Staff name the account: ?accountId=');
        if (query.accountId && query.accountId !== accountId) throw notFound('The account');
        const balances = await accountBalance(deps.db, accountId);
        return {
          body: {
            accountId,
            balances: balances.map((b) => ({
              invoiced: money(b.invoicedMinor, b.currency),
              credited: money(b.creditedMinor, b.currency),
              paid: money(b.paidMinor, b.currency),
              balance: money(b.balanceMinor, b.currency),
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/invoices/:id/document',
      tag: 'invoices',
      summary: "T6, T8: the invoice's or credit note's PDF, in the customer's language (the one e-mailed)",
      auth: ['customer', 'finance', 'admin'],
      accountRoles: ACCOUNT_ACCESS.invoices,
      params: idParams,
      handler: async ({ params, principal, res }) => {
        const invoice = assertVisible(principal, await getInvoice(deps.db, params.id), 'The invoice');
        const pdf = await invoiceDocument(deps.db, deps.seller, invoice);
        res.type('application/pdf').attachment(`${invoice.number}.pdf`).send(pdf);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invoices/:id/paid',
      tag: 'invoices',
      summary: 'Finance marks an invoice paid; a suspended subscription (G8) takes new extracts again',
      auth: ['finance'],
      params: idParams,
      handler: async ({ params, principal, req }) => {
        const invoice = await getInvoice(deps.db, params.id);
        if (!invoice) throw notFound('The invoice');
        if (!(await markInvoicePaid(deps.db, params.id, new Date(), principal.id)))
          throw conflict('already_paid', `Invoice ${invoice.number} is already ${invoice.status}`);
        await appendAudit(deps.db, {
          ...auditActor(principal, req),
          action: 'invoice.paid',
          objectType: 'invoice',
          objectId: params.id,
        });
        await deps.onPaid(params.id);
        return { body: present((await getInvoice(deps.db, params.id))!) };
      },
    }),
  ];
}
