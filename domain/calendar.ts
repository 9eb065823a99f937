/**
 * The Swedish working-day calendar (W1, W2) and business time in Europe/Stockholm and
 * Europe/Helsinki (T4). Pure and deterministic: no I/O, no clock, no Intl, so workflows
 * can use it. Dates are ISO `YYYY-MM-DD` strings; instants are `Date`s.
 */
export type IsoDate = string;
export type Zone = 'Europe/Stockholm' | 'Europe/Helsinki';
export interface HolidayName {
  en: string;
  sv: string;
}
export interface DayInfo {
  date: IsoDate;
  working: boolean;
  weekend: boolean;
  holiday: HolidayName | null;
}

const DAY_MS = 86_400_000;
/** W2: the calendar is defined for these years. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2200;
/** The public calendar endpoint lists at most this many days at once. */
export const MAX_CALENDAR_RANGE_DAYS = 400;

// ── dates ────────────────────────────────────────────────────────────────────────────

/** Days since 1970-01-01 of a valid ISO date; throws a RangeError naming the bad value. */
export function parseIsoDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a date of the form YYYY-MM-DD`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`"${date}" is not a real date`);
  }
  if (y < FIRST_YEAR || y > LAST_YEAR) throw new RangeError(`${date} is outside the calendar's years ${FIRST_YEAR}–${LAST_YEAR}`);
  return ms / DAY_MS;
}

const fromDayNumber = (n: number): IsoDate => new Date(n * DAY_MS).toISOString().slice(0, 10);
const ymd = (y: number, m: number, d: number): IsoDate => fromDayNumber(Date.UTC(y, m - 1, d) / DAY_MS);

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(parseIsoDate(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return new Date(parseIsoDate(date) * DAY_MS).getUTCDay();
}

// ── holidays (W1) ────────────────────────────────────────────────────────────────────

/** Easter Sunday by the Gregorian computus (Meeus/Jones/Butcher), W2: computed, not listed. */
export function easterSunday(year: number): IsoDate {
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
  return ymd(year, month, day);
}

/** Midsummer Eve: the Friday between 19 and 25 June. */
function midsummerEve(year: number): IsoDate {
  const june19 = ymd(year, 6, 19);
  return addDays(june19, (5 - weekday(june19) + 7) % 7);
}

/**
 * W1: today's set of Swedish public and de-facto holidays (in force since 2005), applied to
 * every year. Easter Sunday, Whitsunday, Midsummer Day and All Saints' Day always fall on a
 * weekend, so they never change whether a day is a working day and are left out.
 */
export function holidaysOfYear(year: number): { date: IsoDate; name: HolidayName }[] {
  const easter = easterSunday(year);
  const list: [IsoDate, string, string][] = [
    [ymd(year, 1, 1), "New Year's Day", 'Nyårsdagen'],
    [ymd(year, 1, 6), 'Epiphany', 'Trettondedag jul'],
    [addDays(easter, -2), 'Good Friday', 'Långfredagen'],
    [addDays(easter, 1), 'Easter Monday', 'Annandag påsk'],
    [ymd(year, 5, 1), 'May Day', 'Första maj'],
    [addDays(easter, 39), 'Ascension Day', 'Kristi himmelsfärdsdag'],
    [ymd(year, 6, 6), 'National Day', 'Sveriges nationaldag'],
    [midsummerEve(year), 'Midsummer Eve', 'Midsommarafton'],
    [ymd(year, 12, 24), 'Christmas Eve', 'Julafton'],
    [ymd(year, 12, 25), 'Christmas Day', 'Juldagen'],
    [ymd(year, 12, 26), 'Boxing Day', 'Annandag jul'],
    [ymd(year, 12, 31), "New Year's Eve", 'Nyårsafton'],
  ];
  return list.map(([date, en, sv]) => ({ date, name: { en, sv } })).sort((x, y) => (x.date < y.date ? -1 : 1));
}

const holidayCache = new Map<number, Map<IsoDate, HolidayName>>();
function holidayOn(date: IsoDate): HolidayName | null {
  const year = Number(date.slice(0, 4));
  let byDate = holidayCache.get(year);
  if (!byDate) {
    byDate = new Map(holidaysOfYear(year).map((h) => [h.date, h.name]));
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

export const isWorkingDay = (date: IsoDate): boolean => dayInfo(date).working;

/**
 * The n-th working day after `date` (n > 0) or before it (n < 0); n = 0 returns `date`
 * itself, whether or not it is a working day.
 */
export function addWorkingDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`working days must be a whole number, got ${n}`);
  const step = n < 0 ? -1 : 1;
  let current = date;
  for (let left = Math.abs(n); left > 0; ) {
    current = addDays(current, step);
    if (isWorkingDay(current)) left -= 1;
  }
  return current;
}

export const nextWorkingDay = (date: IsoDate): IsoDate => addWorkingDays(date, 1);

/** The number of working days in (from, to]; negative when `to` is before `from`. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  if (to < from) return -workingDaysBetween(to, from);
  let count = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) count += 1;
  return count;
}

/** Every day of an inclusive range, for customers' date pickers (at most 400 days). */
export function calendarDays(from: IsoDate, to: IsoDate): DayInfo[] {
  const span = parseIsoDate(to) - parseIsoDate(from) + 1;
  if (span < 1) throw new RangeError(`"to" (${to}) is before "from" (${from})`);
  if (span > MAX_CALENDAR_RANGE_DAYS) throw new RangeError(`at most ${MAX_CALENDAR_RANGE_DAYS} days at once, asked for ${span}`);
  return Array.from({ length: span }, (_, i) => dayInfo(addDays(from, i)));
}

// ── business time (T4) ───────────────────────────────────────────────────────────────

/**
 * Both zones follow the EU rule in force since 1996, applied to every year (as W2 does for
 * holidays): summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
 * Sunday of October. Stockholm is UTC+1/+2, Helsinki UTC+2/+3.
 */
const STANDARD_OFFSET_MINUTES: Record<Zone, number> = { 'Europe/Stockholm': 60, 'Europe/Helsinki': 120 };

function lastSundayUtcMs(year: number, month: number): number {
  const lastDay = ymd(year, month + 1, 0);
  return (parseIsoDate(lastDay) - weekday(lastDay)) * DAY_MS;
}

function isSummerTime(instantMs: number): boolean {
  const year = new Date(instantMs).getUTCFullYear();
  const start = lastSundayUtcMs(year, 3) + 3_600_000;
  const end = lastSundayUtcMs(year, 10) + 3_600_000;
  return instantMs >= start && instantMs < end;
}

export function zoneOffsetMinutes(instant: Date, zone: Zone): number {
  return STANDARD_OFFSET_MINUTES[zone] + (isSummerTime(instant.getTime()) ? 60 : 0);
}

/** Local date and wall-clock time of an instant in the zone. */
export function zonedParts(instant: Date, zone: Zone): { date: IsoDate; hour: number; minute: number } {
  const local = new Date(instant.getTime() + zoneOffsetMinutes(instant, zone) * 60_000);
  return { date: local.toISOString().slice(0, 10), hour: local.getUTCHours(), minute: local.getUTCMinutes() };
}

/**
 * The instant of a local wall-clock time. In the autumn's repeated hour the earlier
 * (summer-time) instant is meant; a time in the spring's skipped hour is read as standard time.
 */
export function zonedInstant(date: IsoDate, hour: number, minute: number, zone: Zone): Date {
  const wall = parseIsoDate(date) * DAY_MS + (hour * 60 + minute) * 60_000;
  const std = STANDARD_OFFSET_MINUTES[zone];
  const summer = new Date(wall - (std + 60) * 60_000);
  if (zoneOffsetMinutes(summer, zone) === std + 60) return summer;
  return new Date(wall - std * 60_000);
}

/** Today's business date in Stockholm. */
export const stockholmDate = (instant: Date): IsoDate => zonedParts(instant, 'Europe/Stockholm').date;

/** The L3 cut-off: orders at or after 12:00 Stockholm time count from the next working day. */
export const ORDER_CUT_OFF_HOUR = 12;

/**
 * L3: the order time of a registration. A case registered on a working day before 12:00
 * Stockholm time has that day as its order time; one registered at or after 12:00 (12:00:00
 * itself counts as after), or on a non-working day, has the next working day.
 */
export function orderTime(instant: Date): IsoDate {
  const { date, hour } = zonedParts(instant, 'Europe/Stockholm');
  return isWorkingDay(date) && hour < ORDER_CUT_OFF_HOUR ? date : nextWorkingDay(date);
}

/** L15, L16: 12:00 Stockholm time on the working day before `date` — the end of free changes. */
export function noonOfWorkingDayBefore(date: IsoDate): Date {
  return zonedInstant(addWorkingDays(date, -1), ORDER_CUT_OFF_HOUR, 0, 'Europe/Stockholm');
}
