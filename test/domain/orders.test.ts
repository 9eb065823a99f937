import { describe, expect, it } from 'vitest';
import { money } from '../../domain/money';
import { ORDER_STATUSES } from '../../orders/order.messages';
import {
  frameworkCovers,
  orderActions,
  orderFee,
  priceOn,
  type OrderFacts,
  type PriceVersion,
} from '../../orders/orders.rules';

const versions: PriceVersion[] = [
  {
    productId: 'p',
    validFrom: '2025-01-01',
    pricePerKm2: money(10_000, 'SEK'),
    minimumFee: money(50_000, 'SEK'),
    annualFee: null,
  },
  {
    productId: 'p',
    validFrom: '2026-01-01',
    pricePerKm2: money(12_500, 'SEK'),
    minimumFee: money(50_000, 'SEK'),
    annualFee: null,
  },
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
    expect(orderFee(price, 12_345_678, 'organisation').display).toEqual({
      amount: money(154_321, 'SEK'),
      includesVat: false,
    });
  });
  it('G1: open data costs nothing', () => {
    const free: PriceVersion = {
      productId: 'o',
      validFrom: '2020-01-01',
      pricePerKm2: money(0, 'SEK'),
      minimumFee: money(0, 'SEK'),
      annualFee: null,
    };
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

describe('G8: subscriptions', () => {
  const price: PriceVersion = { ...versions[1]!, annualFee: money(1_200_001, 'SEK') };
  it('G8, T2: the annual fee is a line of its own, with VAT rounded per line', () => {
    // area line 1543.21 kr → VAT 385.8025 → 385.80; annual 12000.01 kr → VAT 3000.0025 → 3000.00
    const fee = orderFee(price, 12_345_678, 'organisation', true);
    expect(fee.lines).toEqual([
      { kind: 'area', net: money(154_321, 'SEK'), vat: money(38_580, 'SEK'), total: money(192_901, 'SEK') },
      {
        kind: 'annual_subscription',
        net: money(1_200_001, 'SEK'),
        vat: money(300_000, 'SEK'),
        total: money(1_500_001, 'SEK'),
      },
    ]);
    expect(fee.net.minor).toBe(1_354_322);
    expect(fee.vat.minor).toBe(338_580); // one rounding of the sum would give 338 580.5 → 338 581
    expect(fee.total.minor).toBe(1_692_902);
  });
  it('T2: a private person is shown exactly the invoice total', () => {
    expect(orderFee(price, 12_345_678, 'private', true).display).toEqual({
      amount: money(1_692_902, 'SEK'),
      includesVat: true,
    });
  });
  it('G8: a product without an annual fee cannot be subscribed to', () => {
    expect(() => orderFee(versions[1]!, 1_000_000, 'organisation', true)).toThrow(/cannot be subscribed/);
  });
});

describe('G4, G6–G8: the actions a user is offered on an order', () => {
  const order = (facts: Partial<OrderFacts>): OrderFacts => ({
    status: 'awaiting_approval',
    deliveryMethod: 'download',
    subscription: false,
    latestDelivery: null,
    ...facts,
  });
  const offered = (facts: Partial<OrderFacts>, role: string) =>
    Object.entries(orderActions(order(facts), role))
      .filter(([, may]) => may)
      .map(([action]) => action);

  it('G4, G6: a handler approves or rejects an order awaiting approval, and only then', () => {
    expect(offered({}, 'handler')).toEqual(['approve', 'reject', 'cancel']);
    for (const status of ORDER_STATUSES.filter((s) => s !== 'awaiting_approval')) {
      expect(orderActions(order({ status }), 'handler')).toMatchObject({ approve: false, reject: false });
    }
    for (const role of ['customer', 'finance', 'admin'])
      expect(orderActions(order({}), role)).toMatchObject({ approve: false, reject: false });
  });
  it('the customer or a handler cancels until approval; finance and admin do not', () => {
    for (const status of ORDER_STATUSES) {
      const open = status === 'submitted' || status === 'awaiting_approval';
      expect([status, orderActions(order({ status }), 'customer').cancel]).toEqual([status, open]);
      expect([status, orderActions(order({ status }), 'handler').cancel]).toEqual([status, open]);
    }
    expect(offered({ status: 'submitted' }, 'customer')).toEqual(['cancel']);
    expect(offered({}, 'finance')).toEqual([]);
    expect(offered({}, 'admin')).toEqual([]);
  });
  it('a handler restarts a failed production', () => {
    expect(offered({ status: 'failed' }, 'handler')).toEqual(['retryDelivery']);
    expect(offered({ status: 'failed' }, 'customer')).toEqual([]);
  });
  it('G7: a handler records the shipment of a produced hard drive, not of a download', () => {
    expect(offered({ status: 'delivered', deliveryMethod: 'physical_media' }, 'handler')).toEqual(['recordShipment']);
    expect(offered({ status: 'delivered', deliveryMethod: 'download' }, 'handler')).toEqual([]);
    expect(offered({ status: 'shipped', deliveryMethod: 'physical_media' }, 'handler')).toEqual([]);
    expect(offered({ status: 'delivered', deliveryMethod: 'physical_media' }, 'customer')).toEqual([]);
  });
  it('G8: the customer starts a new extract on a subscription that has a delivery', () => {
    const delivered = { status: 'delivered' as const, subscription: true, latestDelivery: { status: 'LYCKAD' } };
    expect(offered(delivered, 'customer')).toEqual(['newExtract']);
    expect(offered({ ...delivered, latestDelivery: null }, 'customer')).toEqual([]);
    expect(offered({ ...delivered, subscription: false }, 'customer')).toEqual([]);
    expect(offered(delivered, 'handler')).toEqual([]);
  });
});
