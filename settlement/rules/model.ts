/**
 * The inputs of a year's royalty settlement (M2–M5), as the calculation receives them from
 * the imports and the ledger. Plain JSON data, so a frozen statement can keep them verbatim.
 */
export const REVENUE_CATEGORIES = [
  'usage_fee',
  'copy_permit',
  'publication_permit',
  'address_search',
  'address_register_cost',
] as const;
export type RevenueCategory = (typeof REVENUE_CATEGORIES)[number];

export interface MapDataset {
  providerId: string;
  datasetId: string;
  /** Decimal text as imported ("1234.5"); parsed exactly, never as a float. */
  areaKm2: string;
  scaleDenominator: number;
  /** ISO date "YYYY-MM-DD", inclusive. */
  inServiceFrom: string;
  /** Inclusive; null = still in service. */
  inServiceTo: string | null;
}

/**
 * M2, M5: a provider's map material at one scale, summed: the datasets in service during the
 * year, and the sum of area km² × days in service over them (exact decimal text). The weight
 * is linear in it, so a million datasets reduce to a few sums per provider without rounding.
 */
export interface MapMaterialSum {
  providerId: string;
  scaleDenominator: number;
  datasets: number;
  areaKm2Days: string;
}

export interface AddressMaterial {
  providerId: string;
  addresses: number;
}

export interface RevenueEntry {
  category: RevenueCategory;
  /** EUR cents (T1). */
  amountCents: number;
  /** Imported from a CSV file, or booked by this system's own invoicing. */
  source: 'import' | 'ledger';
}

export interface SettlementInput {
  year: number;
  providerIds: string[];
  mapMaterial: MapMaterialSum[];
  addressMaterial: AddressMaterial[];
  revenue: RevenueEntry[];
}

/**
 * Ids are ordered by UTF-16 code units (plain `<`), not by locale: the order, and with it
 * who gets a tie-broken cent, must not depend on the machine's locale (M6).
 */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
