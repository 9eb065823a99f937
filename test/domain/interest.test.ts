import { describe, expect, it } from 'vitest';
import { lateInterest, MissingReferenceRate, rateOn } from '../../domain/interest';

// Reference rates (basis points) around a 1 July change.
const rates = [
  { validFrom: '2026-01-01', basisPoints: 200 },
  { validFrom: '2026-07-01', basisPoints: 175 },
];

describe('T7: late-payment interest (räntelagen)', () => {
  it('across a 1 July change: each day at the rate in force that day, rounded once, exactly', () => {
    // 100 000 kr due 20 June, paid 10 July: 21–30 June at 2.00 + 8 = 10.00 %, 1–10 July at 1.75 + 8 = 9.75 %.
    const result = lateInterest({
      debtMinor: 10_000_000,
      dueDate: '2026-06-20',
      payments: [{ paidOn: '2026-07-10', amountMinor: 10_000_000 }],
      rates,
    });
    // By hand: 10 000 000 öre × (10 × 0.1000 + 10 × 0.0975) / 365 = 197 500 000 000 / 3 650 000 = 54 109.589… öre.
    expect(result.interestMinor).toBe(54_110);
    expect(result.days).toBe(20);
    expect(result.periods).toEqual([
      { from: '2026-06-21', to: '2026-06-30', days: 10, basisPoints: 1000, debtMinor: 10_000_000 },
      { from: '2026-07-01', to: '2026-07-10', days: 10, basisPoints: 975, debtMinor: 10_000_000 },
    ]);
  });

  it('on what is still owed each day: a partial payment lowers the debt from the next day', () => {
    const result = lateInterest({
      debtMinor: 1_000_000,
      dueDate: '2026-06-29',
      payments: [
        { paidOn: '2026-06-30', amountMinor: 400_000 },
        { paidOn: '2026-07-02', amountMinor: 600_000 },
      ],
      rates,
    });
    // 30 June: 1 000 000 × 10 %; 1–2 July: 600 000 × 9.75 %; / 365: (10^9 + 2 × 585 000 000) / 3 650 000 = 594.52 → 595.
    expect(result.periods).toEqual([
      { from: '2026-06-30', to: '2026-06-30', days: 1, basisPoints: 1000, debtMinor: 1_000_000 },
      { from: '2026-07-01', to: '2026-07-02', days: 2, basisPoints: 975, debtMinor: 600_000 },
    ]);
    expect(result.interestMinor).toBe(595);
  });

  it('none when paid on or before the due date; half up at half an öre', () => {
    expect(
      lateInterest({
        debtMinor: 5_000,
        dueDate: '2026-03-01',
        payments: [{ paidOn: '2026-03-01', amountMinor: 5_000 }],
        rates,
      }).interestMinor,
    ).toBe(0);
    // 1 day at 10 % on 1825 öre = 1825 × 1000 / 3 650 000 = 0.5 öre → 1.
    expect(
      lateInterest({
        debtMinor: 1_825,
        dueDate: '2026-03-01',
        payments: [{ paidOn: '2026-03-02', amountMinor: 1_825 }],
        rates,
      }).interestMinor,
    ).toBe(1);
  });

  it('a negative reference rate still gives the margin above it; a day without a rate is refused', () => {
    expect(rateOn([{ validFrom: '2019-01-01', basisPoints: -50 }], '2019-05-01').basisPoints).toBe(-50);
    expect(() =>
      lateInterest({
        debtMinor: 100,
        dueDate: '2025-12-30',
        payments: [{ paidOn: '2026-01-02', amountMinor: 100 }],
        rates,
      }),
    ).toThrow(MissingReferenceRate);
  });
});
