import { z } from 'zod';
import type { Db } from '../platform/db';
import { appendAudit } from '../platform/audit/audit.store';
import { auditActor } from '../platform/audit/actor';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { LATE_INTEREST_MARGIN_BASIS_POINTS } from '../domain/interest';
import { addReferenceRate, listReferenceRates, RateExists } from './interest.store';

/** Basis points as a percentage with two decimals: 225 → "2.25", -50 → "-0.50". */
const percent = (bp: number) =>
  `${bp < 0 ? '-' : ''}${Math.floor(Math.abs(bp) / 100)}.${String(Math.abs(bp) % 100).padStart(2, '0')}`;

/** T7: the reference rates finance keeps; late-payment interest is each day's rate plus 8 percentage points. */
export function referenceRateRoutes(deps: { db: Db }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/reference-rates',
      tag: 'invoices',
      summary: 'T7: every version of the reference rate, newest first, with the late-payment interest rate it gives',
      auth: ['finance', 'admin'],
      handler: async () => ({
        body: {
          items: (await listReferenceRates(deps.db)).map((r) => ({
            validFrom: r.validFrom,
            ratePercent: percent(r.basisPoints),
            lateInterestPercent: percent(r.basisPoints + LATE_INTEREST_MARGIN_BASIS_POINTS),
            createdBy: r.createdBy,
          })),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/reference-rates',
      tag: 'invoices',
      summary: 'T7: finance enters the reference rate from a 1 January or 1 July (audited; a version is never changed)',
      auth: ['finance'],
      body: z.object({
        validFrom: z.iso
          .date()
          .refine((d) => /-(01-01|07-01)$/.test(d), 'the reference rate changes on 1 January and 1 July'),
        ratePercent: z
          .string()
          .regex(/^-?\d{1,2}(\.\d{1,2})?$/, 'a percentage with at most two decimals, such as "2.25"'),
      }),
      successStatus: 201,
      handler: async ({ body, principal, req }) => {
        const [whole, fraction = ''] = body.ratePercent.replace('-', '').split('.');
        const basisPoints =
          (body.ratePercent.startsWith('-') ? -1 : 1) * (Number(whole) * 100 + Number(fraction.padEnd(2, '0')));
        try {
          await addReferenceRate(deps.db, { validFrom: body.validFrom, basisPoints }, principal.id);
        } catch (err) {
          if (err instanceof RateExists) throw new ApiError(409, 'rate_exists', err.message);
          throw err;
        }
        await appendAudit(deps.db, {
          ...auditActor(principal, req),
          action: 'reference_rate.added',
          objectType: 'reference_rate',
          objectId: body.validFrom,
          details: { basisPoints },
        });
        return {
          body: {
            validFrom: body.validFrom,
            ratePercent: percent(basisPoints),
            lateInterestPercent: percent(basisPoints + LATE_INTEREST_MARGIN_BASIS_POINTS),
          },
        };
      },
    }),
  ];
}
