import { describe, expect, it } from 'vitest';
import {
  csvRecords,
  parseCsvRecords,
  readInput,
  type InputError,
  type InputRows,
  type InputType,
} from '../../settlement/rules/csv';
import { isBusinessId, isEmail, isIban } from '../../settlement/rules/identifiers';

const PROVIDERS = 'provider_id,name,business_id,iban,email,language';
const MAP = 'provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to';
type Result<T> =
  | { ok: true; rows: (T & { line: number })[] }
  | { ok: false; errors: InputError[]; keys: { line: number; key: string }[] };
const errorsOf = <T>(result: Result<T>) =>
  result.ok ? expect.unreachable(`expected errors, got ${JSON.stringify(result.rows)}`) : result.errors;
const pieces = async function* (text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
};

/** A whole file through the streaming reader, arriving in chunks of `size` characters, read in batches of 2 rows. */
async function read<K extends InputType>(type: K, text: string, size = 7): Promise<Result<InputRows[K]>> {
  const rows: (InputRows[K] & { line: number })[] = [];
  const errors: InputError[] = [];
  const keys: { line: number; key: string }[] = [];
  for await (const batch of readInput(type, pieces(text, size), 2)) {
    rows.push(...batch.rows);
    errors.push(...batch.errors);
    keys.push(...batch.badKeys);
  }
  return errors.length > 0 ? { ok: false, errors, keys } : { ok: true, rows };
}

describe('CSV syntax (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, a BOM and CRLF, keeping the line each record starts on', async () => {
    expect(parseCsvRecords('\ufeffa,b\r\n"x, y","say ""hi"""\r\n"two\r\nlines",z\r\nlast,"",\r\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\r\nlines', 'z'] },
      { line: 5, fields: ['last', '', ''] },
    ]);
  });

  it('skips blank lines (also ",,,"), but counts them', async () => {
    expect(parseCsvRecords('a,b\n\n,\n  \nc,d\n\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 5, fields: ['c', 'd'] },
    ]);
  });

  it('accepts LF, CRLF and CR line ends alike, and no line end after the last row', async () => {
    const expected = [
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
    ];
    for (const text of ['a\nb', 'a\r\nb\r\n', 'a\rb\r']) expect(parseCsvRecords(text)).toEqual(expected);
  });

  it('marks stray quotes and an unclosed quote with the line of their record', async () => {
    expect(parseCsvRecords('a,b\nsay "hi",x\n"ok" ,y\n"closed"z,w\n"open,\nnever closed')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['say "hi"', 'x'], problem: expect.stringMatching(/double quote inside an unquoted field/) },
      { line: 3, fields: ['ok', 'y'] },
      { line: 4, fields: ['closedz', 'w'], problem: expect.stringMatching(/text follows a closing quote/) },
      { line: 5, fields: [], problem: expect.stringMatching(/not closed/) },
    ]);
  });
});

describe('identifiers', () => {
  it('checks Finnish business ids (Y-tunnus) by their check digit', async () => {
    expect(isBusinessId('0112038-9')).toBe(true); // Nokia Oyj
    expect(isBusinessId('0201256-6')).toBe(true); // City of Helsinki
    expect(isBusinessId('0112038-8')).toBe(false);
    expect(isBusinessId('112038-9')).toBe(false);
    expect(isBusinessId('01120389')).toBe(false);
    // weighted sum 12, remainder 1: no check digit makes it valid
    for (let d = 0; d <= 9; d++) expect(isBusinessId(`0000006-${d}`)).toBe(false);
  });

  it('checks IBANs by mod 97, with or without spaces', async () => {
    expect(isIban('FI21 1234 5600 0007 85')).toBe(true);
    expect(isIban('fi2112345600000785')).toBe(true);
    expect(isIban('DE89370400440532013000')).toBe(true);
    expect(isIban('FI21 1234 5600 0007 86')).toBe(false);
    expect(isIban('FI12 1234 5600 0007 85')).toBe(false);
    expect(isIban('FI21')).toBe(false);
  });

  it('checks the basic shape of an e-mail address', async () => {
    expect(isEmail('kartta@hel.fi')).toBe(true);
    expect(isEmail('kartta@hel')).toBe(false);
    expect(isEmail('kartta hel@hel.fi')).toBe(false);
  });
});

describe('providers', () => {
  it('reads providers with a quoted name holding a comma, and stores the IBAN without spaces', async () => {
    const result = await read(
      'providers',
      `\ufeff${PROVIDERS}\r\nhki,"Helsinki, kaupunkiympäristö",0201256-6,FI21 1234 5600 0007 85,kartta@hel.fi,fi\r\n`,
    );
    expect(result).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          providerId: 'hki',
          name: 'Helsinki, kaupunkiympäristö',
          businessId: '0201256-6',
          iban: 'FI2112345600000785',
          email: 'kartta@hel.fi',
          language: 'fi',
        },
      ],
    });
  });

  it('reports every bad row and column with its line (repeated ids are the store’s check, over the whole file)', async () => {
    const errors = errorsOf(
      await read(
        'providers',
        [
          PROVIDERS,
          'hki,Helsinki,0201256-6,FI2112345600000785,kartta@hel.fi,fi',
          'esp,Espoo,0201256-5,FI2112345600000786,kartta.espoo.fi,de',
          ',Vantaa,0112038-9,FI2112345600000785,k@vantaa.fi,sv',
          'hki,Helsinki again,0112038-9,FI2112345600000785,k@hel.fi,en',
        ].join('\n'),
      ),
    );
    expect(errors.map((e) => [e.line, e.column ?? null])).toEqual([
      [3, 'business_id'],
      [3, 'iban'],
      [3, 'email'],
      [3, 'language'],
      [4, 'provider_id'],
    ]);
  });
});

describe('map material (M2, M5)', () => {
  it('reads datasets; an empty in_service_to means still in service; columns may come in any order', async () => {
    expect(
      await read(
        'map-material',
        'in_service_to,Provider_ID,dataset_id,area_km2,scale_denominator,in_service_from\n,hki,kk500,120.50,500,2020-01-01\n2024-06-30,mml,topo,20000,20000,1990-01-01\n',
      ),
    ).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          providerId: 'hki',
          datasetId: 'kk500',
          areaKm2: '120.50',
          scaleDenominator: 500,
          inServiceFrom: '2020-01-01',
          inServiceTo: null,
        },
        {
          line: 3,
          providerId: 'mml',
          datasetId: 'topo',
          areaKm2: '20000',
          scaleDenominator: 20000,
          inServiceFrom: '1990-01-01',
          inServiceTo: '2024-06-30',
        },
      ],
    });
  });

  it('reports every bad row with its line number, counting lines inside quoted fields', async () => {
    const errors = errorsOf(
      await read(
        'map-material',
        [
          MAP,
          'hki,kk500,120.5,500,2020-01-01,',
          'hki,kk1000,-3,1000,2020-01-01,',
          'esp,kk2000,1e3,0,2020-02-30,',
          'esp,kk4000,10,4000,2021-01-01,2020-01-01',
          'hki,kk500,1,500,2020-01-01,',
          '"esp","kk\nwith a line break",0,1:500,2020-01-01,',
          'short,row',
          'esp,kk9,1,500,2020-1-1,2020-13-01',
        ].join('\r\n'),
      ),
    );
    expect(errors.map((e) => [e.line, e.column ?? null])).toEqual([
      [3, 'area_km2'],
      [4, 'area_km2'],
      [4, 'scale_denominator'],
      [4, 'in_service_from'],
      [5, 'in_service_to'],
      [7, 'area_km2'],
      [7, 'scale_denominator'],
      [9, null],
      [10, 'in_service_from'],
      [10, 'in_service_to'],
    ]);
    expect(errors[7]!.message).toMatch(/expected 6 fields, found 2/);
  });
});

describe('reading a file as it arrives', () => {
  it('gives the same records and lines however the text is cut into chunks, quotes and CRLF included', async () => {
    const text = `\ufeff${MAP}\r\nhki,"kk,1",1.5,500,2020-01-01,\r\n\r\n"esp","kk\r\n""2""",2,1000,2020-01-01,2024-01-01\nmml,topo,3,20000,1990-01-01,\rvan,v1,4,500,2020-01-01,`;
    const whole = parseCsvRecords(text);
    for (let size = 1; size <= text.length; size++) {
      const records = [];
      for await (const r of csvRecords(pieces(text, size))) records.push(r);
      expect(records, `chunks of ${size}`).toEqual(whole);
    }
    expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 6, 7]);
  });

  it('reports an unclosed quote at the end of the file, however it arrives', async () => {
    expect(errorsOf(await read('revenue', 'category,amount\nusage_fee,1.00\n"usage_fee,2.00\n', 3))).toEqual([
      { line: 3, message: expect.stringMatching(/not closed/) },
    ]);
  });
});

describe('address material (M3)', () => {
  it('reads whole numbers of addresses, one row per provider', async () => {
    expect(await read('address-material', 'provider_id,addresses\nhki,3000\nesp,0\n')).toEqual({
      ok: true,
      rows: [
        { line: 2, providerId: 'hki', addresses: 3000 },
        { line: 3, providerId: 'esp', addresses: 0 },
      ],
    });
    // Bad rows' provider ids are kept, so the store finds a repeat of a bad first row.
    const bad = await read('address-material', 'provider_id,addresses\nhki,-1\nesp,1.5\nvan,\nhki,5\nesp,7');
    expect(errorsOf(bad).map((e) => [e.line, e.column])).toEqual([
      [2, 'addresses'],
      [3, 'addresses'],
      [4, 'addresses'],
    ]);
    expect(bad.ok ? [] : bad.keys).toEqual([
      { line: 2, key: 'hki' },
      { line: 3, key: 'esp' },
      { line: 4, key: 'van' },
    ]);
  });
});

describe('revenue (M2–M4)', () => {
  it('reads amounts with a dot and exactly two decimals into cents; a category may repeat', async () => {
    expect(
      await read('revenue', 'category,amount\nusage_fee,1234.50\nusage_fee,0.05\naddress_register_cost,10.00'),
    ).toEqual({
      ok: true,
      rows: [
        { line: 2, category: 'usage_fee', amountCents: 123_450 },
        { line: 3, category: 'usage_fee', amountCents: 5 },
        { line: 4, category: 'address_register_cost', amountCents: 1000 },
      ],
    });
  });

  it('refuses unknown categories and amounts in any other form, naming each line', async () => {
    const errors = errorsOf(
      await read(
        'revenue',
        'category,amount\nusage_fees,1.00\ncopy_permit,1.5\ncopy_permit,1,50\ncopy_permit,"1,50"\ncopy_permit,-1.00\ncopy_permit,1 000.00\ncopy_permit,1.00',
      ),
    );
    expect(errors.map((e) => [e.line, e.column ?? null])).toEqual([
      [2, 'category'],
      [3, 'amount'],
      [4, null],
      [5, 'amount'],
      [6, 'amount'],
      [7, 'amount'],
    ]);
  });
});

describe('whole files', () => {
  it('refuses missing, extra and repeated header columns on line 1, listing each', async () => {
    expect(errorsOf(await read('address-material', 'provider,addresses\nx,1'))).toEqual([
      { line: 1, message: 'column provider_id is missing; the header must hold provider_id,addresses' },
      { line: 1, message: 'column "provider" is not expected; the header must hold provider_id,addresses' },
    ]);
    expect(
      errorsOf(await read('revenue', 'category,amount,amount,note\nusage_fee,1.00,1.00,x')).map((e) => [
        e.line,
        e.message.split(';')[0],
      ]),
    ).toEqual([
      [1, 'column amount appears twice'],
      [1, 'column "note" is not expected'],
    ]);
  });

  it('refuses an empty file and a header without data rows', async () => {
    expect(errorsOf(await read('revenue', ''))).toEqual([{ line: 1, message: expect.stringMatching(/empty/) }]);
    expect(errorsOf(await read('revenue', '\ufeff\r\n'))).toEqual([
      { line: 1, message: expect.stringMatching(/empty/) },
    ]);
    expect(errorsOf(await read('revenue', 'category,amount\r\n\r\n'))).toEqual([
      { line: 2, message: 'the file has a header but no data rows' },
    ]);
  });

  it('reports quoting errors by line along with the other bad rows', async () => {
    const errors = errorsOf(await read('revenue', 'category,amount\nusage_fee,1.00\nusage_fee,"2.00\nusage_fee,x'));
    expect(errors).toEqual([{ line: 3, message: expect.stringMatching(/not closed/) }]);
    expect(errorsOf(await read('revenue', 'category,amount\nusage"fee,1.00\nbad,2.00')).map((e) => e.line)).toEqual([
      2, 3,
    ]);
  });
});
