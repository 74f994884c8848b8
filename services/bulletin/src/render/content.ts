import type {
  Breakdown,
  BulletinDocument,
  DataQuality,
  Figure,
  HeadlineSection,
  PeriodKind,
  PlaceTable,
  RevisedBase,
} from '../document.ts';
import { STATUS_LABEL, type BulletinStatus } from '../status.ts';
import { breakdownChartData, tableChartData, type ChartData } from './charts.ts';
import {
  DASH,
  PERCENT,
  basisLabel,
  chineseNumeral,
  describeChange,
  formatLocalDate,
  formatNumber,
  formatTimestamp,
  formatValue,
  groupDigits,
  changeWords,
  stripSectionNumber,
} from './format.ts';

/*
 * The bulletin's wording and layout as plain text blocks. HTML and Markdown both render this one
 * structure (each with its own escaping), so the two cannot say different things.
 */

export type Align = 'left' | 'right' | 'center';

export interface TableBlock {
  kind: 'table';
  caption?: string;
  head: string[];
  align: Align[];
  rows: string[][];
  /** Rows set apart at the bottom, e.g. 合计. */
  foot: string[][];
  className: string;
}

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'chart'; number: number; data: ChartData }
  | TableBlock;

export interface ContentSection {
  /** 一, 二, … */
  number: string;
  title: string;
  id: string;
  blocks: Block[];
}

export interface BulletinContent {
  title: string;
  issuer: string;
  period: string;
  /** 初步数据 / 最终数据 and what that means for this revision. */
  status: { kind: BulletinStatus; label: string; text: string };
  revision: { heading: string; intro: string; items: string[] } | null;
  sections: ContentSection[];
  notes: string[];
}

export const TOTAL_LABEL = '合计';

/** 三门峡市2024年第三季度基层治理统计公报 */
export function bulletinTitle(doc: BulletinDocument): string {
  return `${doc.city.name}${doc.period.label}基层治理统计公报`;
}

/** 某市统计局 · 第2版 · 生成于 2024年10月8日 09:30（北京时间） */
export function issuerLine(doc: BulletinDocument): string {
  return `${doc.issuer} · 第${doc.revision}版 · 生成于 ${formatTimestamp(doc.generatedAt)}`;
}

/** What the status of this revision means, in the words of the rule (status.ts). */
export function statusText(doc: BulletinDocument): string {
  const from = formatLocalDate(doc.finalFrom);
  return doc.status === 'final'
    ? `本版发布时补报已截止（${from}起发布的版本为最终数据），为核实后的数据；此后如再有补报，将另发修订版并说明。`
    : `统计时段结束后仍可能有迟报数据，本版数据可能修订；${from}起发布的版本为最终数据。`;
}

/** 上年同期数据已修订：2023年第三季度公报（第1版）发布的走访巡查为2次，现为3次。… */
export function revisedBaseNote(base: RevisedBase, kind: PeriodKind): string {
  const figures = base.figures.map((f) => `${f.label}为${formatValue(f.published, f.unit)}，现为${formatValue(f.current, f.unit)}`);
  const against = basisLabel(base.basis, kind);
  return (
    `${against}数据已修订：${base.period.label}公报（第${base.revision}版）发布的${figures.join('；')}。` +
    `本公报“比${against}”按修订后的数据计算。`
  );
}

/** One figure as a sentence without the closing 。: 走访巡查84,420次，比上季度增长12.3%，比上年同期增长5.0% */
export function figureSentence(figure: Figure, kind: PeriodKind): string {
  if (figure.value === null) return `${figure.label}暂无数据`;
  const clauses = [`${figure.label}${formatValue(figure.value, figure.unit)}`];
  for (const [reference, basis] of [
    [figure.previous, 'previous'],
    [figure.yearAgo, 'yearAgo'],
  ] as const) {
    const words = describeChange(figure.value, reference, figure.unit, basis, kind);
    if (words !== DASH) clauses.push(words);
  }
  return clauses.join('，');
}

/** The headline paragraph of a section: 全市走访巡查84,420次，比上季度增长12.3%，…。上报事件…。 */
export function headlineParagraph(section: HeadlineSection, kind: PeriodKind): string {
  if (section.figures.length === 0) return '本期暂无数据。';
  return section.figures.map((figure, i) => `${i === 0 ? '全市' : ''}${figureSentence(figure, kind)}。`).join('');
}

function headlineTable(section: HeadlineSection, kind: PeriodKind): TableBlock {
  const previous = basisLabel('previous', kind);
  const yearAgo = basisLabel('yearAgo', kind);
  return {
    kind: 'table',
    head: ['指标', '单位', '本期', previous, `比${previous}`, yearAgo, `比${yearAgo}`],
    align: ['left', 'center', 'right', 'right', 'right', 'right', 'right'],
    rows: section.figures.map((f) => [
      f.label,
      f.unit,
      formatNumber(f.value, f.unit),
      formatNumber(f.previous, f.unit),
      changeWords(f.value, f.previous, f.unit),
      formatNumber(f.yearAgo, f.unit),
      changeWords(f.value, f.yearAgo, f.unit),
    ]),
    foot: [],
    className: 'figures',
  };
}

function columnHeading(column: { label: string; unit: string }): string {
  return column.unit ? `${column.label}（${column.unit}）` : column.label;
}

export function placeTable(table: PlaceTable): TableBlock {
  const withCode = table.level === 'township';
  const rows = [...table.rows].sort((a, b) => a.rank - b.rank);
  const head = ['位次', table.level === 'county' ? '县（市、区）' : '乡镇（街道）'];
  const align: Align[] = ['center', 'left'];
  if (withCode) {
    head.push('区划代码');
    align.push('center');
  }
  for (const column of table.columns) {
    head.push(columnHeading(column));
    align.push('right');
  }
  const values = (record: Record<string, number | null>): string[] => table.columns.map((c) => formatNumber(record[c.key] ?? null, c.unit));
  return {
    kind: 'table',
    caption: table.title,
    head,
    align,
    rows: rows.map((row) => [String(row.rank), row.name, ...(withCode ? [row.code] : []), ...values(row.values)]),
    foot: [['', TOTAL_LABEL, ...(withCode ? [''] : []), ...values(table.total)]],
    className: `places places-${table.level}`,
  };
}

export function breakdownTable(breakdown: Breakdown): TableBlock {
  return {
    kind: 'table',
    caption: breakdown.title,
    head: ['项目', ...breakdown.columns.map(columnHeading)],
    align: ['left', ...breakdown.columns.map((): Align => 'right')],
    // Rows that are measures (城乡分列) carry their own unit, shown after the name.
    rows: breakdown.rows.map((row) => [
      row.unit === undefined ? row.name : columnHeading({ label: row.name, unit: row.unit }),
      ...breakdown.columns.map((c) => formatNumber(row.values[c.key] ?? null, row.unit ?? c.unit)),
    ]),
    foot: [],
    className: 'breakdown',
  };
}

function share(part: number, whole: number): string {
  return whole > 0 ? formatValue(part / whole, PERCENT) : DASH;
}

export function qualityBlocks(quality: DataQuality): Block[] {
  const blocks: Block[] = [];
  blocks.push({
    kind: 'paragraph',
    text:
      `本期共接入统计时段内发生的事件${groupDigits(quality.eventsIngested, 0)}条，` +
      `其中统计时段结束后补报（迟到）入库${groupDigits(quality.arrivedLate, 0)}条，占${share(quality.arrivedLate, quality.eventsIngested)}；` +
      `接入过程中因格式或内容不合规被拒收（转入死信队列）的本市消息${groupDigits(quality.deadLettered, 0)}条，未计入本公报` +
      '（按事件所属区划判定，同一消息重放后再次被拒收的只计一次，经重放已入库的不计；无法识别所属区划的消息——如无法解析且未带区划代码——不属于任何城市，未包括在内）。',
  });
  const silent = quality.silentVillages.length;
  const reporting = Math.max(0, quality.villagesTotal - silent);
  if (silent === 0) {
    blocks.push({
      kind: 'paragraph',
      text: `全市${groupDigits(quality.villagesTotal, 0)}个村（社区）本期均有上报，上报覆盖率${share(reporting, quality.villagesTotal)}。`,
    });
  } else {
    blocks.push({
      kind: 'paragraph',
      text:
        `全市共有村（社区）${groupDigits(quality.villagesTotal, 0)}个，本期有上报的${groupDigits(reporting, 0)}个，上报覆盖率${share(reporting, quality.villagesTotal)}；` +
        `本期无任何上报的村（社区）${groupDigits(silent, 0)}个，名单如下（相关指标可能偏低）：`,
    });
    blocks.push({
      kind: 'table',
      caption: '本期无上报的村（社区）',
      head: ['序号', '区划代码', '村（社区）'],
      align: ['center', 'center', 'left'],
      rows: quality.silentVillages.map((v, i) => [String(i + 1), v.code, v.name]),
      foot: [],
      className: 'silent',
    });
  }
  return blocks;
}

/** Definitions that are not about one type's measures, keyed by the column they explain. */
const GENERAL_DEFINITIONS: Record<string, string> = {
  above_village:
    '城乡分列：城镇、乡村按事件所属村（社区）的城乡属性划分；乡镇及以上为乡镇（街道）、县（市、区）和市本级直接开展的工作，等于合计减城镇、乡村；' +
    '人数、户数、个数等去重指标不能相减（同一网格员可能在城镇和乡村都开展工作），该栏以“—”表示。',
};

export function notes(doc: BulletinDocument): string[] {
  const columns = new Set(doc.breakdowns.flatMap((b) => b.columns.map((c) => c.key)));
  const definitions = [
    ...doc.definitions,
    ...Object.entries(GENERAL_DEFINITIONS)
      .filter(([key]) => columns.has(key))
      .map(([, text]) => text),
  ];
  const ranked = doc.tables
    .map((t) => t.columns.find((c) => c.key === t.rankBy)?.label)
    .filter((label): label is string => label !== undefined);
  const result = [
    '数据来源：本公报数据取自 govstats 汇总表（rollups）——各类基层治理事件经消息队列接入后在 ClickHouse 中按日、月汇总形成，按事件发生时间归入统计时段。',
    `时间口径：日期和时间均按北京时间（UTC+8，Asia/Shanghai）计算；本期统计时段为${formatLocalDate(doc.period.from)}至${formatLocalDate(doc.period.to)}。`,
    '比较口径：“比上期”“比上年同期”为相对增减幅度；以“%”表示的比率指标，其增减以百分点表示。',
    ...doc.revisedBases.map((base) => revisedBaseNote(base, doc.period.kind)),
    `数据状态：统计时段结束后不久发布的公报为初步数据（快报），迟报数据入库后发布修订版；本期自${formatLocalDate(doc.finalFrom)}起发布的版本为最终数据。本版为${STATUS_LABEL[doc.status]}。`,
  ];
  if (definitions.length > 0) result.push(`指标解释：${definitions.join('')}`);
  if (ranked.length > 0) result.push(`位次：分地区表按${[...new Set(ranked)].join('、')}由高到低排列，数值相同者位次并列。`);
  result.push('部分数据因四舍五入，分项之和与合计可能略有出入；“—”表示无数据或无可比数据。');
  return result;
}

/** Builds the whole bulletin as text blocks in reading order, with sections numbered 一、二、… */
export function buildContent(doc: BulletinDocument): BulletinContent {
  const kind = doc.period.kind;
  const sections: ContentSection[] = [];
  let chartNumber = 0;
  const add = (title: string, id: string, blocks: Block[]): void => {
    sections.push({ number: chineseNumeral(sections.length + 1), title, id, blocks });
  };

  for (const section of doc.headline) {
    add(stripSectionNumber(section.title), `section-${section.domain}`, [
      { kind: 'paragraph', text: headlineParagraph(section, kind) },
      ...(section.figures.length > 0 ? [headlineTable(section, kind)] : []),
    ]);
  }

  if (doc.tables.length > 0) {
    const blocks: Block[] = [];
    for (const table of doc.tables) {
      blocks.push(placeTable(table));
      for (const data of tableChartData(table)) blocks.push({ kind: 'chart', number: ++chartNumber, data });
    }
    add('分地区主要指标', 'section-places', blocks);
  }

  if (doc.breakdowns.length > 0) {
    const blocks: Block[] = [];
    for (const breakdown of doc.breakdowns) {
      blocks.push(breakdownTable(breakdown));
      for (const data of breakdownChartData(breakdown)) blocks.push({ kind: 'chart', number: ++chartNumber, data });
    }
    add('分类构成', 'section-breakdowns', blocks);
  }

  add('数据质量', 'section-quality', qualityBlocks(doc.quality));

  const revision =
    doc.changes.length > 0
      ? {
          heading: '修订说明',
          intro: `本公报为第${doc.revision}版${doc.revision > 1 ? `，较第${doc.revision - 1}版作如下修订` : '，说明如下'}：`,
          items: doc.changes,
        }
      : null;

  return {
    title: bulletinTitle(doc),
    issuer: issuerLine(doc),
    period: `统计时段：${formatLocalDate(doc.period.from)}至${formatLocalDate(doc.period.to)}`,
    status: { kind: doc.status, label: STATUS_LABEL[doc.status], text: statusText(doc) },
    revision,
    sections,
    notes: notes(doc),
  };
}
