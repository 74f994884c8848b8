/**
 * An inclusive date range cut into the coarsest pieces the rollup grains hold: whole calendar
 * years, then whole months, then the days left over at either end. 2024-01-15 … 2025-03-31 is
 * days 01-15…01-31, months Feb…Dec 2024, months Jan…Mar 2025.
 */
export interface PeriodSegments {
  /** First days of whole years inside the range. */
  years: string[];
  /** First days of whole months inside the range, not already in a whole year. */
  months: string[];
  /** Inclusive [from, to] runs of days not covered by a whole month. */
  days: [string, string][];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Dates as UTC midnights: calendar arithmetic only, no time zone involved. */
function parse(date: string): Date {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (!DATE.test(date) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new Error(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return parsed;
}

const format = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
const lastOfMonth = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0));
const lastOfYear = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), 11, 31));

export function periodSegments(from: string, to: string): PeriodSegments {
  const end = parse(to);
  const segments: PeriodSegments = { years: [], months: [], days: [] };
  for (let cursor = parse(from); cursor <= end; ) {
    const firstOfYear = cursor.getUTCMonth() === 0 && cursor.getUTCDate() === 1;
    if (firstOfYear && lastOfYear(cursor) <= end) {
      segments.years.push(format(cursor));
      cursor = addDays(lastOfYear(cursor), 1);
    } else if (cursor.getUTCDate() === 1 && lastOfMonth(cursor) <= end) {
      segments.months.push(format(cursor));
      cursor = addDays(lastOfMonth(cursor), 1);
    } else {
      const runEnd = lastOfMonth(cursor) < end ? lastOfMonth(cursor) : end;
      const previous = segments.days[segments.days.length - 1];
      // Leftover days of two adjacent months are one run (01-20 … 02-10 with no whole month).
      if (previous && previous[1] === format(addDays(cursor, -1))) previous[1] = format(runEnd);
      else segments.days.push([format(cursor), format(runEnd)]);
      cursor = addDays(runEnd, 1);
    }
  }
  return segments;
}
