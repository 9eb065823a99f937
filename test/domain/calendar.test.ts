import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  calendarDays,
  dayInfo,
  easterSunday,
  helsinkiDate,
  holidaysOfYear,
  isWorkingDay,
  MAX_CALENDAR_RANGE_DAYS,
  nextWorkingDay,
  noonOfWorkingDayBefore,
  orderTime,
  parseIsoDate,
  stockholmDate,
  weekday,
  workingDaysBetween,
  zonedInstant,
  zonedParts,
  zoneOffsetMinutes,
} from '../../domain/calendar';

// Expected dates and counts below were computed outside this code base (Python's
// dateutil.easter and a separate implementation of the W1 list), not read off the module.

/** An independent Easter computation (Gauss, with the Gregorian corrections) to check against. */
function gaussEaster(year: number): string {
  const a = year % 19,
    b = year % 4,
    c = year % 7;
  const k = Math.floor(year / 100),
    p = Math.floor((13 + 8 * k) / 25),
    q = Math.floor(k / 4);
  const M = (15 - p + k - q) % 30,
    N = (4 + k - q) % 7;
  const d = (19 * a + M) % 30,
    e = (2 * b + 4 * c + 6 * d + N) % 7;
  let day = 22 + d + e; // in March
  if (d === 29 && e === 6) day = 50;
  else if (d === 28 && e === 6 && (11 * M + 11) % 30 < 19) day = 49;
  return new Date(Date.UTC(year, 2, day)).toISOString().slice(0, 10);
}

const at = (iso: string) => new Date(iso);
const utc = (d: Date) => d.toISOString();

describe('W2: dates', () => {
  it('W2: parses valid dates and rejects malformed, unreal and out-of-range ones', () => {
    expect(parseIsoDate('1970-01-02')).toBe(1);
    expect(parseIsoDate('2024-02-29') - parseIsoDate('2024-02-28')).toBe(1);
    expect(() => parseIsoDate('2000-02-29')).not.toThrow(); // divisible by 400: leap year
    expect(() => parseIsoDate('2026-02-30')).toThrow(RangeError);
    expect(() => parseIsoDate('2026-02-30')).toThrow(/"2026-02-30" is not a real date/);
    expect(() => parseIsoDate('2100-02-29')).toThrow(/not a real date/); // divisible by 100: not a leap year
    expect(() => parseIsoDate('2026-13-01')).toThrow(/not a real date/);
    expect(() => parseIsoDate('2026-2-3')).toThrow(/YYYY-MM-DD/);
    expect(() => parseIsoDate('2026-02-03T00:00')).toThrow(/YYYY-MM-DD/);
    expect(() => parseIsoDate('1899-12-31')).toThrow(/1900–2200/);
    expect(() => parseIsoDate('2201-01-01')).toThrow(/1900–2200/);
    expect(() => parseIsoDate('0050-01-01')).toThrow(/1900–2200/);
  });

  it('W2: adds calendar days and tells the weekday (0 = Sunday)', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekday('2026-06-19')).toBe(5);
    expect(weekday('1900-01-01')).toBe(1);
    expect(weekday('2200-12-31')).toBe(3);
    expect(() => addDays('2200-12-31', 1)).toThrow(/1900–2200/);
    expect(() => addDays('2026-01-01', 0.5)).toThrow(/whole number/);
  });
});

describe('W2: Easter is computed for every year 1900–2200', () => {
  it.each([
    [1900, '1900-04-15'],
    [1961, '1961-04-02'],
    [2000, '2000-04-23'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2038, '2038-04-25'],
    [2100, '2100-03-28'],
    [2200, '2200-04-06'],
  ])('W2: Easter Sunday %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('W2: agrees with an independent algorithm in every year', () => {
    for (let y = 1900; y <= 2200; y++) expect(easterSunday(y)).toBe(gaussEaster(y));
  });

  it('W2: refuses years outside 1900–2200', () => {
    expect(() => easterSunday(1899)).toThrow(/1900–2200/);
    expect(() => holidaysOfYear(2201)).toThrow(/1900–2200/);
    expect(() => holidaysOfYear(2026.5)).toThrow(RangeError);
  });
});

describe('W1: holidays', () => {
  it('W1: lists the 2026 holidays in English and Swedish', () => {
    expect(holidaysOfYear(2026).map((h) => [h.date, h.name.en, h.name.sv])).toEqual([
      ['2026-01-01', "New Year's Day", 'Nyårsdagen'],
      ['2026-01-06', 'Epiphany', 'Trettondedag jul'],
      ['2026-04-03', 'Good Friday', 'Långfredagen'],
      ['2026-04-06', 'Easter Monday', 'Annandag påsk'],
      ['2026-05-01', 'May Day', 'Första maj'],
      ['2026-05-14', 'Ascension Day', 'Kristi himmelsfärdsdag'],
      ['2026-06-06', 'National Day', 'Sveriges nationaldag'],
      ['2026-06-19', 'Midsummer Eve', 'Midsommarafton'],
      ['2026-12-24', 'Christmas Eve', 'Julafton'],
      ['2026-12-25', 'Christmas Day', 'Juldagen'],
      ['2026-12-26', 'Boxing Day', 'Annandag jul'],
      ['2026-12-31', "New Year's Eve", 'Nyårsafton'],
    ]);
  });

  it.each([
    [1900, '1900-06-22'],
    [2024, '2024-06-21'],
    [2025, '2025-06-20'],
    [2026, '2026-06-19'],
    [2027, '2027-06-25'],
    [2028, '2028-06-23'],
    [2029, '2029-06-22'],
    [2200, '2200-06-20'],
  ])('W1: Midsummer Eve %i is %s', (year, date) => {
    expect(holidaysOfYear(year).find((h) => h.name.en === 'Midsummer Eve')?.date).toBe(date);
  });

  it('W1: Midsummer Eve is the Friday between 19 and 25 June, every year', () => {
    for (let y = 1900; y <= 2200; y++) {
      const eve = holidaysOfYear(y).find((h) => h.name.en === 'Midsummer Eve')!.date;
      expect(weekday(eve)).toBe(5);
      expect(eve >= `${y}-06-19` && eve <= `${y}-06-25`).toBe(true);
    }
  });

  it('W1: the Easter-based holidays keep their distance from Easter, every year', () => {
    for (let y = 1900; y <= 2200; y++) {
      const easter = easterSunday(y);
      const on = (en: string) => holidaysOfYear(y).find((h) => h.name.en === en)!.date;
      expect(weekday(easter)).toBe(0);
      expect(on('Good Friday')).toBe(addDays(easter, -2));
      expect(on('Easter Monday')).toBe(addDays(easter, 1));
      expect(on('Ascension Day')).toBe(addDays(easter, 39));
      expect(weekday(on('Ascension Day'))).toBe(4);
    }
  });

  it('W1: tells why a day is not a working day', () => {
    expect(dayInfo('2026-11-28')).toEqual({ date: '2026-11-28', working: false, weekend: true, holiday: null });
    expect(dayInfo('2026-12-24')).toEqual({
      date: '2026-12-24',
      working: false,
      weekend: false,
      holiday: { en: 'Christmas Eve', sv: 'Julafton' },
    });
    expect(dayInfo('2026-06-06')).toMatchObject({ working: false, weekend: true, holiday: { en: 'National Day' } }); // a Saturday
    expect(dayInfo('2026-11-24')).toEqual({ date: '2026-11-24', working: true, weekend: false, holiday: null });
    expect(isWorkingDay('2026-05-14')).toBe(false);
    expect(isWorkingDay('2026-05-13')).toBe(true);
  });

  it('W1: when Ascension Day falls on 1 May (1913, 2008, 2160) both holidays are named', () => {
    for (const year of [1913, 2008, 2160]) {
      const onMay1 = holidaysOfYear(year)
        .filter((h) => h.date === `${year}-05-01`)
        .map((h) => h.name.en);
      expect(onMay1).toEqual(['May Day', 'Ascension Day']);
      expect(dayInfo(`${year}-05-01`).holiday).toEqual({
        en: 'May Day / Ascension Day',
        sv: 'Första maj / Kristi himmelsfärdsdag',
      });
    }
  });

  it.each([
    [1900, 250],
    [1913, 250],
    [2008, 252],
    [2024, 251],
    [2025, 249],
    [2026, 251],
    [2027, 253],
    [2100, 253],
    [2200, 249],
  ])('W1: %i has %i working days', (year, expected) => {
    const days = year === 2200 ? 365 : parseIsoDate(`${year + 1}-01-01`) - parseIsoDate(`${year}-01-01`);
    let working = 0;
    for (let i = 0; i < days; i++) if (isWorkingDay(addDays(`${year}-01-01`, i))) working++;
    expect(working).toBe(expected);
    if (year > 1900) expect(workingDaysBetween(`${year - 1}-12-31`, `${year}-12-31`)).toBe(expected);
  });

  it('W2: works at both ends of the range', () => {
    expect(dayInfo('1900-01-01').holiday?.en).toBe("New Year's Day");
    expect(dayInfo('2200-12-31').holiday?.en).toBe("New Year's Eve");
    expect(nextWorkingDay('1900-01-01')).toBe('1900-01-02');
    expect(addWorkingDays('2200-12-23', 1)).toBe('2200-12-29');
    expect(nextWorkingDay('2200-12-29')).toBe('2200-12-30');
    expect(() => nextWorkingDay('2200-12-30')).toThrow(/1900–2200/); // no working day left in 2200
    expect(() => addWorkingDays('1900-01-02', -1)).toThrow(/1900–2200/);
    expect(() => dayInfo('1899-12-31')).toThrow(/1900–2200/);
  });
});

describe('W1: counting working days', () => {
  it('W1: skips Easter and Christmas', () => {
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-07'); // Maundy Thursday → Tuesday after Easter Monday
    expect(addWorkingDays('2026-04-07', -1)).toBe('2026-04-02');
    expect(addWorkingDays('2026-03-31', 5)).toBe('2026-04-09');
    expect(addWorkingDays('2026-12-23', 1)).toBe('2026-12-28');
    expect(addWorkingDays('2026-12-23', 2)).toBe('2026-12-29');
    expect(addWorkingDays('2026-12-23', 4)).toBe('2027-01-04'); // over New Year's Eve, New Year's Day and a weekend
    expect(addWorkingDays('2027-01-04', -1)).toBe('2026-12-30');
    expect(workingDaysBetween('2026-12-23', '2027-01-04')).toBe(4);
    expect(workingDaysBetween('2027-01-04', '2026-12-23')).toBe(-4);
  });

  it('W1: n = 0 returns the date itself, working day or not; n must be whole', () => {
    expect(addWorkingDays('2026-11-28', 0)).toBe('2026-11-28');
    expect(addWorkingDays('2026-11-27', 0)).toBe('2026-11-27');
    expect(() => addWorkingDays('2026-11-27', 1.5)).toThrow(/whole number/);
    expect(() => addWorkingDays('2026-02-30', 0)).toThrow(/not a real date/);
  });

  it('W1: nextWorkingDay is strictly after, also from a working day', () => {
    expect(nextWorkingDay('2026-11-26')).toBe('2026-11-27');
    expect(nextWorkingDay('2026-11-27')).toBe('2026-11-30');
    expect(nextWorkingDay('2026-06-18')).toBe('2026-06-22'); // over Midsummer Eve
  });

  it('W1: workingDaysBetween counts from `from` (excluded) to `to` (included), signed', () => {
    expect(workingDaysBetween('2026-11-27', '2026-11-27')).toBe(0);
    expect(workingDaysBetween('2026-11-27', '2026-11-30')).toBe(1); // Friday not counted, Monday counted
    expect(workingDaysBetween('2026-11-28', '2026-11-29')).toBe(0);
    expect(workingDaysBetween('2026-11-30', '2026-11-27')).toBe(-1); // Friday counted, Monday not
    expect(workingDaysBetween('2026-11-28', '2026-11-27')).toBe(-1); // from a Saturday back to Friday
    expect(workingDaysBetween('2026-11-30', '2026-11-28')).toBe(0);
    expect(() => workingDaysBetween('2026-01-01', '2026-13-01')).toThrow(/not a real date/);
  });

  it('W1, W2: the invariants hold on every day 1900–2200', () => {
    // Violations are collected and asserted once: a million expect() calls would be slow.
    const broken: string[] = [];
    const check = (ok: boolean, what: string) => ok || broken.push(what);
    let working = 0;
    for (let d = '1900-01-01'; ; d = addDays(d, 1)) {
      if (isWorkingDay(d)) working++;
      if (d === '2200-12-31') break;
      if (d <= '2200-12-29') {
        const next = addWorkingDays(d, 1);
        check(next > d && isWorkingDay(next), `${d}: next ${next} is not a later working day`);
        check(nextWorkingDay(d) === next, `${d}: nextWorkingDay`);
        check(workingDaysBetween(d, next) === 1, `${d}: between next`);
        check(workingDaysBetween(d, addDays(next, -1)) === 0, `${d}: a working day before ${next}`);
        check(workingDaysBetween(next, d) === (isWorkingDay(d) ? -1 : 0), `${d}: between back`);
      }
      if (d >= '1900-01-03') {
        const previous = addWorkingDays(d, -1);
        check(previous < d && isWorkingDay(previous), `${d}: previous ${previous} is not an earlier working day`);
        check(workingDaysBetween(d, previous) === -1, `${d}: between previous`);
        check(addWorkingDays(previous, 1) >= d, `${d}: a working day after ${previous}`);
      }
    }
    expect(broken).toEqual([]);
    expect(working).toBe(75_601);
  }, 120_000);

  it('W1: workingDaysBetween(d, addWorkingDays(d, n)) === n, sampled 1900–2200', () => {
    const broken: string[] = [];
    for (let d = '1900-01-20'; d < '2200-12-01'; d = addDays(d, 11)) {
      for (const n of [-7, -1, 0, 3, 10])
        if (workingDaysBetween(d, addWorkingDays(d, n)) !== n) broken.push(`${d} ${n}`);
    }
    expect(broken).toEqual([]);
  }, 60_000);
});

describe('T4: Stockholm and Helsinki time without a time-zone database', () => {
  it('T4: matches the platform time-zone data around every switch 1996–2037', () => {
    const fmt = (zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' });
    for (let y = 1996; y <= 2037; y++) {
      for (const month of [2, 9]) {
        for (let day = 24; day <= 31; day++) {
          for (const [hour, minute] of [
            [0, 30],
            [0, 59],
            [1, 0],
            [1, 30],
            [2, 30],
          ]) {
            const instant = new Date(Date.UTC(y, month, day, hour, minute));
            for (const zone of ['Europe/Stockholm', 'Europe/Helsinki'] as const) {
              const [, sign, hh] = /GMT([+-])(\d{2})/.exec(fmt(zone).format(instant))!;
              expect(zoneOffsetMinutes(instant, zone)).toBe((sign === '-' ? -1 : 1) * Number(hh) * 60);
            }
          }
        }
      }
    }
  });

  it('T4: switches at 01:00 UTC on the last Sundays of March and October', () => {
    expect(zoneOffsetMinutes(at('2026-03-29T00:59:59.999Z'), 'Europe/Stockholm')).toBe(60);
    expect(zoneOffsetMinutes(at('2026-03-29T01:00:00Z'), 'Europe/Stockholm')).toBe(120);
    expect(zoneOffsetMinutes(at('2026-10-25T00:59:59.999Z'), 'Europe/Helsinki')).toBe(180);
    expect(zoneOffsetMinutes(at('2026-10-25T01:00:00Z'), 'Europe/Helsinki')).toBe(120);
    // Today's rule applies to every year (W2's reading), also 1900 and 2200.
    expect(zoneOffsetMinutes(Date.UTC(1900, 6, 1), 'Europe/Stockholm')).toBe(120);
    expect(zoneOffsetMinutes(Date.UTC(2200, 0, 1), 'Europe/Stockholm')).toBe(60);
    expect(() => zoneOffsetMinutes(new Date('nonsense'), 'Europe/Stockholm')).toThrow(/not a valid instant/);
  });

  it('T4: local wall time round-trips, also on the switch days', () => {
    for (const zone of ['Europe/Stockholm', 'Europe/Helsinki'] as const) {
      for (const date of ['2026-03-29', '2026-10-25', '2026-07-01', '2026-01-15', '1900-01-01', '2200-12-31']) {
        for (const [hour, minute] of [
          [0, 0],
          [12, 0],
          [23, 59],
        ] as const) {
          expect(zonedParts(zonedInstant(date, hour, minute, zone), zone)).toEqual({ date, hour, minute });
        }
      }
    }
  });

  it('T4: the skipped spring hour is read as standard time, the repeated autumn hour as its first occurrence', () => {
    expect(utc(zonedInstant('2026-03-29', 2, 30, 'Europe/Stockholm'))).toBe('2026-03-29T01:30:00.000Z'); // = 03:30 CEST
    expect(utc(zonedInstant('2026-03-29', 3, 0, 'Europe/Stockholm'))).toBe('2026-03-29T01:00:00.000Z');
    expect(utc(zonedInstant('2026-10-25', 2, 30, 'Europe/Stockholm'))).toBe('2026-10-25T00:30:00.000Z'); // the earlier 02:30
    expect(utc(zonedInstant('2026-10-25', 3, 0, 'Europe/Stockholm'))).toBe('2026-10-25T02:00:00.000Z');
    expect(utc(zonedInstant('2026-03-29', 3, 30, 'Europe/Helsinki'))).toBe('2026-03-29T01:30:00.000Z'); // = 04:30 EEST
    expect(utc(zonedInstant('2026-10-25', 3, 30, 'Europe/Helsinki'))).toBe('2026-10-25T00:30:00.000Z');
    expect(() => zonedInstant('2026-01-01', 24, 0, 'Europe/Stockholm')).toThrow(/wall-clock/);
    expect(() => zonedInstant('2026-01-01', 12, 60, 'Europe/Stockholm')).toThrow(/wall-clock/);
  });

  it('T4: business dates differ between Stockholm, Helsinki and UTC around midnight', () => {
    const newYear = at('2026-12-31T22:30:00Z');
    expect(stockholmDate(newYear)).toBe('2026-12-31');
    expect(helsinkiDate(newYear)).toBe('2027-01-01');
    expect(zonedParts(newYear, 'Europe/Helsinki')).toEqual({ date: '2027-01-01', hour: 0, minute: 30 });
    expect(stockholmDate(at('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(stockholmDate(Date.UTC(2026, 5, 30, 21, 59))).toBe('2026-06-30'); // epoch ms are accepted too
  });
});

describe('L3: order time', () => {
  it('L3: a working day before 12:00 Stockholm time is its own order time', () => {
    expect(orderTime(at('2026-11-27T10:59:00Z'))).toBe('2026-11-27'); // Friday 11:59 CET
    expect(orderTime(at('2026-11-27T10:59:59.999Z'))).toBe('2026-11-27');
    expect(orderTime(at('2026-11-26T23:00:00Z'))).toBe('2026-11-27'); // Friday 00:00 CET
  });

  it('L3: 12:00:00.000 and later moves to the next working day', () => {
    expect(orderTime(at('2026-11-27T11:00:00Z'))).toBe('2026-11-30'); // Friday 12:00 CET → Monday
    expect(orderTime(at('2026-11-27T22:59:59Z'))).toBe('2026-11-30'); // Friday 23:59 CET
    expect(orderTime(at('2026-06-12T10:00:00Z'))).toBe('2026-06-15'); // Friday 12:00 CEST → Monday
    expect(orderTime(at('2026-06-12T09:59:00Z'))).toBe('2026-06-12'); // Friday 11:59 CEST
    expect(orderTime(Date.parse('2026-11-24T11:00:00Z'))).toBe('2026-11-25'); // epoch ms, Tuesday 12:00 CET
  });

  it('L3: a non-working day moves to the next working day', () => {
    expect(orderTime(at('2026-11-28T08:00:00Z'))).toBe('2026-11-30'); // Saturday morning
    expect(orderTime(at('2026-05-13T09:00:00Z'))).toBe('2026-05-13'); // 11:00 the day before Ascension Day
    expect(orderTime(at('2026-05-13T10:00:00Z'))).toBe('2026-05-15'); // 12:00 the day before Ascension Day → Friday
    expect(orderTime(at('2026-05-14T08:00:00Z'))).toBe('2026-05-15'); // Ascension Day itself
    expect(orderTime(at('2026-12-24T08:00:00Z'))).toBe('2026-12-28'); // Christmas Eve morning
    expect(orderTime(at('2026-12-23T12:00:00Z'))).toBe('2026-12-28'); // 13:00 the day before Christmas Eve
    expect(orderTime(at('2026-12-30T11:00:00Z'))).toBe('2027-01-04'); // 12:00 before New Year's Eve
  });

  it('L3: uses the Stockholm date and hour across the DST change days', () => {
    expect(orderTime(at('2026-11-29T23:30:00Z'))).toBe('2026-11-30'); // Monday 00:30 CET, still Sunday in UTC
    expect(orderTime(at('2026-03-29T10:00:00Z'))).toBe('2026-03-30'); // the spring switch day is a Sunday
    expect(orderTime(at('2026-03-27T10:30:00Z'))).toBe('2026-03-27'); // Friday before: 11:30 CET
    expect(orderTime(at('2026-03-30T10:30:00Z'))).toBe('2026-03-31'); // Monday after: 12:30 CEST
    expect(orderTime(at('2026-03-29T22:30:00Z'))).toBe('2026-03-30'); // Monday 00:30 CEST
    expect(orderTime(at('2026-10-25T10:00:00Z'))).toBe('2026-10-26'); // the autumn switch day is a Sunday
    expect(orderTime(at('2026-10-23T10:30:00Z'))).toBe('2026-10-26'); // Friday before: 12:30 CEST
    expect(orderTime(at('2026-10-26T10:30:00Z'))).toBe('2026-10-26'); // Monday after: 11:30 CET
  });
});

describe('L15, L16: 12:00 on the working day before', () => {
  it('L15: in winter 12:00 Stockholm is 11:00 UTC, in summer 10:00 UTC', () => {
    expect(utc(noonOfWorkingDayBefore('2026-12-02'))).toBe('2026-12-01T11:00:00.000Z');
    expect(utc(noonOfWorkingDayBefore('2026-06-03'))).toBe('2026-06-02T10:00:00.000Z');
  });

  it('L16: skips a weekend and a holiday', () => {
    expect(utc(noonOfWorkingDayBefore('2026-11-30'))).toBe('2026-11-27T11:00:00.000Z'); // Monday → Friday
    expect(utc(noonOfWorkingDayBefore('2026-04-07'))).toBe('2026-04-02T10:00:00.000Z'); // after Easter → Maundy Thursday
    expect(utc(noonOfWorkingDayBefore('2026-05-15'))).toBe('2026-05-13T10:00:00.000Z'); // after Ascension Day
    expect(utc(noonOfWorkingDayBefore('2026-12-28'))).toBe('2026-12-23T11:00:00.000Z'); // after Christmas
    expect(utc(noonOfWorkingDayBefore('2026-11-28'))).toBe('2026-11-27T11:00:00.000Z'); // a Saturday date works too
  });

  it('L15: uses the offset of the working day before, across the DST changes', () => {
    expect(utc(noonOfWorkingDayBefore('2026-03-30'))).toBe('2026-03-27T11:00:00.000Z'); // Friday still CET
    expect(utc(noonOfWorkingDayBefore('2026-03-31'))).toBe('2026-03-30T10:00:00.000Z'); // Monday already CEST
    expect(utc(noonOfWorkingDayBefore('2026-10-26'))).toBe('2026-10-23T10:00:00.000Z'); // Friday still CEST
    expect(utc(noonOfWorkingDayBefore('2026-10-27'))).toBe('2026-10-26T11:00:00.000Z'); // Monday already CET
  });
});

describe('W1: the public calendar range', () => {
  it('W1: lists each day with whether it is a working day and the holiday', () => {
    const days = calendarDays('2026-12-23', '2026-12-28');
    expect(days.map((d) => [d.date, d.working, d.weekend, d.holiday?.en ?? null])).toEqual([
      ['2026-12-23', true, false, null],
      ['2026-12-24', false, false, 'Christmas Eve'],
      ['2026-12-25', false, false, 'Christmas Day'],
      ['2026-12-26', false, true, 'Boxing Day'],
      ['2026-12-27', false, true, null],
      ['2026-12-28', true, false, null],
    ]);
    expect(calendarDays('2026-06-19', '2026-06-19')).toEqual([dayInfo('2026-06-19')]);
  });

  it('W1: refuses more than 400 days, a reversed range and invalid dates', () => {
    expect(MAX_CALENDAR_RANGE_DAYS).toBe(400);
    expect(calendarDays('2026-01-01', '2027-02-04')).toHaveLength(400);
    expect(() => calendarDays('2026-01-01', '2027-02-05')).toThrow(/at most 400 days at once, asked for 401/);
    expect(() => calendarDays('2026-02-01', '2026-01-01')).toThrow(/before/);
    expect(() => calendarDays('2026-02-30', '2026-03-01')).toThrow(/not a real date/);
    expect(() => calendarDays('2200-12-01', '2201-01-01')).toThrow(/1900–2200/);
  });
});
