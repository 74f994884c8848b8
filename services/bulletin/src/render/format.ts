import { CHINA_TIME_ZONE, CHINA_TIME_ZONE_ZH } from '@govstats/schemas';
import type { PeriodKind } from '../document.ts';

/*
 * Number and comparison wording in the style of Chinese statistical bulletins.
 *
 * Convention for values: a figure's value is already in its display unit (万元 figures hold 万元,
 * 天 figures hold days), except unit `%`, whose value is a 0..1 ratio (0.9153 → 91.5%), as the
 * rollups store rates.
 */

/** Shown wherever there is no value or nothing to compare with. */
export const DASH = '—';

export const PERCENT = '%';

/** Units counted in whole numbers. */
const COUNT_UNITS = new Set(['次', '户', '人', '件', '人次', '个', '家', '场', '笔', '条', '村', '名', '期', '项', '起', '处']);

/** Fixed decimals for each unit; counts are integers. */
const DECIMALS: Record<string, number> = {
  '%': 1,
  万元: 2,
  元: 2,
  亿元: 2,
  天: 1,
  吨: 1,
  公斤: 1,
  亩: 1,
};

export function decimalsFor(unit: string, value?: number): number {
  const fixed = DECIMALS[unit];
  if (fixed !== undefined) return fixed;
  if (COUNT_UNITS.has(unit)) return 0;
  // Other units (小时, unknown ones): whole numbers stay whole, anything else gets one decimal.
  return value === undefined || Number.isInteger(value) ? 0 : 1;
}

/** Rounds half away from zero at `decimals`, without the binary artefacts of toFixed (1.005 → 1.01). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(15)))) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

const groupFormats = new Map<number, Intl.NumberFormat>();

/** `84420` → `84,420`; `3856.4` with 2 decimals → `3,856.40`. */
export function groupDigits(value: number, decimals: number): string {
  let format = groupFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true });
    groupFormats.set(decimals, format);
  }
  return format.format(roundTo(value, decimals));
}

/** The number alone, without unit: `84,420`, `91.5` (for %), `3,856.42`. `—` for null. */
export function formatNumber(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (unit === PERCENT) return groupDigits(value * 100, decimalsFor(unit));
  return groupDigits(value, decimalsFor(unit, value));
}

/** The number with its unit: `84,420次`, `91.5%`, `3,856.42万元`. `—` for null. */
export function formatValue(value: number | null | undefined, unit: string): string {
  const number = formatNumber(value, unit);
  return number === DASH ? DASH : `${number}${unit}`;
}

export type Basis = 'previous' | 'yearAgo';

/** 上月 / 上季度 / 上年 for the previous period; 上年同期 for a year ago (上年 for annual bulletins). */
export function basisLabel(basis: Basis, kind: PeriodKind): string {
  if (basis === 'yearAgo') return kind === 'year' ? '上年' : '上年同期';
  switch (kind) {
    case 'month':
      return '上月';
    case 'quarter':
      return '上季度';
    case 'year':
      return '上年';
  }
}

export interface Change {
  direction: 'up' | 'down' | 'flat';
  /** Absolute size of the change, rounded: percent for relative changes, points for rates. */
  amount: number;
  /** `%` (relative change), `个百分点` (rates) or the figure's unit (change from zero). */
  measure: '%' | '个百分点' | 'absolute';
}

/**
 * The change of `value` against `reference`: relative (in %) for quantities, in percentage points
 * for `%` figures. Null when either side is missing. A change from zero has no relative size, so it
 * is given as an absolute amount in the figure's unit.
 */
export function change(value: number | null, reference: number | null, unit: string): Change | null {
  if (value === null || reference === null || !Number.isFinite(value) || !Number.isFinite(reference)) return null;
  let amount: number;
  let measure: Change['measure'];
  if (unit === PERCENT) {
    amount = roundTo((value - reference) * 100, 1);
    measure = '个百分点';
  } else if (reference === 0) {
    amount = roundTo(value, decimalsFor(unit, value));
    measure = 'absolute';
  } else {
    amount = roundTo(((value - reference) / Math.abs(reference)) * 100, 1);
    measure = '%';
  }
  const direction = amount > 0 ? 'up' : amount < 0 ? 'down' : 'flat';
  return { direction, amount: Math.abs(amount), measure };
}

/** The change alone, for table cells: 增长12.3% / 下降4.0% / 提高1.5个百分点 / 持平; `—` when not comparable. */
export function changeWords(value: number | null, reference: number | null, unit: string): string {
  const delta = change(value, reference, unit);
  if (!delta) return DASH;
  if (delta.direction === 'flat') return '持平';
  const up = delta.direction === 'up';
  switch (delta.measure) {
    case '个百分点':
      return `${up ? '提高' : '下降'}${groupDigits(delta.amount, 1)}个百分点`;
    case 'absolute':
      return `${up ? '增加' : '减少'}${formatValue(delta.amount, unit)}`;
    case '%':
      return `${up ? '增长' : '下降'}${groupDigits(delta.amount, 1)}%`;
  }
}

/**
 * The change in words: 比上月增长12.3% / 比上季度下降4.0% / 比上年同期提高1.5个百分点 /
 * 与上年同期持平; `—` when there is nothing to compare with.
 */
export function describeChange(value: number | null, reference: number | null, unit: string, basis: Basis, kind: PeriodKind): string {
  const words = changeWords(value, reference, unit);
  if (words === DASH) return DASH;
  const against = basisLabel(basis, kind);
  return words === '持平' ? `与${against}持平` : `比${against}${words}`;
}

const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (section numbers). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const tensPart = tens === 0 ? '' : tens === 1 ? '十' : `${CHINESE_DIGITS[tens]}十`;
  const onesPart = ones === 0 ? '' : (CHINESE_DIGITS[ones] ?? '');
  return tensPart + onesPart;
}

/** Removes a leading section number such as `一、` or `（二）` from a title, so sections can be renumbered. */
export function stripSectionNumber(title: string): string {
  return title.replace(/^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[)）]\s*|\d+[.、．]\s*)/u, '').trim();
}

/** 2024-10-08T01:30:00Z → 2024年10月8日 09:30（北京时间）; the input unchanged when it is not a date. */
export function formatTimestamp(iso: string, timeZone = CHINA_TIME_ZONE): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const zoneName = timeZone === CHINA_TIME_ZONE ? CHINA_TIME_ZONE_ZH : timeZone;
  return `${part('year')}年${part('month')}月${part('day')}日 ${part('hour')}:${part('minute')}（${zoneName}）`;
}

/** 2024-07-01 → 2024年7月1日; the input unchanged when it is not a date. */
export function formatLocalDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const [, year, month, day] = match;
  return `${year}年${Number(month)}月${Number(day)}日`;
}
