import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  calendarDays,
  dayInfo,
  easterSunday,
  holidaysOfYear,
  isWorkingDay,
  noonOfWorkingDayBefore,
  orderTime,
  parseIsoDate,
  workingDaysBetween,
  zonedInstant,
  zonedParts,
  zoneOffsetMinutes,
} from '../../domain/calendar';

/** An independent Easter computation (Gauss, with the Gregorian corrections) to check against. */
function gaussEaster(year: number): string {
  const a = year % 19, b = year % 4, c = year % 7;
  const k = Math.floor(year / 100), p = Math.floor((13 + 8 * k) / 25), q = Math.floor(k / 4);
  const M = (15 - p + k - q) % 30, N = (4 + k - q) % 7;
  const d = (19 * a + M) % 30, e = (2 * b + 4 * c + 6 * d + N) % 7;
  let day = 22 + d + e; // in March
  if (d === 29 && e === 6) day = 50;
  else if (d === 28 && e === 6 && (11 * M + 11) % 30 < 19) day = 49;
  const date = new Date(Date.UTC(year, 2, day));
  return date.toISOString().slice(0, 10);
}

describe('W2: Easter is computed for every year 1900–2200', () => {
  it.each([
    [1900, '1900-04-15'], [1961, '1961-04-02'], [2000, '2000-04-23'], [2024, '2024-03-31'], [2025, '2025-04-20'],
    [2026, '2026-04-05'], [2038, '2038-04-25'], [2100, '2100-03-28'], [2200, '2200-04-06'],
  ])('W2: Easter Sunday %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('W2: agrees with an independent algorithm in every year', () => {
    for (let y = 1900; y <= 2200; y++) expect(easterSunday(y)).toBe(gaussEaster(y));
  });
});

describe('W1: holidays', () => {
  it('W1: lists the 2026 holidays', () => {
    expect(holidaysOfYear(2026).map((h) => `${h.date} ${h.name.sv}`)).toEqual([
      '2026-01-01 Nyårsdagen', '2026-01-06 Trettondedag jul', '2026-04-03 Långfredagen', '2026-04-06 Annandag påsk',
      '2026-05-01 Första maj', '2026-05-14 Kristi himmelsfärdsdag', '2026-06-06 Sveriges nationaldag', '2026-06-19 Midsommarafton',
      '2026-12-24 Julafton', '2026-12-25 Juldagen', '2026-12-26 Annandag jul', '2026-12-31 Nyårsafton',
    ]);
  });

  it('W1: Midsummer Eve is the Friday between 19 and 25 June, every year', () => {
    for (let y = 1900; y <= 2200; y++) {
      const eve = holidaysOfYear(y).find((h) => h.name.en === 'Midsummer Eve')!.date;
      expect(new Date(`${eve}T00:00:00Z`).getUTCDay()).toBe(5);
      expect(Number(eve.slice(8))).toBeGreaterThanOrEqual(19);
      expect(Number(eve.slice(8))).toBeLessThanOrEqual(25);
    }
  });

  it('W1: Ascension Day is Easter + 39 days, a Thursday', () => {
    expect(dayInfo('2026-05-14').holiday?.en).toBe('Ascension Day');
    expect(new Date('2026-05-14T00:00:00Z').getUTCDay()).toBe(4);
  });

  it('W1: tells why a day is not a working day', () => {
    expect(dayInfo('2026-11-28')).toEqual({ date: '2026-11-28', working: false, weekend: true, holiday: null });
    expect(dayInfo('2026-12-24')).toMatchObject({ working: false, weekend: false, holiday: { en: 'Christmas Eve', sv: 'Julafton' } });
    expect(dayInfo('2026-11-24')).toMatchObject({ working: true, holiday: null });
  });

  it('W1: counts the working days of whole years', () => {
    // Worked by hand: 2024 has 262 weekdays and 11 holidays on them; 2025 261 and 12; 2026 261 and 10.
    for (const [year, expected] of [[2024, 251], [2025, 249], [2026, 251]] as const) {
      let weekdays = 0;
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
        const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
        if (wd !== 0 && wd !== 6) weekdays++;
      }
      const onWeekdays = holidaysOfYear(year).filter((h) => ![0, 6].includes(new Date(`${h.date}T00:00:00Z`).getUTCDay())).length;
      expect(weekdays - onWeekdays).toBe(expected);
      expect(workingDaysBetween(`${year - 1}-12-31`, `${year}-12-31`)).toBe(expected);
    }
  });

  it('W2: works at both ends of the range and refuses dates outside it', () => {
    expect(dayInfo('1900-01-01').holiday?.en).toBe("New Year's Day");
    expect(dayInfo('2200-12-31').holiday?.en).toBe("New Year's Eve");
    expect(() => dayInfo('1899-12-31')).toThrow(/1900–2200/);
    expect(() => parseIsoDate('2026-02-30')).toThrow(/not a real date/);
    expect(() => parseIsoDate('2026-2-3')).toThrow(/YYYY-MM-DD/);
  });
});

describe('W1: counting working days', () => {
  it('W1: skips Easter and Christmas', () => {
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-07'); // Maundy Thursday → Tuesday after Easter Monday
    expect(addWorkingDays('2026-12-23', 1)).toBe('2026-12-28');
    expect(addWorkingDays('2026-12-23', 2)).toBe('2026-12-29');
    expect(addWorkingDays('2027-01-04', -1)).toBe('2026-12-30');
    expect(addWorkingDays('2026-11-28', 0)).toBe('2026-11-28');
  });

  it('W1: the invariants hold on every day 1900–2200', () => {
    for (let d = '1900-01-02'; d <= '2200-12-20'; d = addDays(d, 1)) {
      const next = addWorkingDays(d, 1);
      expect(isWorkingDay(next) && next > d).toBe(true);
      expect(workingDaysBetween(d, next)).toBe(1);
      expect(addWorkingDays(next, -1) <= d).toBe(true);
    }
  }, 60_000);
});

describe('T4: Stockholm and Helsinki time without a time-zone database', () => {
  it('T4: matches the platform time-zone data for every hour boundary around the switches 1996–2037', () => {
    const fmt = (zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' });
    for (let y = 1996; y <= 2037; y++) {
      for (const month of [2, 9]) {
        for (let day = 24; day <= 31; day++) {
          for (const hour of [0, 1, 2]) {
            const instant = new Date(Date.UTC(y, month, day, hour, 30));
            for (const zone of ['Europe/Stockholm', 'Europe/Helsinki'] as const) {
              const text = fmt(zone).format(instant);
              const [, sign, hh] = /GMT([+-])(\d{2})/.exec(text)!;
              expect(zoneOffsetMinutes(instant, zone)).toBe((sign === '-' ? -1 : 1) * Number(hh) * 60);
            }
          }
        }
      }
    }
  });

  it('T4: local wall time round-trips, also on the switch days', () => {
    for (const date of ['2026-03-29', '2026-10-25', '2026-07-01', '2026-01-15']) {
      const noon = zonedInstant(date, 12, 0, 'Europe/Stockholm');
      expect(zonedParts(noon, 'Europe/Stockholm')).toEqual({ date, hour: 12, minute: 0 });
    }
    expect(zonedInstant('2026-10-25', 2, 30, 'Europe/Stockholm').toISOString()).toBe('2026-10-25T00:30:00.000Z'); // the earlier 02:30
  });
});

describe('L3: order time', () => {
  const at = (iso: string) => new Date(iso);
  it('L3: a working day before 12:00 Stockholm time is its own order time', () => {
    expect(orderTime(at('2026-11-27T10:59:59Z'))).toBe('2026-11-27'); // Friday 11:59:59 CET
  });
  it('L3: 12:00 and later moves to the next working day', () => {
    expect(orderTime(at('2026-11-27T11:00:00Z'))).toBe('2026-11-30'); // Friday 12:00 CET → Monday
    expect(orderTime(at('2026-06-12T10:00:00Z'))).toBe('2026-06-15'); // Friday 12:00 CEST → Monday
    expect(orderTime(at('2026-06-12T09:59:00Z'))).toBe('2026-06-12'); // 11:59 CEST
  });
  it('L3: a non-working day moves to the next working day', () => {
    expect(orderTime(at('2026-11-28T08:00:00Z'))).toBe('2026-11-30'); // Saturday
    expect(orderTime(at('2026-05-13T12:00:00Z'))).toBe('2026-05-15'); // the afternoon before Ascension Day
    expect(orderTime(at('2026-12-24T08:00:00Z'))).toBe('2026-12-28'); // Christmas Eve
  });
  it('L3: uses the local date, not the UTC date, around midnight and on DST change days', () => {
    expect(orderTime(at('2026-11-29T23:30:00Z'))).toBe('2026-11-30'); // Monday 00:30 CET
    expect(orderTime(at('2026-03-29T22:30:00Z'))).toBe('2026-03-30'); // Monday 00:30 CEST after the spring switch
    expect(orderTime(at('2026-10-26T10:30:00Z'))).toBe('2026-10-26'); // Monday 11:30 CET after the autumn switch
  });
});

describe('L15, L16: 12:00 on the working day before', () => {
  it('L15: in winter 12:00 Stockholm is 11:00 UTC, in summer 10:00 UTC', () => {
    expect(noonOfWorkingDayBefore('2026-12-02').toISOString()).toBe('2026-12-01T11:00:00.000Z');
    expect(noonOfWorkingDayBefore('2026-06-03').toISOString()).toBe('2026-06-02T10:00:00.000Z');
  });
  it('L16: skips a weekend and a holiday', () => {
    expect(noonOfWorkingDayBefore('2026-11-30').toISOString()).toBe('2026-11-27T11:00:00.000Z'); // Monday → Friday
    expect(noonOfWorkingDayBefore('2026-04-07').toISOString()).toBe('2026-04-02T10:00:00.000Z'); // after Easter → Maundy Thursday
  });
});

describe('the public calendar range', () => {
  it('lists each day with whether it is a working day and the holiday', () => {
    const days = calendarDays('2026-12-23', '2026-12-28');
    expect(days.map((d) => [d.date, d.working, d.holiday?.en ?? null])).toEqual([
      ['2026-12-23', true, null], ['2026-12-24', false, 'Christmas Eve'], ['2026-12-25', false, 'Christmas Day'],
      ['2026-12-26', false, 'Boxing Day'], ['2026-12-27', false, null], ['2026-12-28', true, null],
    ]);
  });
  it('refuses more than 400 days and a reversed range', () => {
    expect(calendarDays('2026-01-01', '2027-02-04')).toHaveLength(400);
    expect(() => calendarDays('2026-01-01', '2027-02-05')).toThrow(/at most 400/);
    expect(() => calendarDays('2026-02-01', '2026-01-01')).toThrow(/before/);
  });
});
