import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../domain/csv';
import { isBusinessId, isIban, readAddressMaterial, readMapMaterial, readProviders, readRevenue } from '../../domain/settlement/inputs';

describe('CSV', () => {
  it('reads quoted fields with commas, quotes and line breaks, a BOM and CRLF, keeping each record’s line', () => {
    const records = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\r\n\r\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
    ]);
  });
  it('refuses an unclosed quote', () => {
    expect(() => parseCsv('a\n"open')).toThrow(/line 2/);
  });
});

describe('identifiers', () => {
  it('checks Finnish business ids and IBANs by their check digits', () => {
    expect(isBusinessId('0112038-9')).toBe(true);
    expect(isBusinessId('0112038-8')).toBe(false);
    expect(isIban('FI21 1234 5600 0007 85')).toBe(true);
    expect(isIban('FI21 1234 5600 0007 86')).toBe(false);
  });
});

describe('settlement inputs', () => {
  it('reads providers', () => {
    const result = readProviders('provider_id,name,business_id,iban,email,language\nhki,"Helsinki, city",0112038-9,FI2112345600000785,kartta@hel.example.fi,fi\n');
    expect(result).toEqual({ ok: true, rows: [{ line: 2, providerId: 'hki', name: 'Helsinki, city', businessId: '0112038-9', iban: 'FI2112345600000785', email: 'kartta@hel.example.fi', language: 'fi' }] });
  });

  it('reports every bad row with its line number, and returns no rows', () => {
    const result = readMapMaterial(
      [
        'provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to',
        'hki,kk500,120.5,500,2020-01-01,',
        'hki,kk1000,-3,1000,2020-01-01,',
        'esp,kk2000,10,0,2020-02-30,',
        'esp,kk4000,10,4000,2021-01-01,2020-01-01',
        'hki,kk500,1,500,2020-01-01,',
        'short,row',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.line, e.column ?? null])).toEqual([
      [3, 'area_km2'],
      [4, 'scale_denominator'],
      [4, 'in_service_from'],
      [5, 'in_service_to'],
      [6, null],
      [7, null],
    ]);
    expect(result.errors[4]!.message).toMatch(/dataset kk500 already appears on line 2/);
  });

  it('refuses a wrong header and an empty file on line 1 and 2', () => {
    expect(readAddressMaterial('provider,addresses\nx,1')).toEqual({ ok: false, errors: [{ line: 1, message: 'the header must be exactly: provider_id,addresses' }] });
    expect(readAddressMaterial('provider_id,addresses\n')).toMatchObject({ ok: false, errors: [{ line: 2 }] });
  });

  it('M3, M4: reads revenue amounts with exactly two decimals into cents; a category may repeat', () => {
    expect(readRevenue('category,amount\nusage_fee,1234.50\nusage_fee,0.05\naddress_register_cost,10.00')).toEqual({
      ok: true,
      rows: [
        { line: 2, category: 'usage_fee', amountCents: 123_450 },
        { line: 3, category: 'usage_fee', amountCents: 5 },
        { line: 4, category: 'address_register_cost', amountCents: 1000 },
      ],
    });
    const bad = readRevenue('category,amount\nusage_fees,1.00\ncopy_permit,1.5\ncopy_permit,1,50');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.line)).toEqual([2, 3, 4]);
  });
});
