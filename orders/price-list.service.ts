import { z } from 'zod';
import { stockholmDate, type IsoDate } from '../domain/calendar';
import { appendAudit, auditHistory, type AuditEntry } from '../platform/audit/audit.store';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { isoDate } from '../platform/http/schemas';
import { getProduct, listProducts } from './orders.store';
import type { PriceVersion } from './orders.rules';
import { insertPriceVersion, priceVersionsOn, productPriceVersions } from './price-list.store';

const minor = z.number().int().min(0).max(1_000_000_000);
/** T3: a geodata price-list version of one product, SEK öre excluding VAT (T1, T2). */
export const newPriceVersionSchema = z.object({
  validFrom: isoDate,
  pricePerKm2Minor: minor,
  minimumFeeMinor: minor,
  /** G8: null when the product cannot be subscribed to while this version applies. */
  annualFeeMinor: minor.nullable(),
  reason: z.string().trim().min(3, 'say why, in a few words').max(500),
});
export type NewPriceVersionInput = z.input<typeof newPriceVersionSchema>;

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

/** Issue 21 (T3): the geodata price list, kept in versions from future dates, every addition audited. */
export function createPriceList(deps: { db: Db }) {
  const { db } = deps;
  const existingProduct = async (id: string) => {
    const product = await getProduct(db, id);
    if (!product) throw new ApiError(404, 'not_found', `No product ${id} in the catalogue`);
    return product;
  };
  return {
    /**
     * Adds a version from a date after today: orders are priced from the version in force on their
     * day and keep it (T3), so no version may start on a day something was already quoted.
     */
    async add(productId: string, input: NewPriceVersionInput, actor: Actor, now = new Date()): Promise<PriceVersion> {
      const v = newPriceVersionSchema.parse(input);
      await existingProduct(productId);
      if (v.validFrom <= stockholmDate(now))
        throw new ApiError(
          422,
          'valid_from_not_in_future',
          `A new price list must start after today; ${v.validFrom} is not`,
        );
      const version: PriceVersion = {
        productId,
        validFrom: v.validFrom,
        pricePerKm2: { minor: v.pricePerKm2Minor, currency: 'SEK' },
        minimumFee: { minor: v.minimumFeeMinor, currency: 'SEK' },
        annualFee: v.annualFeeMinor === null ? null : { minor: v.annualFeeMinor, currency: 'SEK' },
      };
      try {
        await db.transaction(async (trx) => {
          await insertPriceVersion(trx, version);
          await appendAudit(trx, {
            ...actor,
            action: 'product.price_version_added',
            objectType: 'product',
            objectId: productId,
            details: { reason: v.reason, version },
          });
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw new ApiError(
            409,
            'version_exists',
            `${productId} already has a price list from ${v.validFrom}; its prices do not change`,
          );
        throw err;
      }
      return version;
    },

    async versions(productId: string) {
      await existingProduct(productId);
      return productPriceVersions(db, productId);
    },

    /** What is in force on a date, per product of the catalogue (a product without a version then has none). */
    async on(date: IsoDate) {
      const [products, versions] = await Promise.all([listProducts(db), priceVersionsOn(db, date)]);
      return products.map((p) => ({
        productId: p.id,
        name: { sv: p.name_sv, en: p.name_en },
        openData: p.open_data,
        price: versions.find((v) => v.productId === p.id) ?? null,
      }));
    },

    /** The product's history from the audit log: who changed what, when and why. */
    async history(productId: string) {
      await existingProduct(productId);
      return auditHistory(db, 'product', productId);
    },
  };
}
export type PriceList = ReturnType<typeof createPriceList>;
