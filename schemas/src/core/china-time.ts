/**
 * China time in one place. Statistics count by the day in Asia/Shanghai, which is UTC+8 all year
 * (no daylight saving since 1991), so converting is adding eight hours: no time-zone database.
 * Calendar dates are YYYY-MM-DD strings; instants are epoch milliseconds.
 */

/** The IANA name, for ClickHouse (`toDate(t, 'Asia/Shanghai')`), Intl and cron. */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';
/** What Chinese documents call it. */
export const CHINA_TIME_ZONE_ZH = '北京时间';
/** The RFC 3339 offset China stamps its records with. */
export const CHINA_UTC_OFFSET = '+08:00';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const CHINA_OFFSET_MS = 8 * HOUR_MS;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$/;

// ---- calendar dates (no time zone involved) ----

/** True for a real date written YYYY-MM-DD (2024-02-29 yes, 2023-02-29 no). */
export function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

export function checkCalendarDate(text: string): string {
  if (!isCalendarDate(text)) throw new Error(`not a calendar date (YYYY-MM-DD): ${text}`);
  return text;
}

/** Date arithmetic on UTC midnights, which have no daylight saving either. */
const utcMidnight = (date: string) => Date.parse(`${checkCalendarDate(date)}T00:00:00Z`);
const formatUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return formatUtc(utcMidnight(date) + days * DAY_MS);
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function firstOfMonth(date: string): string {
  return `${checkCalendarDate(date).slice(0, 7)}-01`;
}

export function lastOfMonth(date: string): string {
  const [year, month] = checkCalendarDate(date).split('-').map(Number) as [number, number];
  return `${date.slice(0, 7)}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

export function firstOfYear(date: string): string {
  return `${checkCalendarDate(date).slice(0, 4)}-01-01`;
}

export function lastOfYear(date: string): string {
  return `${checkCalendarDate(date).slice(0, 4)}-12-31`;
}

// ---- instants and China's calendar ----

/** The instant a China day begins (its local midnight), epoch ms. */
export function chinaDayStart(date: string): number {
  return utcMidnight(date) - CHINA_OFFSET_MS;
}

/** The first instant after a China day: the next local midnight, epoch ms. */
export function chinaDayEnd(date: string): number {
  return chinaDayStart(date) + DAY_MS;
}

/** The China date (YYYY-MM-DD) an instant falls on. */
export function chinaDate(epochMs: number): string {
  return formatUtc(epochMs + CHINA_OFFSET_MS);
}

/** Day of the week in China, 0 Sunday … 6 Saturday. */
export function chinaWeekday(epochMs: number): number {
  return new Date(epochMs + CHINA_OFFSET_MS).getUTCDay();
}

/** Month in China, 1–12. */
export function chinaMonth(epochMs: number): number {
  return new Date(epochMs + CHINA_OFFSET_MS).getUTCMonth() + 1;
}

/** RFC 3339 with the +08:00 offset, the way grid systems in China stamp their records. */
export function chinaTimestamp(epochMs: number): string {
  return new Date(epochMs + CHINA_OFFSET_MS).toISOString().replace('Z', CHINA_UTC_OFFSET);
}

/**
 * A time a user typed, read as China time unless it says otherwise: a date is its China midnight,
 * a date and time without offset is China time, one with an offset or Z is taken as written.
 * Undefined when it is not a time.
 */
export function parseChinaTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (DATE.test(trimmed)) return isCalendarDate(trimmed) ? chinaDayStart(trimmed) : undefined;
  const ms = LOCAL_DATE_TIME.test(trimmed) ? Date.parse(`${trimmed.replace(' ', 'T')}${CHINA_UTC_OFFSET}`) : Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}
