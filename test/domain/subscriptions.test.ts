import { describe, expect, it } from 'vitest';
import { addMonths, lastDayOfTerm, scheduledRuns, termEndAfter } from '../../orders/subscriptions.rules';

describe('G8: scheduled deliveries of a term', () => {
  const start = Date.UTC(2026, 0, 31, 9, 30);

  it('monthly, quarterly and yearly runs start with the term; an on-request subscription only gets its first BAS', () => {
    expect(scheduledRuns('monthly', 1, start)).toHaveLength(12);
    expect(scheduledRuns('quarterly', 3, start).map((t) => new Date(t).toISOString())).toEqual([
      '2026-01-31T09:30:00.000Z',
      '2026-04-30T09:30:00.000Z',
      '2026-07-31T09:30:00.000Z',
      '2026-10-31T09:30:00.000Z',
    ]);
    expect(scheduledRuns('yearly', 2, start)).toEqual([start]);
    expect(scheduledRuns(null, 1, start)).toEqual([start]);
    expect(scheduledRuns(null, 2, start)).toEqual([]);
  });

  it('a term is twelve calendar months; the 31st falls back to the month’s last day', () => {
    expect(new Date(addMonths(start, 12)).toISOString()).toBe('2027-01-31T09:30:00.000Z');
    expect(new Date(addMonths(start, 1)).toISOString()).toBe('2026-02-28T09:30:00.000Z');
    expect(new Date(addMonths(Date.UTC(2028, 1, 29), 12)).toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });

  it('G4, G8: the agreement runs to the term’s last Stockholm day, the day the term ends unless it ends at midnight', () => {
    // Approved 15 March 2026 at 14:00 in Stockholm: the term ends 15 March 2027 at 14:00.
    const approved = Date.UTC(2026, 2, 15, 13, 0);
    expect(lastDayOfTerm(termEndAfter(approved))).toBe('2027-03-15');
    // Approved at Stockholm midnight: the term ends at midnight, so its last day is the day before.
    expect(lastDayOfTerm(termEndAfter(Date.UTC(2026, 2, 14, 23, 0)))).toBe('2027-03-14');
    // Late in the evening in Stockholm is already the next day in UTC's terms, and the other way round.
    expect(lastDayOfTerm(termEndAfter(Date.UTC(2026, 5, 30, 22, 30)))).toBe('2027-07-01');
  });
});
