import { chinaDayEnd, daysInMonth } from '@govstats/schemas';
import type { BulletinPeriod, PeriodKind } from './document.ts';

const QUARTER_NAMES = ['一', '二', '三', '四'];

/** Parses `2024`, `2024-Q3` or `2024-07` into the period's inclusive local dates and label. */
export function parsePeriod(key: string): BulletinPeriod {
  const year = /^(\d{4})$/.exec(key);
  if (year) return makePeriod('year', Number(year[1]), 1);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  if (quarter) return makePeriod('quarter', Number(quarter[1]), Number(quarter[2]));
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (month) return makePeriod('month', Number(month[1]), Number(month[2]));
  throw new Error(`period must look like 2024, 2024-Q3 or 2024-07 (got ${JSON.stringify(key)})`);
}

/** `index` is the quarter (1–4) or month (1–12); ignored for years. */
export function makePeriod(kind: PeriodKind, year: number, index: number): BulletinPeriod {
  const [firstMonth, lastMonth] = kind === 'year' ? [1, 12] : kind === 'quarter' ? [index * 3 - 2, index * 3] : [index, index];
  const from = `${year}-${pad(firstMonth)}-01`;
  const to = `${year}-${pad(lastMonth)}-${pad(daysInMonth(year, lastMonth))}`;
  if (kind === 'year') return { key: String(year), kind, label: `${year}年`, from, to };
  if (kind === 'quarter') return { key: `${year}-Q${index}`, kind, label: `${year}年第${QUARTER_NAMES[index - 1]}季度`, from, to };
  return { key: `${year}-${pad(index)}`, kind, label: `${year}年${index}月`, from, to };
}

export function previousPeriod(period: BulletinPeriod): BulletinPeriod {
  const { year, index } = position(period);
  if (period.kind === 'year') return makePeriod('year', year - 1, 1);
  const count = period.kind === 'quarter' ? 4 : 12;
  return index === 1 ? makePeriod(period.kind, year - 1, count) : makePeriod(period.kind, year, index - 1);
}

export function yearAgoPeriod(period: BulletinPeriod): BulletinPeriod {
  const { year, index } = position(period);
  return makePeriod(period.kind, year - 1, index);
}

/** The period of `kind` containing a local date (YYYY-MM-DD). */
export function periodContaining(kind: PeriodKind, date: string): BulletinPeriod {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return makePeriod(kind, year, kind === 'year' ? 1 : kind === 'quarter' ? Math.ceil(month / 3) : month);
}

/** First instant after the period, as epoch ms: midnight in China the day after `to`. */
export function periodEnd(period: BulletinPeriod): number {
  return chinaDayEnd(period.to);
}

function position(period: BulletinPeriod): { year: number; index: number } {
  const year = Number(period.key.slice(0, 4));
  if (period.kind === 'year') return { year, index: 1 };
  return { year, index: Number(period.key.slice(period.kind === 'quarter' ? 6 : 5)) };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
