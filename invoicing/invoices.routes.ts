import { z } from 'zod';
import { ACCOUNT_ACCESS } from '../identity/account-roles';
import type { Db } from '../platform/db';
import { appendAudit } from '../platform/audit/audit.store';
import { getInvoice, listInvoices, markInvoicePaid, type InvoiceLineRow, type InvoiceRow } from './invoices.store';
import { accountScope, assertVisible } from '../identity/auth';
import { conflict, notFound } from '../platform/http/errors';
import { defineRoute, paging } from '../platform/http/route';
import { auditActor } from '../platform/audit/actor';
import { invoiceDocument, type Seller } from './invoice-document';

const money = (minor: number, currency: string) => ({ minor, currency });

/** Invoices in the API's money shape (T1): every amount is `{ minor, currency }`. */
function present(row: InvoiceRow & { lines?: InvoiceLineRow[] }) {
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
    lines: row.lines?.map((l) => ({
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
      query: z.object({ status: z.enum(['paid', 'unpaid']).optional(), ...paging }),
      handler: async ({ query, principal }) => {
        const { items, total } = await listInvoices(deps.db, { ...query, accountId: accountScope(principal) });
        return { body: { items: items.map(present), total, limit: query.limit, offset: query.offset } };
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
      handler: async ({ params, principal }) => ({
        body: present(assertVisible(principal, await getInvoice(deps.db, params.id), 'The invoice')),
      }),
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
        if (!(await markInvoicePaid(deps.db, params.id, new Date())))
          throw conflict('already_paid', `Invoice ${invoice.number} is already paid`);
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
