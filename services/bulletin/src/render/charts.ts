import type { Breakdown, PlaceTable, TableColumn } from '../document.ts';
import { escapeHtml } from './escape.ts';
import { DASH, PERCENT, formatValue } from './format.ts';

/*
 * Inline SVG bar charts. Self-contained on purpose: no web fonts, no scripts, no links, and no
 * `xmlns` either (an inline <svg> in an HTML document does not need it, and the bulletin must not
 * contain a single URL). The charts use the page's serif CJK font stack and print in any colour.
 */

export interface BarChartRow {
  label: string;
  value: number | null;
}

export interface BarChartOptions {
  title: string;
  rows: BarChartRow[];
  /** Display unit of the values (`%` values are 0..1 ratios, see format.ts). */
  unit: string;
  /** Overall width in CSS pixels; the height follows from the number of rows. */
  width?: number;
  /** Sort bars by value, largest first (nulls last). Default true. */
  sort?: boolean;
}

export const CHART_FONT_STACK = '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif';

const BAR_COLOUR = '#3b5b85';
const AXIS_COLOUR = '#555555';
const TEXT_COLOUR = '#1a1a1a';
const FONT_SIZE = 13;
const TITLE_SIZE = 15;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 16;
const PADDING = 12;
const TITLE_BLOCK = 44;

/** Rough advance width of text in px: CJK and full-width characters take 1em, the rest ~0.6em. */
export function estimateTextWidth(text: string, fontSize: number): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const wide = code >= 0x2e80 || (code >= 0x1100 && code <= 0x11ff);
    width += wide ? fontSize : fontSize * 0.6;
  }
  return width;
}

function fixed(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/**
 * A horizontal bar chart: one row per label, the value printed after the bar. Returns an `<svg>`
 * string with role="img", an aria-label and a <title>; all text is escaped. Returns '' when no row
 * has a value, so callers can skip empty charts.
 */
export function barChart(options: BarChartOptions): string {
  const { title, unit } = options;
  const width = options.width ?? 640;
  const rows = [...options.rows];
  if (!rows.some((row) => row.value !== null && Number.isFinite(row.value))) return '';
  if (options.sort ?? true) {
    rows.sort((a, b) => (b.value ?? Number.NEGATIVE_INFINITY) - (a.value ?? Number.NEGATIVE_INFINITY));
  }

  const shown = rows.map((row) => ({ ...row, text: formatValue(row.value, unit) }));
  const labelWidth = Math.max(...shown.map((row) => estimateTextWidth(row.label, FONT_SIZE))) + 10;
  const valueWidth = Math.max(...shown.map((row) => estimateTextWidth(row.text, FONT_SIZE))) + 8;
  const barX = PADDING + labelWidth;
  const barSpace = Math.max(40, width - barX - valueWidth - PADDING);
  const max = Math.max(0, ...shown.map((row) => (row.value !== null && Number.isFinite(row.value) ? row.value : 0)));
  const height = TITLE_BLOCK + shown.length * ROW_HEIGHT + PADDING;
  const subtitle = `单位：${unit}`;
  const summary = shown.map((row) => `${row.label} ${row.text}`).join('，');

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
      `aria-label="${escapeHtml(`${title}（${subtitle}）：${summary}`)}" font-family="${escapeHtml(CHART_FONT_STACK)}">`,
  );
  parts.push(`<title>${escapeHtml(title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${width / 2}" y="${PADDING + TITLE_SIZE}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold" fill="${TEXT_COLOUR}">${escapeHtml(title)}</text>`,
  );
  parts.push(
    `<text x="${width - PADDING}" y="${TITLE_BLOCK - 6}" text-anchor="end" font-size="${FONT_SIZE - 2}" fill="${AXIS_COLOUR}">${escapeHtml(subtitle)}</text>`,
  );
  shown.forEach((row, i) => {
    const rowTop = TITLE_BLOCK + i * ROW_HEIGHT;
    const barY = rowTop + (ROW_HEIGHT - BAR_HEIGHT) / 2;
    const textY = rowTop + ROW_HEIGHT / 2 + FONT_SIZE * 0.35;
    const value = row.value !== null && Number.isFinite(row.value) ? Math.max(0, row.value) : 0;
    const barWidth = max > 0 ? (value / max) * barSpace : 0;
    parts.push(`<g>`);
    parts.push(
      `<text x="${barX - 8}" y="${fixed(textY)}" text-anchor="end" font-size="${FONT_SIZE}" fill="${TEXT_COLOUR}">${escapeHtml(row.label)}</text>`,
    );
    if (barWidth > 0) {
      parts.push(`<rect x="${fixed(barX)}" y="${fixed(barY)}" width="${fixed(barWidth)}" height="${BAR_HEIGHT}" fill="${BAR_COLOUR}"/>`);
    }
    parts.push(
      `<text x="${fixed(barX + barWidth + 6)}" y="${fixed(textY)}" font-size="${FONT_SIZE}" fill="${row.text === DASH ? AXIS_COLOUR : TEXT_COLOUR}">${escapeHtml(row.text)}</text>`,
    );
    parts.push(`</g>`);
  });
  const axisBottom = TITLE_BLOCK + shown.length * ROW_HEIGHT;
  parts.push(
    `<line x1="${fixed(barX)}" y1="${TITLE_BLOCK}" x2="${fixed(barX)}" y2="${axisBottom}" stroke="${AXIS_COLOUR}" stroke-width="1"/>`,
  );
  parts.push(`</svg>`);
  return parts.join('');
}

/** Column keys charted, and where from: county tables chart places, breakdowns chart categories. */

export interface ChartData {
  key: string;
  column: TableColumn;
  title: string;
  rows: BarChartRow[];
}

/** `表3 合作社销售额分产品情况` → `合作社销售额分产品情况`. */
export function stripTableNumber(title: string): string {
  return title.replace(/^\s*[表图]\s*\d+\s*/u, '').trim();
}

function hasValue(rows: BarChartRow[]): boolean {
  return rows.some((row) => row.value !== null && Number.isFinite(row.value));
}

/** Charts by county of the place columns the types chart. Empty data is skipped. */
export function tableChartData(table: PlaceTable): ChartData[] {
  if (table.level !== 'county') return [];
  const charts: ChartData[] = [];
  for (const key of table.charts) {
    const column = table.columns.find((c) => c.key === key);
    if (!column) continue;
    const rows = table.rows.map((row) => ({ label: row.name, value: row.values[key] ?? null }));
    if (!hasValue(rows)) continue;
    const title = `各县（市、区）${column.label}${column.unit === PERCENT && !column.label.includes('率') ? '（%）' : ''}`;
    charts.push({ key, column, title, rows });
  }
  return charts;
}

/** Charts of a breakdown's charted columns (revenue by product, …). Empty data is skipped. */
export function breakdownChartData(breakdown: Breakdown): ChartData[] {
  const charts: ChartData[] = [];
  for (const key of breakdown.charts) {
    const column = breakdown.columns.find((c) => c.key === key);
    if (!column) continue;
    const rows = breakdown.rows.map((row) => ({ label: row.name, value: row.values[key] ?? null }));
    if (!hasValue(rows)) continue;
    charts.push({ key, column, title: stripTableNumber(breakdown.title), rows });
  }
  return charts;
}

/** Renders chart data; `number` prefixes the title as in 图1. */
export function renderChart(data: ChartData, number?: number): string {
  const title = number === undefined ? data.title : `图${number} ${data.title}`;
  return barChart({ title, rows: data.rows, unit: data.column.unit });
}
