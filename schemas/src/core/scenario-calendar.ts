import { DAY_MS, HOUR_MS, chinaDayStart, chinaMonth, chinaWeekday } from './china-time.ts';
import type { Random } from './random.ts';

/**
 * The days of a period with cumulative activity weights. A count spread with `slice` lands on
 * days in proportion to the weights and adds up exactly, with no per-day state to keep.
 */
export interface Calendar {
  days: number[];
  /** Cumulative weights, length days + 1: working days count fully, weekends and the Spring Festival month less. */
  work: number[];
  /** Cumulative weights for activity that goes on every day (sales). */
  every: number[];
}

const MONTH_FACTOR = [0.8, 0.6, 1, 1, 1.05, 1.05, 1, 1, 1.05, 1, 1.05, 0.95];

export function buildCalendar(from: string, to: string): Calendar {
  const days: number[] = [];
  for (let day = chinaDayStart(from); day <= chinaDayStart(to); day += DAY_MS) days.push(day);
  const work = [0];
  const every = [0];
  for (const day of days) {
    const month = MONTH_FACTOR[chinaMonth(day) - 1]!;
    const weekend = chinaWeekday(day) === 0 || chinaWeekday(day) === 6;
    work.push(work[work.length - 1]! + month * (weekend ? 0.3 : 1));
    every.push(every[every.length - 1]! + month);
  }
  return { days, work, every };
}

/** Items [first, end) of `total` that fall on day `d`, given cumulative weights (over `limit` days). */
export function slice(total: number, cumulative: number[], d: number, limit = cumulative.length - 1): [number, number] {
  if (d >= limit) return [total, total];
  const whole = cumulative[limit]!;
  // The epsilon absorbs float error (374 × w / w can be 373.99999999999994); the last day takes the rest.
  const at = (i: number) => (i >= limit ? total : Math.floor((total * cumulative[i]!) / whole + 1e-9));
  return [at(d), at(d + 1)];
}

/** Bresenham-style: is item `i` of `total` one of `count` spread evenly among them? */
export function spreadHit(i: number, total: number, count: number): boolean {
  if (total <= 0) return false;
  return Math.floor(((i + 1) * count) / total) > Math.floor((i * count) / total);
}

/** How many of the first `i` items of `total` are among `count` spread evenly. */
export function spreadBefore(i: number, total: number, count: number): number {
  if (total <= 0) return 0;
  return Math.floor((i * count) / total);
}

/** Share number `i` of `total` split into `parts` whole pieces that add up exactly. */
export function part(total: number, parts: number, i: number): number {
  if (parts <= 0) return 0;
  return Math.floor(((i + 1) * total) / parts) - Math.floor((i * total) / parts);
}

/** A random moment on the given day between two local (Asia/Shanghai) hours. */
export function workingTime(random: Random, dayStart: number, fromHour = 8, toHour = 18): number {
  return dayStart + fromHour * HOUR_MS + Math.floor(random.next() * (toHour - fromHour) * HOUR_MS);
}

/*
 * Plans that place each event at a point of the period (0 = its start, 1 = its end) rather than
 * on a day: the day a point falls on, the moment it stands for, and the events of one day.
 */

/** The calendar day a point of the period falls on. */
export function dayAt(at: number, days: number): number {
  return Math.min(days - 1, Math.floor(at * days));
}

/** The moment a point of the period stands for: its day, between 08:00 and 17:00, later points later. */
export function momentAt(at: number, calendar: Calendar): number {
  const days = calendar.days.length;
  const day = dayAt(at, days);
  const within = Math.min(1, Math.max(0, at * days - day));
  return calendar.days[day]! + 8 * HOUR_MS + Math.floor(within * 9 * HOUR_MS);
}

/** Of `count` events in order of their point, the index range [first, end) falling on `day` (found by bisection). */
export function eventsOnDay(count: number, pointOf: (i: number) => number, day: number, days: number): [number, number] {
  let first = 0;
  let hi = count;
  while (first < hi) {
    const mid = (first + hi) >> 1;
    if (dayAt(pointOf(mid), days) < day) first = mid + 1;
    else hi = mid;
  }
  let end = first;
  while (end < count && dayAt(pointOf(end), days) === day) end++;
  return [first, end];
}
