import { describe, expect, it } from 'vitest';
import { BgMaxError, parseBgMax } from '../../invoicing/bgmax';
import { bgmaxFile } from '../support/bgmax';

describe('T9: BgMax files', () => {
  it('reads every payment with its reference, amount in öre, message and its deposit date', () => {
    const file = parseBgMax(
      bgmaxFile([
        {
          bankgiro: '5050-1055',
          date: '2026-05-04',
          payments: [
            { reference: '202600000121', amountMinor: 125_000, message: 'Faktura 2026-000001' },
            { reference: 'FAKTURA 7', amountMinor: 1, referenceCode: '3' },
          ],
        },
        {
          bankgiro: '5050-1055',
          date: '2026-05-05',
          payments: [{ reference: '202600000220', amountMinor: 9_999_999 }],
        },
      ]),
    );
    expect(file).toMatchObject({
      bankgiro: '50501055',
      currency: 'SEK',
      writtenAt: '2026-05-05T04:05:06',
      test: false,
    });
    expect(file.rowErrors).toEqual([]);
    expect(file.payments).toEqual([
      expect.objectContaining({
        row: 3,
        reference: '202600000121',
        amountMinor: 125_000,
        referenceCode: '2',
        paidOn: '2026-05-04',
        messages: ['Faktura 2026-000001'],
        payerBankgiro: '9912346',
      }),
      expect.objectContaining({ reference: 'FAKTURA 7', amountMinor: 1, referenceCode: '3', paidOn: '2026-05-04' }),
      expect.objectContaining({ reference: '202600000220', amountMinor: 9_999_999, paidOn: '2026-05-05' }),
    ]);
  });

  it('reports a bad row and imports the rest', () => {
    const text = bgmaxFile([
      {
        bankgiro: '5050-1055',
        date: '2026-05-04',
        payments: [
          { reference: 'A', amountMinor: 100 },
          { reference: 'B', amountMinor: 200 },
        ],
      },
    ]);
    const lines = text.split('\r\n');
    const bad = lines.findIndex((l) => l.startsWith('20') && l.slice(12, 37).trim() === 'B');
    lines[bad] = `${lines[bad]!.slice(0, 37)}00000000000000X200${lines[bad]!.slice(55)}`;
    const file = parseBgMax(lines.join('\r\n'));
    expect(file.payments.map((p) => p.reference)).toEqual(['A']);
    expect(file.rowErrors).toEqual([
      { row: bad + 1, message: expect.stringContaining('amount') },
      { row: expect.any(Number), message: expect.stringContaining('sums') },
    ]);
  });

  it('refuses what is not a whole BgMax file', () => {
    expect(() => parseBgMax('hello')).toThrow(BgMaxError);
    const whole = bgmaxFile([
      { bankgiro: '5050-1055', date: '2026-05-04', payments: [{ reference: 'A', amountMinor: 1 }] },
    ]);
    expect(() => parseBgMax(whole.split('\r\n').slice(0, -2).join('\r\n'))).toThrow(/70 is missing/);
    const miscounted = bgmaxFile(
      [{ bankgiro: '5050-1055', date: '2026-05-04', payments: [{ reference: 'A', amountMinor: 1 }] }],
      {
        endCount: 2,
      },
    );
    expect(() => parseBgMax(miscounted)).toThrow(/incomplete/);
  });
});
