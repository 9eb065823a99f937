/**
 * The Swedish working-day calendar (W1, W2) and business time in Europe/Stockholm and
 * Europe/Helsinki (T4). Pure and deterministic: no I/O, no clock, no Intl, so workflows
 * can use it. Dates are ISO `YYYY-MM-DD` strings; instants are `Date`s or epoch milliseconds
 * handed in by the caller.
 */
export type IsoDate = string;
export type Instant = Date | number;
export type Zone = 'Europe/Stockholm' | 'Europe/Helsinki';
export interface HolidayName {
  en: string;
  sv: string;
}
export interface Holiday {
  date: IsoDate;
  name: HolidayName;
}
export interface DayInfo {
  date: IsoDate;
  working: boolean;
  weekend: boolean;
  /** Set when the day is a W1 holiday, whatever weekday it falls on. */
  holiday: HolidayName | null;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** W2: the calendar is defined for these years; dates outside them are refused. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2200;
/** The public calendar endpoint lists at most this many days at once. */
export const MAX_CALENDAR_RANGE_DAYS = 400;

// ── dates ────────────────────────────────────────────────────────────────────────────

// Unchecked day arithmetic (days since 1970-01-01), also used by the zone rules, which
// must work for any instant and not only inside the calendar's years. Plain integer
// arithmetic (H. Hinnant's civil calendar algorithms), no Date objects: the working-day
// functions run in hot loops.
const dayNumberOf = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
};
const civilOf = (dayNumber: number): [number, number, number] => {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
};
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const isoOf = (dayNumber: number): IsoDate => {
  const [y, m, d] = civilOf(dayNumber);
  return `${y}-${two(m)}-${two(d)}`;
};
/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
const weekdayOf = (dayNumber: number): number => (((dayNumber + 4) % 7) + 7) % 7;

const FIRST_DAY = dayNumberOf(FIRST_YEAR, 1, 1);
const LAST_DAY = dayNumberOf(LAST_YEAR, 12, 31);

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`year ${year} is outside the calendar's years ${FIRST_YEAR}–${LAST_YEAR}`);
  }
}

function inCalendar(dayNumber: number): IsoDate {
  const date = isoOf(dayNumber);
  if (dayNumber < FIRST_DAY || dayNumber > LAST_DAY) {
    throw new RangeError(`${date} is outside the calendar's years ${FIRST_YEAR}–${LAST_YEAR}`);
  }
  return date;
}

/**
 * Validates an ISO date and returns its day number (days since 1970-01-01), handy for
 * differences. Throws a RangeError naming the bad value: wrong shape, a day that does not
 * exist (2026-02-30) or a year outside 1900–2200.
 */
export function parseIsoDate(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a date of the form YYYY-MM-DD`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < FIRST_YEAR || y > LAST_YEAR)
    throw new RangeError(`${date} is outside the calendar's years ${FIRST_YEAR}–${LAST_YEAR}`);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw new RangeError(`"${date}" is not a real date`);
  return dayNumberOf(y, mo, d);
}
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number) =>
  m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

/** `date` moved by a whole number of calendar days; the result must stay inside 1900–2200. */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be a whole number, got ${days}`);
  return inCalendar(parseIsoDate(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return weekdayOf(parseIsoDate(date));
}

// ── holidays (W1) ────────────────────────────────────────────────────────────────────

/** Easter Sunday by the Gregorian computus (anonymous / Meeus–Jones–Butcher); W2: computed, not listed. */
export function easterSunday(year: number): IsoDate {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoOf(dayNumberOf(year, month, day));
}

/** Midsummer Eve: the Friday between 19 and 25 June. */
function midsummerEve(year: number): number {
  const june19 = dayNumberOf(year, 6, 19);
  return june19 + ((5 - weekdayOf(june19) + 7) % 7);
}

/**
 * W1: today's set of Swedish public and de-facto holidays (in force since 2005), applied to
 * every year, in date order. Easter Sunday, Whitsunday, Midsummer Day and All Saints' Day
 * always fall on a weekend, so they never change whether a day is a working day and are
 * left out. Ascension Day falls on 1 May when Easter is on 23 March (1913, 2008, 2160);
 * both holidays are then listed, May Day first.
 */
export function holidaysOfYear(year: number): Holiday[] {
  const easter = parseIsoDate(easterSunday(year));
  const fixed = (month: number, day: number) => dayNumberOf(year, month, day);
  const list: [number, string, string][] = [
    [fixed(1, 1), "New Year's Day", 'Nyårsdagen'],
    [fixed(1, 6), 'Epiphany', 'Trettondedag jul'],
    [easter - 2, 'Good Friday', 'Långfredagen'],
    [easter + 1, 'Easter Monday', 'Annandag påsk'],
    [fixed(5, 1), 'May Day', 'Första maj'],
    [easter + 39, 'Ascension Day', 'Kristi himmelsfärdsdag'],
    [fixed(6, 6), 'National Day', 'Sveriges nationaldag'],
    [midsummerEve(year), 'Midsummer Eve', 'Midsommarafton'],
    [fixed(12, 24), 'Christmas Eve', 'Julafton'],
    [fixed(12, 25), 'Christmas Day', 'Juldagen'],
    [fixed(12, 26), 'Boxing Day', 'Annandag jul'],
    [fixed(12, 31), "New Year's Eve", 'Nyårsafton'],
  ];
  // Array#sort is stable, so same-day holidays keep the order above.
  return list.sort((x, y) => x[0] - y[0]).map(([day, en, sv]) => ({ date: isoOf(day), name: { en, sv } }));
}

// Holidays by date, one map per year, built on first use. The values are pure functions
// of the year, so the cache is safe inside workflows.
const holidayCache = new Map<number, Map<IsoDate, HolidayName>>();
function holidayOn(date: IsoDate): HolidayName | null {
  const year = Number(date.slice(0, 4));
  let byDate = holidayCache.get(year);
  if (!byDate) {
    byDate = new Map();
    for (const { date: day, name } of holidaysOfYear(year)) {
      const earlier = byDate.get(day);
      byDate.set(day, earlier ? { en: `${earlier.en} / ${name.en}`, sv: `${earlier.sv} / ${name.sv}` } : name);
    }
    holidayCache.set(year, byDate);
  }
  return byDate.get(date) ?? null;
}

/** Whether a day is a working day and, if not, why (W1). */
export function dayInfo(date: IsoDate): DayInfo {
  const day = weekday(date);
  const weekend = day === 0 || day === 6;
  const holiday = holidayOn(date);
  return { date, working: !weekend && holiday === null, weekend, holiday };
}

/**
 * One year of the calendar, built on first use: whether each day is a working day, how many
 * working days the year has up to and including it, and its working days in order. So a
 * working day is found by index instead of day by day. Built per year, not for all of
 * 1900–2200 at once, because workflows start with fresh module state and mostly need one year.
 * A pure function of the rules, so safe inside workflows.
 */
interface YearTable {
  firstDay: number;
  working: Uint8Array;
  /** upTo[i]: working days in [firstDay, firstDay + i]. */
  upTo: Int32Array;
  /** The day numbers of the year's working days, ascending. */
  list: Int32Array;
}
const yearTables: (YearTable | undefined)[] = [];
function yearTable(year: number): YearTable {
  const cached = yearTables[year - FIRST_YEAR];
  if (cached) return cached;
  const firstDay = dayNumberOf(year, 1, 1);
  const days = dayNumberOf(year, 12, 31) - firstDay + 1;
  const holidays = new Set(holidaysOfYear(year).map((h) => parseIsoDate(h.date)));
  const working = new Uint8Array(days);
  const upTo = new Int32Array(days);
  const list: number[] = [];
  for (let i = 0; i < days; i++) {
    const weekdayNumber = weekdayOf(firstDay + i);
    if (weekdayNumber !== 0 && weekdayNumber !== 6 && !holidays.has(firstDay + i)) {
      working[i] = 1;
      list.push(firstDay + i);
    }
    upTo[i] = list.length;
  }
  const table = { firstDay, working, upTo, list: Int32Array.from(list) };
  yearTables[year - FIRST_YEAR] = table;
  return table;
}

/** A checked date's year, its table and its index in it. */
function located(date: IsoDate) {
  const day = parseIsoDate(date);
  const year = Number(date.slice(0, 4));
  const table = yearTable(year);
  return { year, table, i: day - table.firstDay };
}

export const isWorkingDay = (date: IsoDate): boolean => {
  const { table, i } = located(date);
  return table.working[i] === 1;
};

/**
 * The n-th working day after `date` (n > 0) or before it (n < 0); n = 0 returns `date`
 * itself, whether or not it is a working day. Throws a RangeError if the answer would lie
 * outside 1900–2200.
 */
export function addWorkingDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`working days must be a whole number, got ${n}`);
  let { year, table, i } = located(date);
  if (n === 0) return date;
  const outside = () =>
    new RangeError(
      `${Math.abs(n)} working days ${n > 0 ? 'after' : 'before'} ${date} is outside the calendar's years ${FIRST_YEAR}–${LAST_YEAR}`,
    );
  // Working days strictly before the date are upTo − working; the next one after it is list[upTo].
  let index = n > 0 ? table.upTo[i]! + n - 1 : table.upTo[i]! - table.working[i]! + n;
  while (index >= table.list.length) {
    index -= table.list.length;
    if (++year > LAST_YEAR) throw outside();
    table = yearTable(year);
  }
  while (index < 0) {
    if (--year < FIRST_YEAR) throw outside();
    table = yearTable(year);
    index += table.list.length;
  }
  return isoOf(table.list[index]!);
}

/** The first working day strictly after `date`. */
export const nextWorkingDay = (date: IsoDate): IsoDate => addWorkingDays(date, 1);

/**
 * The signed number of working days passed when moving from `from` to `to`: `from` itself is
 * never counted, `to` is. Forwards that is the working days in (from, to]; backwards those
 * in [to, from), negated. So `workingDaysBetween(d, addWorkingDays(d, n)) === n` for every
 * date and every n, working day or not.
 */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  const [a, b] = [located(from), located(to)];
  // Working days from the first of the two years' 1 January up to and including the date.
  const since = Math.min(a.year, b.year);
  const upTo = ({ year, table, i }: ReturnType<typeof located>) => {
    let count = table.upTo[i]!;
    for (let y = since; y < year; y++) count += yearTable(y).list.length;
    return count;
  };
  const [upToA, upToB] = [upTo(a), upTo(b)];
  const [workingA, workingB] = [a.table.working[a.i]!, b.table.working[b.i]!];
  // Forwards: working days in (from, to]. Backwards: those in [to, from), negated.
  return to >= from ? upToB - upToA : upToB - workingB - (upToA - workingA);
}

/** Every day of an inclusive range, for customers' date pickers (at most 400 days). */
export function calendarDays(from: IsoDate, to: IsoDate): DayInfo[] {
  const span = parseIsoDate(to) - parseIsoDate(from) + 1;
  if (span < 1) throw new RangeError(`"to" (${to}) is before "from" (${from})`);
  if (span > MAX_CALENDAR_RANGE_DAYS)
    throw new RangeError(`at most ${MAX_CALENDAR_RANGE_DAYS} days at once, asked for ${span}`);
  return Array.from({ length: span }, (_, i) => dayInfo(addDays(from, i)));
}

// ── business time (T4) ───────────────────────────────────────────────────────────────

/**
 * Both zones follow today's EU rule (in force since 1996), applied to every year as W2 does
 * for holidays, instead of a time-zone database: summer time from 01:00 UTC on the last
 * Sunday of March to 01:00 UTC on the last Sunday of October. Stockholm is UTC+1 (CET) /
 * UTC+2 (CEST), Helsinki UTC+2 (EET) / UTC+3 (EEST). Historic offsets before 1996 are
 * therefore not reproduced; business time never needs them.
 */
const STANDARD_OFFSET_MINUTES: Record<Zone, number> = { 'Europe/Stockholm': 60, 'Europe/Helsinki': 120 };

function toMs(instant: Instant): number {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return ms;
}

/** 01:00 UTC on the last Sunday of `month` (1-based) in `year`, as epoch ms. */
function switchInstantMs(year: number, month: number): number {
  const lastDay = dayNumberOf(year, month + 1, 0);
  return (lastDay - weekdayOf(lastDay)) * DAY_MS + HOUR_MS;
}

function isSummerTime(ms: number): boolean {
  const year = new Date(ms).getUTCFullYear();
  return ms >= switchInstantMs(year, 3) && ms < switchInstantMs(year, 10);
}

/** The zone's offset from UTC at the instant, in minutes (60 or 120 for Stockholm). */
export function zoneOffsetMinutes(instant: Instant, zone: Zone): number {
  const ms = toMs(instant);
  return STANDARD_OFFSET_MINUTES[zone] + (isSummerTime(ms) ? 60 : 0);
}

/** Local date and wall-clock time of an instant in the zone. */
export function zonedParts(instant: Instant, zone: Zone): { date: IsoDate; hour: number; minute: number } {
  const ms = toMs(instant);
  const local = new Date(ms + zoneOffsetMinutes(ms, zone) * 60_000);
  return { date: local.toISOString().slice(0, 10), hour: local.getUTCHours(), minute: local.getUTCMinutes() };
}

/**
 * The instant of a local wall-clock time in the zone. The autumn's repeated hour means its
 * first occurrence (summer time); a time in the spring's skipped hour is read as standard
 * time, i.e. it lands one hour later on the clock (Stockholm 02:30 → 03:30 CEST).
 */
export function zonedInstant(date: IsoDate, hour: number, minute: number, zone: Zone): Date {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23 || !Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new RangeError(`${hour}:${minute} is not a wall-clock time`);
  }
  const wallMs = parseIsoDate(date) * DAY_MS + (hour * 60 + minute) * 60_000;
  const standard = STANDARD_OFFSET_MINUTES[zone];
  const asSummer = wallMs - (standard + 60) * 60_000;
  return new Date(isSummerTime(asSummer) ? asSummer : wallMs - standard * 60_000);
}

/** The business date in Stockholm (geodata orders, locate cases, invoices). */
export const stockholmDate = (instant: Instant): IsoDate => zonedParts(instant, 'Europe/Stockholm').date;

/** The business date in Helsinki (the royalty settlement's schedule). */
export const helsinkiDate = (instant: Instant): IsoDate => zonedParts(instant, 'Europe/Helsinki').date;

/** The L3 cut-off hour, Stockholm time; also the L15/L16 deadline hour. */
export const ORDER_CUT_OFF_HOUR = 12;

/**
 * L3: the order time of a registration. A case registered on a working day before 12:00
 * Stockholm time has that day as its order time; one registered at or after 12:00 (12:00:00.000
 * itself counts as after), or on a non-working day, has the next working day.
 */
export function orderTime(instant: Instant): IsoDate {
  const { date, hour } = zonedParts(instant, 'Europe/Stockholm');
  return isWorkingDay(date) && hour < ORDER_CUT_OFF_HOUR ? date : nextWorkingDay(date);
}

/** L15, L16: 12:00 Stockholm time on the working day before `date` — the end of free changes. */
export function noonOfWorkingDayBefore(date: IsoDate): Date {
  return zonedInstant(addWorkingDays(date, -1), ORDER_CUT_OFF_HOUR, 0, 'Europe/Stockholm');
}
