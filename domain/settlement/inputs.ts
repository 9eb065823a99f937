/**
 * The settlement's CSV inputs (issue: providers, map material, address material, revenue):
 * each file is validated as a whole, and every bad row is reported with its line number.
 */
import { parseIsoDate } from '../calendar';
import { parseCsv } from '../csv';
import { parseDecimal } from '../fraction';
import { REVENUE_CATEGORIES, type AddressMaterial, type MapDataset, type RevenueCategory } from './calculate';

export interface Provider {
  providerId: string;
  name: string;
  businessId: string;
  iban: string;
  email: string;
  language: 'fi' | 'sv' | 'en';
}

export interface RevenueRow {
  category: RevenueCategory;
  amountCents: number;
}

export interface InputError {
  line: number;
  column?: string;
  message: string;
}

/** Rows keep the file line they came from, so later checks (unknown providers) can name it. */
export type ImportResult<T> = { ok: true; rows: (T & { line: number })[] } | { ok: false; errors: InputError[] };

export const INPUT_TYPES = ['providers', 'map-material', 'address-material', 'revenue'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

const COLUMNS: Record<InputType, string[]> = {
  providers: ['provider_id', 'name', 'business_id', 'iban', 'email', 'language'],
  'map-material': ['provider_id', 'dataset_id', 'area_km2', 'scale_denominator', 'in_service_from', 'in_service_to'],
  'address-material': ['provider_id', 'addresses'],
  revenue: ['category', 'amount'],
};

/** Finnish business id (Y-tunnus) 1234567-8: weights 7,9,10,5,8,4,2; check = 11 − sum mod 11 (0 when the remainder is 0; 1 is never valid). */
export function isBusinessId(id: string): boolean {
  const m = /^(\d{7})-(\d)$/.exec(id);
  if (!m) return false;
  const sum = [7, 9, 10, 5, 8, 4, 2].reduce((s, w, i) => s + w * Number(m[1]![i]), 0);
  const rest = sum % 11;
  if (rest === 1) return false;
  return Number(m[2]) === (rest === 0 ? 0 : 11 - rest);
}

/** IBAN by ISO 13616: country letters, two check digits, mod 97 = 1. */
export function isIban(text: string): boolean {
  const iban = text.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1;
}

type RowReader<T> = (get: (column: string) => string, fail: (column: string, message: string) => void) => T | undefined;

function readFile<T>(type: InputType, text: string, read: RowReader<T>, unique?: (row: T) => string): ImportResult<T> {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    return { ok: false, errors: [{ line: 1, message: (err as Error).message }] };
  }
  const expected = COLUMNS[type];
  const header = records[0]?.fields.map((f) => f.trim());
  if (!header || header.join(',') !== expected.join(',')) {
    return { ok: false, errors: [{ line: 1, message: `the header must be exactly: ${expected.join(',')}` }] };
  }
  if (records.length === 1) return { ok: false, errors: [{ line: 2, message: 'the file has no data rows' }] };
  const errors: InputError[] = [];
  const rows: (T & { line: number })[] = [];
  const seen = new Map<string, number>();
  for (const record of records.slice(1)) {
    if (record.fields.length !== expected.length) {
      errors.push({ line: record.line, message: `expected ${expected.length} fields, found ${record.fields.length}` });
      continue;
    }
    const before = errors.length;
    const row = read(
      (column) => record.fields[expected.indexOf(column)]!.trim(),
      (column, message) => errors.push({ line: record.line, column, message }),
    );
    if (errors.length > before || row === undefined) continue;
    const key = unique?.(row);
    if (key !== undefined) {
      const first = seen.get(key);
      if (first !== undefined) {
        errors.push({ line: record.line, message: `${key} already appears on line ${first}` });
        continue;
      }
      seen.set(key, record.line);
    }
    rows.push({ ...row, line: record.line });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}

const required = (get: (c: string) => string, fail: (c: string, m: string) => void, column: string) => {
  const value = get(column);
  if (!value) fail(column, 'is empty');
  return value;
};

function date(get: (c: string) => string, fail: (c: string, m: string) => void, column: string, optional = false): string | null {
  const value = get(column);
  if (!value && optional) return null;
  try {
    parseIsoDate(value);
    return value;
  } catch (err) {
    fail(column, (err as Error).message);
    return null;
  }
}

export function readProviders(text: string): ImportResult<Provider> {
  return readFile<Provider>('providers', text, (get, fail) => {
    const providerId = required(get, fail, 'provider_id');
    const name = required(get, fail, 'name');
    const businessId = get('business_id');
    if (!isBusinessId(businessId)) fail('business_id', `"${businessId}" is not a valid Finnish business id (1234567-8)`);
    const iban = get('iban').replace(/\s+/g, '').toUpperCase();
    if (!isIban(iban)) fail('iban', `"${get('iban')}" is not a valid IBAN`);
    const email = get('email');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('email', `"${email}" is not an e-mail address`);
    const language = get('language');
    if (!['fi', 'sv', 'en'].includes(language)) fail('language', `must be fi, sv or en, not "${language}"`);
    return { providerId, name, businessId, iban, email, language: language as Provider['language'] };
  }, (p) => `provider ${p.providerId}`);
}

export function readMapMaterial(text: string): ImportResult<MapDataset> {
  return readFile<MapDataset>('map-material', text, (get, fail) => {
    const providerId = required(get, fail, 'provider_id');
    const datasetId = required(get, fail, 'dataset_id');
    const areaKm2 = get('area_km2');
    try {
      if (parseDecimal(areaKm2).num === 0n) fail('area_km2', 'must be greater than 0');
    } catch {
      fail('area_km2', `"${areaKm2}" is not a positive decimal number`);
    }
    const scale = get('scale_denominator');
    if (!/^[1-9]\d{0,8}$/.test(scale)) fail('scale_denominator', `"${scale}" is not a positive whole number`);
    const from = date(get, fail, 'in_service_from');
    const to = date(get, fail, 'in_service_to', true);
    if (from && to && to < from) fail('in_service_to', `is before in_service_from (${from})`);
    return { providerId, datasetId, areaKm2, scaleDenominator: Number(scale), inServiceFrom: from ?? '', inServiceTo: to };
  }, (d) => `dataset ${d.datasetId}`);
}

export function readAddressMaterial(text: string): ImportResult<AddressMaterial> {
  return readFile<AddressMaterial>('address-material', text, (get, fail) => {
    const providerId = required(get, fail, 'provider_id');
    const addresses = get('addresses');
    if (!/^\d{1,12}$/.test(addresses)) fail('addresses', `"${addresses}" is not a whole number of addresses`);
    return { providerId, addresses: Number(addresses) };
  }, (a) => `provider ${a.providerId}`);
}

export function readRevenue(text: string): ImportResult<RevenueRow> {
  return readFile<RevenueRow>('revenue', text, (get, fail) => {
    const category = get('category');
    if (!(REVENUE_CATEGORIES as readonly string[]).includes(category)) fail('category', `must be one of ${REVENUE_CATEGORIES.join(', ')}, not "${category}"`);
    const amount = get('amount');
    const m = /^(\d{1,13})\.(\d{2})$/.exec(amount);
    if (!m) fail('amount', `"${amount}" must be an amount with a dot and two decimals, e.g. 1234.50`);
    return { category: category as RevenueCategory, amountCents: m ? Number(m[1]) * 100 + Number(m[2]) : 0 };
  });
}
