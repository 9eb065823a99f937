import { describe, expect, it } from 'vitest';
import { addMonths, scheduledRuns } from '../../domain/subscriptions';

describe('G8: scheduled deliveries of a term', () => {
  const start = Date.UTC(2026, 0, 31, 9, 30);

  it('monthly, quarterly and yearly runs start with the term; an on-request subscription only gets its first BAS', () => {
    expect(scheduledRuns('monthly', 1, start)).toHaveLength(12);
    expect(scheduledRuns('quarterly', 3, start).map((t) => new Date(t).toISOString())).toEqual(['2026-01-31T09:30:00.000Z', '2026-04-30T09:30:00.000Z', '2026-07-31T09:30:00.000Z', '2026-10-31T09:30:00.000Z']);
    expect(scheduledRuns('yearly', 2, start)).toEqual([start]);
    expect(scheduledRuns(null, 1, start)).toEqual([start]);
    expect(scheduledRuns(null, 2, start)).toEqual([]);
  });

  it('a term is twelve calendar months; the 31st falls back to the month’s last day', () => {
    expect(new Date(addMonths(start, 12)).toISOString()).toBe('2027-01-31T09:30:00.000Z');
    expect(new Date(addMonths(start, 1)).toISOString()).toBe('2026-02-28T09:30:00.000Z');
    expect(new Date(addMonths(Date.UTC(2028, 1, 29), 12)).toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });
});
