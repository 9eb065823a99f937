import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../platform/db';
import { auditActor } from '../platform/audit/actor';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { uploadedFile, type Upload } from '../platform/http/upload';
import { BgMaxError, parseBgMax } from './bgmax';
import { importBgMax, matchPayment, PaymentRefused, unmatchedPayments, type PaymentRow } from './payments.store';
import type { Seller } from './invoice-document';

/** A BgMax file: the body as text/plain, or the multipart field `file`. */
const BGMAX_UPLOAD: Upload = { mediaType: 'text/plain', multipartField: 'file' };
const MAX_BGMAX_BYTES = 20 * 1_048_576;

const money = (minor: number, currency: string) => ({ minor, currency });

function present(p: PaymentRow) {
  return {
    id: p.id,
    source: p.source,
    invoiceId: p.invoice_id,
    amount: money(Number(p.amount_minor), p.currency),
    reference: p.reference,
    payer: p.payer,
    paidOn: p.paid_on,
    fileId: p.bgmax_file_id,
    fileRow: p.file_row,
    matchedAt: p.matched_at,
  };
}

const refused = (err: unknown): never => {
  if (!(err instanceof PaymentRefused)) throw err;
  if (err.code === 'not_found') throw new ApiError(404, 'not_found', err.message);
  throw new ApiError(
    err.code === 'already_imported' || err.code === 'already_matched' ? 409 : 422,
    err.code,
    err.message,
  );
};

/** Keyset cursor of the unmatched queue: the last payment's time and id, opaque to clients. */
const writeCursor = (p: PaymentRow) =>
  Buffer.from(JSON.stringify([p.created_at.toISOString(), p.id])).toString('base64url');
function readCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof at === 'string' &&
      typeof id === 'string' &&
      z.uuid().safeParse(id).success &&
      !Number.isNaN(Date.parse(at))
    )
      return { at: new Date(at), id };
  } catch {
    // Falls through to the refusal below.
  }
  throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this list gave; start again without it');
}

/** T9: incoming payments: BgMax files from Bankgirot, the queue of unmatched payments, matching by hand. */
export function paymentRoutes(deps: { db: Db; seller: Seller; onPaid: (invoiceId: string) => Promise<void> }) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/payments/bgmax',
      tag: 'payments',
      summary:
        "T9: import Bankgirot's BgMax file (text/plain body or multipart field `file`): payments matched by OCR reference; the rest wait unmatched; bad rows reported",
      auth: ['finance'],
      // No Idempotency-Key: the same file twice is refused by its SHA-256.
      upload: BGMAX_UPLOAD,
      successStatus: 201,
      handler: async ({ principal, req }) => {
        const { data } = await uploadedFile(req, BGMAX_UPLOAD, MAX_BGMAX_BYTES);
        let file;
        try {
          // Bankgirot writes BgMax in ISO 8859-1.
          file = parseBgMax(data.toString('latin1'));
        } catch (err) {
          if (err instanceof BgMaxError) throw new ApiError(422, 'bgmax_invalid', err.message);
          throw err;
        }
        const ours = deps.seller.bankgiro.replace(/\D/g, '');
        if (file.bankgiro && file.bankgiro !== ours)
          throw new ApiError(
            422,
            'wrong_bankgiro',
            `The file is for bankgiro ${file.bankgiro}, not ours (${deps.seller.bankgiro})`,
          );
        const imported = await importBgMax(deps.db, file, {
          sha256: crypto.createHash('sha256').update(data).digest('hex'),
          actor: auditActor(principal, req),
        }).catch(refused);
        // A paid debt is no longer awaited (a subscription's dunning, G8).
        for (const id of imported.paidInvoices) await deps.onPaid(id);
        return {
          body: {
            fileId: imported.fileId,
            payments: imported.payments.map((p) => ({ ...p, amount: money(p.amountMinor, file.currency) })),
            rowErrors: file.rowErrors,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/payments/unmatched',
      tag: 'payments',
      summary: 'T9: payments no invoice was found for, oldest first (keyset: pass next as cursor)',
      auth: ['finance'],
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
      }),
      handler: async ({ query }) => {
        const items = await unmatchedPayments(deps.db, {
          limit: query.limit,
          after: query.cursor ? readCursor(query.cursor) : undefined,
        });
        const last = items.length === query.limit ? items.at(-1) : undefined;
        return { body: { items: items.map(present), next: last ? writeCursor(last) : null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/payments/:id/match',
      tag: 'payments',
      summary: 'T9: finance matches a waiting payment to an invoice (audited)',
      auth: ['finance'],
      params: z.object({ id: z.uuid() }),
      body: z.object({ invoiceId: z.uuid() }),
      handler: async ({ params, body, principal, req }) => {
        const { payment, invoice, outcome } = await matchPayment(deps.db, {
          paymentId: params.id,
          invoiceId: body.invoiceId,
          actor: auditActor(principal, req),
        }).catch(refused);
        if (invoice.status === 'paid') await deps.onPaid(invoice.id);
        return { body: { ...present(payment), outcome, invoiceStatus: invoice.status } };
      },
    }),
  ];
}
