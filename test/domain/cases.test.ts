import { describe, expect, it } from 'vitest';
import { isAdult } from '../../domain/customer';
import {
  canWithdraw,
  caseActions,
  cancellationFees,
  earliestNormalLocateDate,
  expressWindow,
  handlingDeadlineDate,
  handlingSchedule,
  lkNumber,
  moveFees,
  feeTotal,
  planningAddOnFees,
  planningDueDate,
  planningFasterDueDate,
  scheduleLocate,
  scheduleMove,
  locateDateOnAnswers,
  feeQuote,
  feeLine,
  ownerLocateFees,
  offersLocateOnOrder,
  type CaseFacts,
  type CaseFees,
} from '../../cases/cases.rules';
import { CASE_STATUSES } from '../../cases/case.messages';
import { addWorkingDays, orderTime as orderTimeOf } from '../../domain/calendar';

/** A price-list version as the API hands it to the rules (T3); the amounts are the demo list's. */
const sek = (minor: number) => ({ minor, currency: 'SEK' as const });
const fees: CaseFees = {
  version: '2020-01-01',
  amounts: {
    express: sek(150_000),
    change: sek(50_000),
    cancellation: sek(75_000),
    mapOnlyOwnerLocate: sek(120_000),
    planningFasterDelivery: sek(100_000),
    planningVectorFormat: sek(80_000),
    emergency: sek(300_000),
  },
};

describe('L5: age', () => {
  it('L5: a private person must be 18 on the day of ordering', () => {
    expect(isAdult('2008-11-24', '2026-11-24')).toBe(true);
    expect(isAdult('2008-11-25', '2026-11-24')).toBe(false);
    expect(isAdult('2008-02-29', '2026-02-28')).toBe(false);
    expect(isAdult('2008-02-29', '2026-03-01')).toBe(true);
  });
});

describe('L10: handling deadline', () => {
  it('L10: the next working day after the order time', () => {
    expect(handlingDeadlineDate('2026-11-27', '2026-11-30')).toBe('2026-11-30'); // Friday → Monday
    expect(handlingDeadlineDate('2026-12-23', '2026-12-28')).toBe('2026-12-28'); // over Christmas
  });
  it('L10: 5 working days before a far dig start, when that is later', () => {
    expect(handlingDeadlineDate('2026-11-24', '2027-01-15')).toBe('2027-01-08');
  });
  it('L10, L12: a locate wanted before that is handled at the latest the working day before its desired date', () => {
    expect(handlingDeadlineDate('2026-11-24', '2027-01-15', '2026-12-03')).toBe('2026-12-02');
    expect(handlingDeadlineDate('2026-11-24', '2027-01-15', '2027-02-01')).toBe('2027-01-08');
    // Never earlier than the next working day after the order time.
    expect(handlingDeadlineDate('2026-11-24', '2027-01-15', '2026-11-25')).toBe('2026-11-25');
  });
  it('L10: reminders on the deadline morning and two hours before 16:00, in Stockholm time', () => {
    const s = handlingSchedule('2026-11-30');
    expect(s.morningReminder.toISOString()).toBe('2026-11-30T07:00:00.000Z');
    expect(s.lastReminder.toISOString()).toBe('2026-11-30T13:00:00.000Z');
    expect(s.due.toISOString()).toBe('2026-11-30T15:00:00.000Z');
    expect(handlingSchedule('2026-06-15').due.toISOString()).toBe('2026-06-15T14:00:00.000Z');
  });
});

describe('L12, L13: locate date', () => {
  const orderTime = '2026-11-24'; // Tuesday
  it('L12: normally 5 working days after the order time; express is working day 1–4', () => {
    expect(earliestNormalLocateDate(orderTime)).toBe('2026-12-01');
    expect(expressWindow(orderTime)).toEqual({ first: '2026-11-25', last: '2026-11-30' });
  });
  it('L12: keeps a desired date at least 5 working days ahead', () => {
    expect(scheduleLocate(orderTime, '2026-12-03', { express: false, split: false })).toEqual({
      ok: true,
      date: '2026-12-03',
      express: false,
    });
  });
  it('L12: moves an earlier desired date to the earliest normal date unless express is ordered', () => {
    expect(scheduleLocate(orderTime, '2026-11-26', { express: false, split: false })).toEqual({
      ok: true,
      date: '2026-12-01',
      express: false,
    });
    expect(scheduleLocate(orderTime, '2026-11-26', { express: true, split: false })).toEqual({
      ok: true,
      date: '2026-11-26',
      express: true,
    });
  });
  it('L13: a split case cannot get express', () => {
    expect(scheduleLocate(orderTime, '2026-11-26', { express: true, split: true })).toEqual({
      ok: false,
      reason: 'express_not_allowed_for_split_case',
    });
  });
  it('L15: a moved locate can only go to a day after today', () => {
    expect(scheduleLocate(orderTime, '2026-12-03', { express: false, split: false, today: '2026-12-03' })).toEqual({
      ok: false,
      reason: 'date_in_past',
    });
    expect(scheduleLocate(orderTime, '2026-12-03', { express: false, split: false, today: '2026-12-02' }).ok).toBe(
      true,
    );
  });
  it('W1: a locate date must be a working day', () => {
    expect(scheduleLocate(orderTime, '2026-12-05', { express: false, split: false })).toEqual({
      ok: false,
      reason: 'not_a_working_day',
    });
  });
});

describe('L12: late answers never schedule a past locate', () => {
  const orderTime = '2026-11-24';
  it('L12: a desired date still ahead is kept, with its express', () => {
    expect(locateDateOnAnswers(orderTime, '2026-12-03', { express: false, split: false, today: '2026-11-25' })).toEqual(
      { date: '2026-12-03', express: false },
    );
    expect(locateDateOnAnswers(orderTime, '2026-11-26', { express: true, split: false, today: '2026-11-25' })).toEqual({
      date: '2026-11-26',
      express: true,
    });
  });
  it('L12: answers on or after the desired date move the locate to the next working day, not express', () => {
    expect(locateDateOnAnswers(orderTime, '2026-12-03', { express: false, split: false, today: '2026-12-03' })).toEqual(
      { date: '2026-12-04', express: false },
    );
    expect(locateDateOnAnswers(orderTime, '2026-11-26', { express: true, split: false, today: '2026-11-27' })).toEqual({
      date: '2026-12-01',
      express: false,
    });
    expect(locateDateOnAnswers(orderTime, null, { express: false, split: false, today: '2026-12-11' })).toEqual({
      date: '2026-12-14',
      express: false,
    });
  });
});

describe('L15: a move and the express period counted from the change', () => {
  // Thursday 3 December 2026, 14:00 Stockholm time: after 12:00, a working day.
  const changedAt = new Date('2026-12-03T13:00:00Z');
  it('L15: a new date on working day 1–4 after the change is express, whatever the original order time', () => {
    expect(scheduleMove(changedAt, '2026-12-04', { express: true, split: false })).toEqual({
      ok: true,
      date: '2026-12-04',
      express: true,
    });
    expect(scheduleMove(changedAt, '2026-12-09', { express: true, split: false })).toMatchObject({ express: true });
    expect(scheduleMove(changedAt, '2026-12-10', { express: false, split: false })).toEqual({
      ok: true,
      date: '2026-12-10',
      express: false,
    });
  });
  it('L15: a date in the express period must be ordered as express; a split part cannot (L13); never today or before', () => {
    expect(scheduleMove(changedAt, '2026-12-04', { express: false, split: false })).toEqual({
      ok: false,
      reason: 'express_period',
    });
    expect(scheduleMove(changedAt, '2026-12-04', { express: true, split: true })).toEqual({
      ok: false,
      reason: 'express_not_allowed_for_split_case',
    });
    expect(scheduleMove(changedAt, '2026-12-03', { express: true, split: false })).toEqual({
      ok: false,
      reason: 'date_in_past',
    });
    expect(scheduleMove(changedAt, '2026-12-05', { express: true, split: false })).toEqual({
      ok: false,
      reason: 'not_a_working_day',
    });
  });
});

describe('T2, L5: fee quotes', () => {
  it('T2: VAT per line, half up; the total includes it; the confirmation is the net sum', () => {
    const q = feeQuote([feeLine(fees, 'change'), { code: 'express', amount: sek(1_002) }], 'private');
    expect(q.lines.map((l) => [l.net.minor, l.vat.minor, l.amount.minor])).toEqual([
      [50_000, 12_500, 62_500],
      [1_002, 251, 1_253],
    ]);
    expect([q.net.minor, q.vat.minor, q.total.minor]).toEqual([51_002, 12_751, 63_753]);
  });
});

describe('L14 (§3.1): locates of owners answered "dig according to map"', () => {
  it("L14: a map-only owner's locate costs the fee; a maps-primarily owner's is free; a locating owner offers none", () => {
    expect(ownerLocateFees(fees, 'map_only').map((f) => f.amount.minor)).toEqual([120_000]);
    expect(ownerLocateFees(fees, 'maps_primarily')).toEqual([]);
    expect(offersLocateOnOrder('maps_primarily', 'dig_according_to_map')).toBe(true);
    expect(offersLocateOnOrder('map_only', 'dig_according_to_map')).toBe(true);
    expect(offersLocateOnOrder('locates', 'dig_according_to_map')).toBe(false);
    expect(offersLocateOnOrder('maps_primarily', 'information')).toBe(false);
  });
});

describe('L15, L16: change and cancellation fees', () => {
  const locateDate = '2026-12-01'; // Tuesday: free until Monday 30 Nov 12:00 CET = 11:00 UTC
  it('L15: moving is free until 12:00 on the working day before, then the change fee applies', () => {
    expect(moveFees(fees, locateDate, false, new Date('2026-11-30T10:59:59Z'))).toEqual([]);
    expect(
      moveFees(fees, locateDate, false, new Date('2026-11-30T11:00:00Z')).map((f) => [f.code, f.amount.minor]),
    ).toEqual([['change', 50_000]]);
  });
  it('L15: a new date inside the express period also costs the express fee', () => {
    expect(moveFees(fees, locateDate, true, new Date('2026-11-30T11:00:00Z')).map((f) => f.code)).toEqual([
      'change',
      'express',
    ]);
    expect(moveFees(fees, locateDate, true, new Date('2026-11-25T09:00:00Z')).map((f) => f.code)).toEqual(['express']);
  });
  it('L16: cancelling is free until 12:00 on the working day before', () => {
    expect(cancellationFees(fees, '2026-11-30', new Date('2026-11-27T10:59:00Z'))).toEqual([]); // Monday's date → Friday noon
    expect(cancellationFees(fees, '2026-11-30', new Date('2026-11-27T11:00:00Z')).map((f) => f.amount.minor)).toEqual([
      75_000,
    ]);
  });
});

describe('L17, L18: planning cases', () => {
  it('L17: the PDF is due within 10 working days', () => {
    expect(planningDueDate(new Date('2026-12-18T09:00:00Z'))).toBe('2027-01-08'); // Christmas, New Year and Epiphany skipped
  });
  it('L17 (§4.1): counted from the registration date, so a registration after 12:00 gets no extra day', () => {
    // Tuesday 24 Nov: 11:59 and 12:00 Stockholm time have different order times but one registration date.
    expect(planningDueDate(new Date('2026-11-24T10:59:00Z'))).toBe('2026-12-08');
    expect(planningDueDate(new Date('2026-11-24T11:00:00Z'))).toBe('2026-12-08');
    expect(addWorkingDays(orderTimeOf(new Date('2026-11-24T11:00:00Z')), 10)).toBe('2026-12-09'); // the old, wrong count
    // Saturday: the first working day counted is Monday, as from Friday.
    expect(planningDueDate(new Date('2026-11-28T10:00:00Z'))).toBe('2026-12-11');
    expect(planningFasterDueDate(new Date('2026-11-24T11:00:00Z'))).toBe('2026-12-01');
  });
  it('L17: faster delivery and each vector format are paid add-ons (T1: öre)', () => {
    expect(planningAddOnFees(fees, false, [])).toEqual([]);
    const lines = planningAddOnFees(fees, true, ['DXF', 'Shape']);
    expect(lines.map((f) => f.code)).toEqual([
      'planningFasterDelivery',
      'planningVectorFormat',
      'planningVectorFormat',
    ]);
    expect(feeTotal(lines)).toBe(100_000 + 2 * 80_000);
  });
  it('L18: withdrawal within 48 hours of ordering, unless delivered', () => {
    const ordered = new Date('2026-11-24T10:00:00Z');
    expect(canWithdraw(ordered, new Date('2026-11-26T10:00:00Z'), false)).toBe(true);
    expect(canWithdraw(ordered, new Date('2026-11-26T10:00:01Z'), false)).toBe(false);
    expect(canWithdraw(ordered, new Date('2026-11-24T11:00:00Z'), true)).toBe(false);
  });
});

describe('L7, L11–L18: the actions a user is offered on a case', () => {
  const unanswered = [
    { id: 'el', mode: 'locates' as const, answer: null },
    { id: 'fiber', mode: 'map_only' as const, answer: null },
  ];
  const answered = [
    { id: 'el', mode: 'locates' as const, answer: 'no_infrastructure' as const },
    { id: 'fiber', mode: 'map_only' as const, answer: 'dig_according_to_map' as const },
  ];
  const offered = (c: Partial<CaseFacts>, role: string) => {
    const actions = caseActions({ kind: 'locate', status: 'registered', owners: unanswered, ...c }, role);
    return Object.entries(actions)
      .filter(([, may]) => (Array.isArray(may) ? may.length > 0 : may))
      .map(([action]) => action);
  };

  it('L11, L13: a handler answers a registered case per owner, and splits a locate case before any answer', () => {
    expect(offered({}, 'handler')).toEqual(['answer', 'split', 'complain', 'respond']);
    expect(offered({ owners: [answered[0]!, unanswered[1]!] }, 'handler')).toEqual(['answer', 'complain', 'respond']);
    expect(offered({ kind: 'survey' }, 'handler')).toEqual(['answer', 'complain', 'respond']);
  });
  it('L11: answers are given only while the case is registered; a split case and a located one take none', () => {
    for (const status of CASE_STATUSES) {
      expect([status, caseActions({ kind: 'locate', status, owners: unanswered }, 'handler').answer]).toEqual([
        status,
        status === 'registered',
      ]);
    }
  });
  it('L13: a part of a split case is not split again', () => {
    expect(offered({ parentLk: 'LK-2026-000001' }, 'handler')).toEqual(['answer', 'complain', 'respond']);
  });
  it('L18: withdrawal is offered within 48 hours of registration, not after', () => {
    const registeredAt = new Date('2026-12-01T10:00:00Z');
    const planning = { kind: 'planning' as const, status: 'registered' as const, owners: unanswered, registeredAt };
    expect(caseActions(planning, 'customer', new Date('2026-12-03T09:59:00Z')).withdraw).toBe(true);
    expect(caseActions(planning, 'customer', new Date('2026-12-03T10:01:00Z')).withdraw).toBe(false);
  });
  it('L12, L15, L16: a scheduled locate is marked done by a handler, moved or cancelled by the customer', () => {
    expect(offered({ status: 'locate_scheduled', owners: answered }, 'handler')).toEqual([
      'locateDone',
      'moveLocate',
      'complain',
      'respond',
    ]);
    expect(offered({ status: 'locate_scheduled', owners: answered }, 'customer')).toEqual([
      'moveLocate',
      'cancelLocate',
      'complain',
    ]);
    expect(offered({ status: 'located', owners: answered }, 'customer')).toEqual(['complain']);
    expect(offered({ status: 'located', owners: answered }, 'handler')).toEqual(['complain', 'respond']);
  });
  it('L17, L18: a registered planning case is delivered by a handler; the customer orders add-ons or withdraws it', () => {
    // A planning case is delivered, not answered per owner (the case workflow refuses answers on it).
    expect(offered({ kind: 'planning' }, 'handler')).toEqual(['deliver', 'withdraw', 'complain', 'respond']);
    expect(offered({ kind: 'planning' }, 'customer')).toEqual(['withdraw', 'addOns', 'complain']);
    for (const status of ['delivered', 'withdrawn'] as const) {
      expect(offered({ kind: 'planning', status }, 'customer')).toEqual(['complain']);
      expect(offered({ kind: 'planning', status }, 'handler')).toEqual(['complain', 'respond']);
    }
    expect(offered({}, 'customer')).toEqual(['complain']);
  });
  it("L14: once answered, the customer may order a locate of each map-only owner answered 'dig according to map'", () => {
    expect(caseActions({ kind: 'locate', status: 'answered', owners: answered }, 'customer').mapOnlyLocate).toEqual([
      'fiber',
    ]);
    const located = answered.map((o) => ({ ...o, answer: 'locate_needed' as const }));
    expect(caseActions({ kind: 'locate', status: 'answered', owners: located }, 'customer').mapOnlyLocate).toEqual([]);
    expect(
      caseActions({ kind: 'locate', status: 'locate_scheduled', owners: answered }, 'customer').mapOnlyLocate,
    ).toEqual([]);
    expect(caseActions({ kind: 'locate', status: 'answered', owners: answered }, 'handler').mapOnlyLocate).toEqual([]);
    // §3.1: an owner that primarily supplies maps answered "dig according to map" is offered too.
    const primarily = [{ id: 'va', mode: 'maps_primarily' as const, answer: 'dig_according_to_map' as const }];
    expect(caseActions({ kind: 'locate', status: 'answered', owners: primarily }, 'customer').mapOnlyLocate).toEqual([
      'va',
    ]);
  });
  it('L7: customers file complaints and handlers respond, whatever the status; finance and admin act on no case', () => {
    for (const status of CASE_STATUSES) {
      expect(caseActions({ kind: 'locate', status, owners: answered }, 'customer').complain).toBe(true);
      expect(caseActions({ kind: 'locate', status, owners: answered }, 'handler').respond).toBe(true);
      expect(offered({ status }, 'finance')).toEqual([]);
      expect(offered({ status }, 'admin')).toEqual([]);
    }
  });
});

it('L4: LK numbers are readable and ordered', () => {
  expect(lkNumber(2026, 123)).toBe('LK-2026-000123');
});
