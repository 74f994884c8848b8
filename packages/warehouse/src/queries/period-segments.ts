import { addDays, checkCalendarDate, firstOfMonth, firstOfYear, lastOfMonth, lastOfYear } from '@govstats/schemas';

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

export function periodSegments(from: string, to: string): PeriodSegments {
  checkCalendarDate(from);
  checkCalendarDate(to);
  const segments: PeriodSegments = { years: [], months: [], days: [] };
  // YYYY-MM-DD strings compare as the dates they name.
  for (let cursor = from; cursor <= to;) {
    if (cursor === firstOfYear(cursor) && lastOfYear(cursor) <= to) {
      segments.years.push(cursor);
      cursor = addDays(lastOfYear(cursor), 1);
    } else if (cursor === firstOfMonth(cursor) && lastOfMonth(cursor) <= to) {
      segments.months.push(cursor);
      cursor = addDays(lastOfMonth(cursor), 1);
    } else {
      const runEnd = lastOfMonth(cursor) < to ? lastOfMonth(cursor) : to;
      const previous = segments.days[segments.days.length - 1];
      // Leftover days of two adjacent months are one run (01-20 … 02-10 with no whole month).
      if (previous && previous[1] === addDays(cursor, -1)) previous[1] = runEnd;
      else segments.days.push([cursor, runEnd]);
      cursor = addDays(runEnd, 1);
    }
  }
  return segments;
}
