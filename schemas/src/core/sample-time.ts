import { chinaWeekday, DAY_MS, HOUR_MS } from './china-time.ts';
import type { Random } from './random.ts';

export const DAY = DAY_MS;

/** A random moment on the given day between two local (Asia/Shanghai) hours. */
export function workingTime(random: Random, dayStart: number, fromHour = 8, toHour = 18): number {
  return dayStart + fromHour * HOUR_MS + Math.floor(random.next() * (toHour - fromHour) * HOUR_MS);
}

/** Saturday or Sunday in Asia/Shanghai for a local-midnight timestamp. */
export function isWeekend(dayStart: number): boolean {
  const weekday = chinaWeekday(dayStart);
  return weekday === 0 || weekday === 6;
}
