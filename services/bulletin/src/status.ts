import { chinaDate, chinaDayStart, DAY_MS } from '@govstats/schemas';
import type { BulletinPeriod } from './document.ts';
import { periodEnd } from './period.ts';

/*
 * Preliminary or final (初步数据 / 最终数据), as statistical offices label a 快报 and its 核实数.
 *
 * The rule: events may still arrive late for a while after a period closes, so a bulletin issued
 * within `finalAfterDays` days of the close (BULLETIN_FINAL_AFTER_DAYS, default 30) is
 * preliminary; one issued on or after that day is final. The status is decided when a revision is
 * issued and printed in it, never changed afterwards. When a period whose latest revision is
 * preliminary is issued again after that day, a new revision is issued even if no figure changed,
 * so that every period ends with a final one. Events arriving later still give a new revision (a
 * final one, saying what changed): final means "checked after the reporting window", not frozen.
 */

export type BulletinStatus = 'preliminary' | 'final';

export const DEFAULT_FINAL_AFTER_DAYS = 30;

/** Today's issuer line, kept as the default of BULLETIN_ISSUER. */
export const DEFAULT_ISSUER = 'govstats 基层治理统计';

/** Who issues a bulletin and when its figures count as final. */
export interface IssuePolicy {
  issuer: string;
  finalAfterDays: number;
}

export const DEFAULT_POLICY: IssuePolicy = { issuer: DEFAULT_ISSUER, finalAfterDays: DEFAULT_FINAL_AFTER_DAYS };

/** The China date from which a revision of `period` is final: `finalAfterDays` days after its last day's end. */
export function finalFrom(period: BulletinPeriod, finalAfterDays: number): string {
  return chinaDate(periodEnd(period) + finalAfterDays * DAY_MS);
}

/** The status of a revision of `period` issued at `issuedAt` (epoch ms). */
export function statusAt(period: BulletinPeriod, issuedAt: number, finalAfterDays: number): BulletinStatus {
  return issuedAt >= chinaDayStart(finalFrom(period, finalAfterDays)) ? 'final' : 'preliminary';
}

export const STATUS_LABEL: Record<BulletinStatus, string> = { preliminary: '初步数据', final: '最终数据' };
