import type { IsoDate } from '../domain/calendar';
import type { Db } from '../platform/db';
import type { PriceVersion } from './orders.rules';

interface PriceRow {
  product_id: string;
  valid_from: IsoDate;
  price_per_km2_minor: number | string;
  minimum_fee_minor: number | string;
  annual_fee_minor: number | string | null;
}

const sek = (minor: number | string) => ({ minor: Number(minor), currency: 'SEK' as const });
const present = (v: PriceRow): PriceVersion => ({
  productId: v.product_id,
  validFrom: v.valid_from,
  pricePerKm2: sek(v.price_per_km2_minor),
  minimumFee: sek(v.minimum_fee_minor),
  annualFee: v.annual_fee_minor === null ? null : sek(v.annual_fee_minor),
});

/** T3: every geodata price-list version of a product, newest first. */
export async function productPriceVersions(db: Db, productId: string): Promise<PriceVersion[]> {
  const rows: PriceRow[] = await db('price_list').where({ product_id: productId }).orderBy('valid_from', 'desc');
  return rows.map(present);
}

/** T3: per product, the version in force on `date` (the latest valid from it or earlier). */
export async function priceVersionsOn(db: Db, date: IsoDate): Promise<PriceVersion[]> {
  const rows: PriceRow[] = await db('price_list')
    .distinctOn('product_id')
    .where('valid_from', '<=', date)
    .orderBy([{ column: 'product_id' }, { column: 'valid_from', order: 'desc' }]);
  return rows.map(present);
}

/** A new version; the table refuses to change it afterwards (migration 121). */
export async function insertPriceVersion(db: Db, v: PriceVersion): Promise<void> {
  await db('price_list').insert({
    product_id: v.productId,
    valid_from: v.validFrom,
    price_per_km2_minor: v.pricePerKm2.minor,
    minimum_fee_minor: v.minimumFee.minor,
    annual_fee_minor: v.annualFee?.minor ?? null,
  });
}
