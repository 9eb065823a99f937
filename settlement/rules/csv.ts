/**
 * The settlement's CSV imports (providers, map material, address material, revenue). A file
 * is checked as a whole and every bad row is reported with its file line (header = line 1),
 * so finance can fix the file in one round; a file with any error imports nothing.
 */
import { dayNumber } from './days';
import { isBusinessId, isEmail, isIban, normaliseIban } from './identifiers';
import { REVENUE_CATEGORIES, type AddressMaterial, type MapDataset, type RevenueCategory } from './model';

export interface InputError {
  line: number;
  column?: string;
  message: string;
}

export const INPUT_TYPES = ['providers', 'map-material', 'address-material', 'revenue'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export const LANGUAGES = ['fi', 'sv', 'en'] as const;

export interface Provider {
  providerId: string;
  name: string;
  businessId: string;
  iban: string;
  email: string;
  language: (typeof LANGUAGES)[number];
}

export interface RevenueRow {
  category: RevenueCategory;
  amountCents: number;
}

const COLUMNS: Record<InputType, readonly string[]> = {
  providers: ['provider_id', 'name', 'business_id', 'iban', 'email', 'language'],
  'map-material': ['provider_id', 'dataset_id', 'area_km2', 'scale_denominator', 'in_service_from', 'in_service_to'],
  'address-material': ['provider_id', 'addresses'],
  revenue: ['category', 'amount'],
};

export interface CsvRecord {
  line: number;
  fields: string[];
  /** A quoting error; the record's fields are then not to be trusted. */
  problem?: string;
}

/**
 * RFC 4180: comma-separated; a field in double quotes may hold commas, line breaks and
 * doubled quotes (""). A UTF-8 BOM and CRLF, LF or CR line ends are accepted. Blank lines
 * (also ",,,") are skipped but still counted, so every record keeps the line it starts on.
 * Spaces around a quoted field are tolerated, as hand-edited files often have them.
 */
export function parseCsvRecords(text: string, firstLine = 1): CsvRecord[] {
  const src = text.startsWith('\ufeff') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const atFieldEnd = (i: number) => i >= src.length || src[i] === ',' || src[i] === '\n' || src[i] === '\r';
  const skipBlanks = (i: number) => {
    while (src[i] === ' ' || src[i] === '\t') i++;
    return i;
  };
  let i = 0;
  let line = firstLine;
  while (i < src.length) {
    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      let field = '';
      const opening = skipBlanks(i);
      if (src[opening] === '"') {
        const closing = closingQuote(src, opening + 1);
        if (closing === -1) {
          records.push({ ...record, problem: 'a quoted field is not closed (the file ends inside quotes)' });
          return records;
        }
        const quoted = src.slice(opening + 1, closing);
        field = quoted.replace(/""/g, '"');
        line += lineBreaks(quoted);
        i = skipBlanks(closing + 1);
        if (!atFieldEnd(i)) record.problem ??= 'text follows a closing quote; quote the whole field';
      }
      const start = i;
      while (!atFieldEnd(i)) i++;
      const unquoted = src.slice(start, i);
      if (unquoted.includes('"'))
        record.problem ??= 'a double quote inside an unquoted field; quote the field and double the quote ("")';
      field += unquoted;
      record.fields.push(field);
      if (src[i] !== ',') break;
      i++;
    }
    i += src.startsWith('\r\n', i) ? 2 : 1;
    line++;
    if (record.problem || record.fields.some((f) => f.trim() !== '')) records.push(record);
  }
  return records;
}

/** The index of the quote that closes a field opened before `from`, skipping doubled quotes; -1 if none. */
function closingQuote(src: string, from: number): number {
  for (let i = src.indexOf('"', from); i !== -1; i = src.indexOf('"', i + 2)) {
    if (src[i + 1] !== '"') return i;
  }
  return -1;
}

const lineBreaks = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/**
 * The records of a file as its text arrives, so a large file is never held whole: each piece
 * up to the last line feed outside quotes is parsed as it comes (a quote toggles; a doubled
 * quote toggles twice), the rest waits for the next chunk.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let pending = '';
  let scanned = 0;
  let inQuotes = false;
  let line = 1;
  for await (const chunk of chunks) {
    pending += chunk;
    let cut = -1;
    for (let i = scanned; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (c === 34) inQuotes = !inQuotes;
      else if (c === 10 && !inQuotes) cut = i;
    }
    scanned = pending.length;
    if (cut === -1) continue;
    const complete = pending.slice(0, cut + 1);
    pending = pending.slice(cut + 1);
    scanned = pending.length;
    yield* parseCsvRecords(complete, line);
    line += lineBreaks(complete);
  }
  if (pending !== '') yield* parseCsvRecords(pending, line);
}

type Get = (column: string) => string;
type Fail = (column: string, message: string) => void;

/** A checked row keeps the file line it came from, so later checks (unknown providers) can name it. */
export type Lined<T> = T & { line: number };

export interface InputRows {
  providers: Provider;
  'map-material': MapDataset;
  'address-material': AddressMaterial;
  revenue: RevenueRow;
}

/** A batch of a file read so far: its good rows, its problems, and the ids of its bad rows. */
export interface InputBatch<T> {
  rows: Lined<T>[];
  errors: InputError[];
  /** For `UNIQUE_KEYS`: a bad row's id too may be repeated, and one round of fixes should be enough. */
  badKeys: { line: number; key: string }[];
}

/** The column whose values may appear once per file. The store finds repeats over the whole file. */
export const UNIQUE_KEYS: Partial<Record<InputType, { column: string; what: string }>> = {
  providers: { column: 'provider_id', what: 'provider' },
  'map-material': { column: 'dataset_id', what: 'dataset' },
  'address-material': { column: 'provider_id', what: 'provider' },
};

/**
 * Reads one file as it arrives, in batches: the header names the columns (any order, each
 * once), then one row per record, each checked on its own. Nothing is kept between batches,
 * so a file of a million rows reads in little memory.
 */
export async function* readInput<K extends InputType>(
  type: K,
  text: AsyncIterable<string>,
  batchSize = 5000,
): AsyncGenerator<InputBatch<InputRows[K]>> {
  const expected = COLUMNS[type];
  const read = READERS[type] as (get: Get, fail: Fail) => InputRows[K];
  const unique = UNIQUE_KEYS[type];
  let names: string[] | null = null;
  let position = new Map<string, number>();
  let headerLine = 1;
  let dataRows = 0;
  let batch: InputBatch<InputRows[K]> = { rows: [], errors: [], badKeys: [] };
  for await (const record of csvRecords(text)) {
    if (names === null) {
      headerLine = record.line;
      const header = headerProblems(record, expected);
      if (header.length > 0) {
        yield { rows: [], errors: header, badKeys: [] };
        return;
      }
      names = record.fields.map((f) => f.trim().toLowerCase());
      position = new Map(names.map((n, i) => [n, i]));
      continue;
    }
    dataRows++;
    const { line } = record;
    if (record.problem) batch.errors.push({ line, message: record.problem });
    else if (record.fields.length !== names.length) {
      batch.errors.push({
        line,
        message: `expected ${names.length} fields, found ${record.fields.length}; quote any field that contains a comma`,
      });
    } else {
      const get: Get = (column) => record.fields[position.get(column)!]!.trim();
      const before = batch.errors.length;
      const row = read(get, (column, message) => batch.errors.push({ line, column, message }));
      if (batch.errors.length === before) batch.rows.push({ ...row, line });
      else if (unique && get(unique.column)) batch.badKeys.push({ line, key: get(unique.column) });
    }
    if (dataRows % batchSize === 0) {
      yield batch;
      batch = { rows: [], errors: [], badKeys: [] };
    }
  }
  if (names === null)
    batch.errors.push({
      line: 1,
      message: `the file is empty; the first line must be the header ${expected.join(',')}`,
    });
  else if (dataRows === 0)
    batch.errors.push({ line: headerLine + 1, message: 'the file has a header but no data rows' });
  yield batch;
}

/** Header names are matched trimmed and in lower case: "Provider_ID " is provider_id. */
function headerProblems(header: CsvRecord, expected: readonly string[]): InputError[] {
  if (header.problem) return [{ line: header.line, message: header.problem }];
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const problems = [
    ...expected.filter((c) => !names.includes(c)).map((c) => `column ${c} is missing`),
    ...names
      .filter((n, i) => !expected.includes(n) || names.indexOf(n) !== i)
      .map((n) => (expected.includes(n) ? `column ${n} appears twice` : `column "${n}" is not expected`)),
  ];
  return problems.map((message) => ({
    line: header.line,
    message: `${message}; the header must hold ${expected.join(',')}`,
  }));
}

function required(get: Get, fail: Fail, column: string): string {
  const value = get(column);
  if (value === '') fail(column, 'is empty');
  return value;
}

function isDate(fail: Fail, column: string, value: string): boolean {
  const ok = dayNumber(value) !== null;
  if (!ok) fail(column, `"${value}" is not a date of the form YYYY-MM-DD (e.g. 2025-01-31)`);
  return ok;
}

/** A plain non-negative decimal, as parseDecimal reads it exactly. */
const DECIMAL = /^\d+(?:\.\d+)?$/;

const READERS: { [K in InputType]: (get: Get, fail: Fail) => InputRows[K] } = {
  providers: (get, fail) => {
    const providerId = required(get, fail, 'provider_id');
    const name = required(get, fail, 'name');
    const businessId = get('business_id');
    if (!isBusinessId(businessId))
      fail('business_id', `"${businessId}" is not a valid Finnish business id (1234567-8, with its check digit)`);
    const iban = get('iban');
    if (!isIban(iban))
      fail('iban', `"${iban}" is not a valid IBAN (its check digits do not match, or its shape is wrong)`);
    const email = get('email');
    if (!isEmail(email)) fail('email', `"${email}" is not an e-mail address`);
    const language = get('language') as Provider['language'];
    if (!LANGUAGES.includes(language)) fail('language', `must be ${LANGUAGES.join(', ')}, not "${language}"`);
    return { providerId, name, businessId, iban: normaliseIban(iban), email, language };
  },

  /** M2, M5: datasets with their area, scale and service period. Material outside the year is accepted; it weighs 0. */
  'map-material': (get, fail) => {
    const providerId = required(get, fail, 'provider_id');
    const datasetId = required(get, fail, 'dataset_id');
    const areaKm2 = get('area_km2');
    if (!DECIMAL.test(areaKm2)) fail('area_km2', `"${areaKm2}" is not a decimal number greater than 0 (e.g. 1234.5)`);
    else if (!/[1-9]/.test(areaKm2)) fail('area_km2', 'must be greater than 0');
    const scale = get('scale_denominator');
    if (!/^[1-9]\d{0,8}$/.test(scale))
      fail('scale_denominator', `"${scale}" is not a positive whole number (e.g. 500 for 1:500)`);
    const inServiceFrom = get('in_service_from');
    const inServiceTo = get('in_service_to') || null;
    const fromOk = isDate(fail, 'in_service_from', inServiceFrom);
    const toOk = inServiceTo === null || isDate(fail, 'in_service_to', inServiceTo);
    if (fromOk && toOk && inServiceTo !== null && inServiceTo < inServiceFrom)
      fail('in_service_to', `${inServiceTo} is before in_service_from ${inServiceFrom}`);
    return { providerId, datasetId, areaKm2, scaleDenominator: Number(scale), inServiceFrom, inServiceTo };
  },

  /** M3: one row per provider. */
  'address-material': (get, fail) => {
    const providerId = required(get, fail, 'provider_id');
    const addresses = get('addresses');
    if (!/^\d{1,15}$/.test(addresses)) fail('addresses', `"${addresses}" is not a whole number of addresses`);
    return { providerId, addresses: Number(addresses) };
  },

  /** M2–M4: the year's revenue by category; a category may appear on several lines, which add up. */
  revenue: (get, fail) => {
    const category = get('category') as RevenueCategory;
    if (!REVENUE_CATEGORIES.includes(category))
      fail('category', `must be one of ${REVENUE_CATEGORIES.join(', ')}, not "${category}"`);
    const amount = get('amount');
    // Exactly two decimals after a dot: "1234.50". At most 13 whole digits keep the cents a safe integer.
    const m = /^(\d{1,13})\.(\d{2})$/.exec(amount);
    if (!m) fail('amount', `"${amount}" is not an amount in euros with a dot and two decimals, e.g. 1234.50`);
    return { category, amountCents: m ? Number(m[1]) * 100 + Number(m[2]) : 0 };
  },
};
