import { stringify } from 'csv-stringify/sync';

/** What a spreadsheet reads as the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A field a spreadsheet would run as a formula, made plain text by a leading single quote (OWASP). */
export const neutralised = (field: string) => (FORMULA_START.test(field) ? `'${field}` : field);

/**
 * A CSV file for people to open in a spreadsheet: a header row, then one row per record, each
 * field neutralised (no live formulas) and quoted when it holds a comma, a quote or a line
 * break, so the columns always line up (RFC 4180, written by csv-stringify).
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify([header, ...rows.map((row) => row.map((field) => neutralised(String(field))))], {
    record_delimiter: '\n',
  });
}
