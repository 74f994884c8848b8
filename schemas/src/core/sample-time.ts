import type { Random } from './random.ts';

const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A random moment on the given day between two local (Asia/Shanghai) hours. */
export function workingTime(random: Random, dayStart: number, fromHour = 8, toHour = 18): number {
  return dayStart + fromHour * HOUR + Math.floor(random.next() * (toHour - fromHour) * HOUR);
}

/** Saturday or Sunday in Asia/Shanghai for a local-midnight timestamp. */
export function isWeekend(dayStart: number): boolean {
  const weekday = new Date(dayStart + 8 * HOUR).getUTCDay();
  return weekday === 0 || weekday === 6;
}
