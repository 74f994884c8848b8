import type { BulletinStatus } from './status.ts';

/**
 * A statistical bulletin (统计公报) as data. Figures are gathered once from the rollups into this
 * shape; every output (HTML, Markdown, CSV, JSON) is rendered from it, so they cannot disagree.
 */
export type PeriodKind = 'month' | 'quarter' | 'year';

export interface BulletinPeriod {
  /** `2024`, `2024-Q3` or `2024-07`. */
  key: string;
  kind: PeriodKind;
  /** e.g. 2024年, 2024年第三季度, 2024年7月 */
  label: string;
  /** Inclusive local dates, YYYY-MM-DD. */
  from: string;
  to: string;
}

/** One headline figure with its comparisons; null where there is nothing to compare with. */
export interface Figure {
  key: string;
  /** Chinese label, e.g. 受理矛盾纠纷 */
  label: string;
  /** Unit for display: 次, 户, 人, 件, %, 天, 人次, 小时, 万元, … */
  unit: string;
  value: number | null;
  previous: number | null;
  yearAgo: number | null;
}

export interface HeadlineSection {
  /** The event type the section reports on. */
  domain: string;
  /** e.g. 一、网格化服务管理 */
  title: string;
  figures: Figure[];
}

export interface TableColumn {
  key: string;
  label: string;
  unit: string;
}

export interface PlaceRow {
  code: string;
  name: string;
  /** Rank by the table's `rankBy` column, 1 = highest; ties share a rank. */
  rank: number;
  values: Record<string, number | null>;
}

export interface PlaceTable {
  level: 'county' | 'township';
  /** e.g. 表1 各县（市、区）主要指标 */
  title: string;
  columns: TableColumn[];
  rankBy: string;
  rows: PlaceRow[];
  /** The city's own figures for the same columns; equals the sum of rows for additive columns. */
  total: Record<string, number | null>;
  /** Keys of the columns drawn as bar charts. */
  charts: string[];
}

export interface BreakdownRow {
  name: string;
  /** When the rows are measures (城乡分列): the measure, and its display unit, which then applies instead of the columns'. */
  key?: string;
  unit?: string;
  values: Record<string, number | null>;
}

export interface Breakdown {
  title: string;
  columns: TableColumn[];
  rows: BreakdownRow[];
  /** Keys of the columns drawn as bar charts. */
  charts: string[];
}

export interface DataQuality {
  /** Events with an event time in the period that were loaded. */
  eventsIngested: number;
  /**
   * Messages of the city (by subject, else key) first refused during the period, each once,
   * without those a replay later loaded; messages with no place belong to no city.
   */
  deadLettered: number;
  /** Events of the period loaded after the period had closed. */
  arrivedLate: number;
  villagesTotal: number;
  /** Villages and communities of the city with no event of any type in the period. */
  silentVillages: { code: string; name: string }[];
}

/**
 * A comparison base (the previous period, or the same period a year ago) whose figures now differ
 * from those printed in that period's latest issued bulletin: late events revised it since.
 */
export interface RevisedBase {
  basis: 'previous' | 'yearAgo';
  period: { key: string; label: string };
  /** The revision of the base period's bulletin that printed `published`. */
  revision: number;
  figures: { key: string; label: string; unit: string; published: number | null; current: number | null }[];
}

export interface BulletinDocument {
  city: { code: string; name: string };
  period: BulletinPeriod;
  revision: number;
  generatedAt: string;
  /** Who issues it (BULLETIN_ISSUER), e.g. 某市统计局. */
  issuer: string;
  /** Preliminary until `finalFrom`, final from then on (status.ts). */
  status: BulletinStatus;
  /** The China date (YYYY-MM-DD) from which a revision of this period is final. */
  finalFrom: string;
  /** What changed since the previous revision, in words; empty for revision 1. */
  changes: string[];
  /** Comparison bases revised since their own bulletin printed them; empty when none was. */
  revisedBases: RevisedBase[];
  headline: HeadlineSection[];
  tables: PlaceTable[];
  breakdowns: Breakdown[];
  /** 指标解释 of the measures the bulletin shows. */
  definitions: string[];
  quality: DataQuality;
}
