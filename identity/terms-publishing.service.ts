import { z } from 'zod';
import { stockholmDate, zonedInstant } from '../domain/calendar';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.store';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { isoDate } from '../platform/http/schemas';
import { insertTermsVersion, upcomingTermsVersions } from './terms.store';

const text = z.object({ title: z.string().trim().min(1).max(200), body: z.string().trim().min(1).max(100_000) });
/** Issue 21 (A2, L1): a new version of the terms, both languages, in force from a future date. */
export const newTermsVersionSchema = z.object({
  version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.-]{0,39}$/, 'must be a short name like 2027-1'),
  validFrom: isoDate,
  texts: z.object({ sv: text, en: text }),
  reason: z.string().trim().min(3, 'say why, in a few words').max(500),
});
export type NewTermsVersionInput = z.input<typeof newTermsVersionSchema>;

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

/** Issue 21: staff publish terms versions ahead; customers accept the version in force (`termsToAccept`). */
export function createTermsPublishing(deps: { db: Db }) {
  const { db } = deps;
  return {
    /**
     * Publishes a version in force from 00:00 Stockholm time on a date after today: a customer
     * reading the terms today accepts today's, and earlier versions stay published at their URLs.
     */
    async publish(input: NewTermsVersionInput, actor: Actor, now = new Date()) {
      const v = newTermsVersionSchema.parse(input);
      if (v.validFrom <= stockholmDate(now))
        throw new ApiError(
          422,
          'valid_from_not_in_future',
          `A new terms version must come into force after today; ${v.validFrom} does not`,
        );
      const publishedAt = zonedInstant(v.validFrom, 0, 0, 'Europe/Stockholm');
      try {
        await db.transaction(async (trx) => {
          await insertTermsVersion(trx, { version: v.version, published_at: publishedAt }, [
            { language: 'sv', ...v.texts.sv },
            { language: 'en', ...v.texts.en },
          ]);
          await appendAudit(trx, {
            ...actor,
            action: 'terms.published',
            objectType: 'terms',
            objectId: v.version,
            details: { reason: v.reason, validFrom: v.validFrom },
          });
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw new ApiError(
            409,
            'version_exists',
            `Terms version ${v.version} exists; a published version never changes`,
          );
        throw err;
      }
      return {
        version: v.version,
        validFrom: v.validFrom,
        inForceFrom: publishedAt,
        url: `/api/v1/terms/${encodeURIComponent(v.version)}`,
      };
    },

    async upcoming(now = new Date()) {
      return (await upcomingTermsVersions(db, now)).map((t) => ({
        version: t.version,
        inForceFrom: t.published_at,
        url: `/api/v1/terms/${encodeURIComponent(t.version)}`,
      }));
    },
  };
}
export type TermsPublishing = ReturnType<typeof createTermsPublishing>;
