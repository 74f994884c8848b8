import { describe, expect, it } from 'vitest';
import {
  addDays,
  checkCalendarDate,
  chinaDate,
  chinaDayEnd,
  chinaDayStart,
  chinaMonth,
  chinaTimestamp,
  chinaWeekday,
  daysInMonth,
  firstOfMonth,
  firstOfYear,
  isCalendarDate,
  lastOfMonth,
  lastOfYear,
  parseChinaTime,
} from '../src/core/china-time.ts';

describe('calendar dates', () => {
  it('knows which dates exist', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-2-1')).toBe(false);
    expect(isCalendarDate('2024-13-01')).toBe(false);
    expect(() => checkCalendarDate('2024-02-30')).toThrow('not a calendar date (YYYY-MM-DD): 2024-02-30');
  });

  it('counts days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
  });

  it('finds month and year boundaries', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2024, 12)).toBe(31);
    expect(firstOfMonth('2024-07-19')).toBe('2024-07-01');
    expect(lastOfMonth('2024-02-10')).toBe('2024-02-29');
    expect(lastOfMonth('2024-04-30')).toBe('2024-04-30');
    expect(firstOfYear('2024-07-19')).toBe('2024-01-01');
    expect(lastOfYear('2024-07-19')).toBe('2024-12-31');
  });
});

describe('China time', () => {
  it('puts midnight in China at 16:00 UTC the day before', () => {
    expect(new Date(chinaDayStart('2024-07-01')).toISOString()).toBe('2024-06-30T16:00:00.000Z');
    expect(chinaDayEnd('2024-07-01') - chinaDayStart('2024-07-01')).toBe(86_400_000);
    expect(chinaDayStart('2024-07-01')).toBe(Date.parse('2024-07-01T00:00:00+08:00'));
    expect(() => chinaDayStart('2024-06-31')).toThrow(/not a calendar date/);
  });

  it('dates an instant by the day in China, not in UTC', () => {
    expect(chinaDate(Date.parse('2024-06-30T15:59:59.999Z'))).toBe('2024-06-30');
    expect(chinaDate(Date.parse('2024-06-30T16:00:00Z'))).toBe('2024-07-01');
    expect(chinaDate(chinaDayEnd('2024-12-31') - 1)).toBe('2024-12-31');
    expect(chinaDate(chinaDayEnd('2024-12-31'))).toBe('2025-01-01');
  });

  it('tells weekday and month in China', () => {
    // 2024-06-30 20:00 UTC is Monday 2024-07-01 04:00 in China.
    const instant = Date.parse('2024-06-30T20:00:00Z');
    expect(chinaWeekday(instant)).toBe(1);
    expect(chinaMonth(instant)).toBe(7);
    expect(chinaWeekday(chinaDayStart('2024-07-06'))).toBe(6);
  });

  it('stamps instants with +08:00, round-tripping', () => {
    const instant = Date.parse('2024-07-01T01:30:00Z');
    expect(chinaTimestamp(instant)).toBe('2024-07-01T09:30:00.000+08:00');
    expect(Date.parse(chinaTimestamp(instant))).toBe(instant);
  });

  it('reads what a user typed as China time unless it carries an offset', () => {
    expect(parseChinaTime('2024-07-01')).toBe(chinaDayStart('2024-07-01'));
    expect(parseChinaTime('2024-07-01T08:00')).toBe(Date.parse('2024-07-01T00:00:00Z'));
    expect(parseChinaTime('2024-07-01 08:00:00')).toBe(Date.parse('2024-07-01T00:00:00Z'));
    expect(parseChinaTime('2024-07-01T08:00:00+08:00')).toBe(Date.parse('2024-07-01T00:00:00Z'));
    expect(parseChinaTime('2024-07-01T00:00:00Z')).toBe(Date.parse('2024-07-01T00:00:00Z'));
    expect(parseChinaTime('2024-02-30')).toBeUndefined();
    expect(parseChinaTime('yesterday')).toBeUndefined();
  });
});
