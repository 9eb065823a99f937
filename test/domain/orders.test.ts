import { describe, expect, it } from 'vitest';
import { money } from '../../domain/money';
import { frameworkCovers, orderFee, priceOn, type PriceVersion } from '../../domain/orders';

const versions: PriceVersion[] = [
  { productId: 'p', validFrom: '2025-01-01', pricePerKm2: money(10_000, 'SEK'), minimumFee: money(50_000, 'SEK') },
  { productId: 'p', validFrom: '2026-01-01', pricePerKm2: money(12_500, 'SEK'), minimumFee: money(50_000, 'SEK') },
];

describe('G3, T3: the price that applies', () => {
  it('T3: the version valid at the order time', () => {
    expect(priceOn(versions, '2025-12-31')!.validFrom).toBe('2025-01-01');
    expect(priceOn(versions, '2026-01-01')!.validFrom).toBe('2026-01-01');
    expect(priceOn(versions, '2024-06-01')).toBeUndefined();
  });
});

describe('G2, G3: the fee', () => {
  const price = versions[1]!;
  it('G2: area × price per km², half up to whole öre', () => {
    // 12.345678 km² × 125 kr = 1543.20975 kr → 1543.21 kr
    const fee = orderFee(price, 12_345_678, 'organisation');
    expect(fee.net).toEqual(money(154_321, 'SEK'));
    expect(fee.minimumApplied).toBe(false);
  });
  it('G3: never below the minimum fee', () => {
    const fee = orderFee(price, 1_000_000, 'organisation');
    expect(fee.areaFee.minor).toBe(12_500);
    expect(fee).toMatchObject({ net: money(50_000, 'SEK'), minimumApplied: true });
  });
  it('T2: VAT 25 % rounded half up; a private person is shown the price with VAT, an organisation without', () => {
    const fee = orderFee(price, 12_345_678, 'private');
    expect(fee.vat.minor).toBe(38_580); // 38580.25
    expect(fee.total.minor).toBe(192_901);
    expect(fee.display).toEqual({ amount: money(192_901, 'SEK'), includesVat: true });
    expect(orderFee(price, 12_345_678, 'organisation').display).toEqual({ amount: money(154_321, 'SEK'), includesVat: false });
  });
  it('G1: open data costs nothing', () => {
    const free: PriceVersion = { productId: 'o', validFrom: '2020-01-01', pricePerKm2: money(0, 'SEK'), minimumFee: money(0, 'SEK') };
    expect(orderFee(free, 99_000_000, 'private').total.minor).toBe(0);
  });
});

describe('G5: framework agreements', () => {
  it('G5: covers the products it names while in force', () => {
    const agreement = { productIds: ['p'], validFrom: '2026-01-01', validTo: '2026-12-31' };
    expect(frameworkCovers(agreement, 'p', '2026-06-01')).toBe(true);
    expect(frameworkCovers(agreement, 'q', '2026-06-01')).toBe(false);
    expect(frameworkCovers(agreement, 'p', '2027-01-01')).toBe(false);
  });
});
