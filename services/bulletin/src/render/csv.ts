import type { BulletinDocument } from '../document.ts';

/*
 * Every figure of the bulletin in long format, one row per figure:
 *
 *   section,place_code,place_name,measure,label,unit,value,previous,year_ago,status
 *
 * - headline figures: the city as place, with previous and year_ago;
 * - place tables: one row per place and column, plus the table's total with the city as place;
 * - breakdowns: place_code empty, place_name = the row's name (a product, a channel, …); rows that
 *   are measures of the city (城乡分列) have the city as place, measure `<measure>.<column>`
 *   (`visits.urban`), label `走访巡查（城镇）` and the row's unit;
 * - data quality: the counts, with the city as place;
 * - revised comparison bases (比较基数修订): the figure a base period's own bulletin printed, measure
 *   `<measure>.published` and label `走访巡查（2023年第三季度公报第1版发布数）`; the base used now is
 *   the headline row's `previous` or `year_ago`.
 * `status` is the revision's: `preliminary` (初步数据) or `final` (最终数据), the same on every row.
 * `section` is the title of the section, table or breakdown the figure comes from. Values are the
 * document's numbers unformatted (full precision, `.` decimal point, no grouping); `%` values are
 * 0..1 ratios as in the document; an empty cell is a null.
 *
 * Quoting follows RFC 4180: fields containing a comma, a double quote, CR or LF are quoted, quotes
 * doubled, and records end with CRLF.
 *
 * Formula injection (OWASP "CSV Injection"): names and labels can come from producers (a product
 * name in a cooperative sale) or a user's division table, and a spreadsheet runs a cell that
 * starts with = + - @ (or tab / CR, which some strip first) as a formula — `=HYPERLINK(…)` sends
 * data away, `=cmd|…` ran commands. Such a *text* cell gets a leading `'`, which spreadsheets read
 * as "this is text" and show without running anything; a program reading the file sees the `'`.
 * Figures are written as numbers and never changed: -3 is a value, not a formula. Text that looks
 * numeric (`-3`, `+86`) is still prefixed: every figure here is in a numeric column, so a text
 * column holding `-3` is a name, and "looks like a number" is exactly the test `-1+cmd|…` tricks.
 *
 * Encoding: UTF-8 *with* a byte order mark (U+FEFF) at the start. Excel (notably on Chinese
 * Windows) opens a BOM-less .csv in the legacy ANSI code page (GBK), which turns every Chinese
 * label and place name into mojibake; the BOM makes it read UTF-8. Tools that do not expect a BOM
 * (some CSV parsers, `cut`) must strip the first character — a deliberate trade-off, since the
 * people opening these files mostly use Excel.
 */

export const CSV_HEADER = [
  'section',
  'place_code',
  'place_name',
  'measure',
  'label',
  'unit',
  'value',
  'previous',
  'year_ago',
  'status',
] as const;

export const BOM = '\uFEFF';

type CsvFigure = [string, string, string, string, string, string, number | null, number | null, number | null];
type CsvRecord = [...CsvFigure, string];

/** What a spreadsheet takes as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet shows as text, never runs. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field per RFC 4180; text is neutralised against formula injection, numbers stay numbers. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : neutraliseFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The figures of the document as records, in the order of the bulletin, each with the revision's status. */
export function csvRecords(doc: BulletinDocument): CsvRecord[] {
  return csvFigures(doc).map((figure): CsvRecord => [...figure, doc.status]);
}

function csvFigures(doc: BulletinDocument): CsvFigure[] {
  const { code: cityCode, name: cityName } = doc.city;
  const records: CsvFigure[] = [];
  for (const section of doc.headline) {
    for (const f of section.figures) {
      records.push([section.title, cityCode, cityName, f.key, f.label, f.unit, f.value, f.previous, f.yearAgo]);
    }
  }
  for (const table of doc.tables) {
    for (const row of table.rows) {
      for (const c of table.columns)
        records.push([table.title, row.code, row.name, c.key, c.label, c.unit, row.values[c.key] ?? null, null, null]);
    }
    for (const c of table.columns)
      records.push([table.title, cityCode, cityName, c.key, c.label, c.unit, table.total[c.key] ?? null, null, null]);
  }
  for (const breakdown of doc.breakdowns) {
    for (const row of breakdown.rows) {
      for (const c of breakdown.columns) {
        const value = row.values[c.key] ?? null;
        if (row.key === undefined) records.push([breakdown.title, '', row.name, c.key, c.label, c.unit, value, null, null]);
        else
          records.push([
            breakdown.title,
            cityCode,
            cityName,
            `${row.key}.${c.key}`,
            `${row.name}（${c.label}）`,
            row.unit ?? c.unit,
            value,
            null,
            null,
          ]);
      }
    }
  }
  const q = doc.quality;
  const quality: [string, string, string, number][] = [
    ['events_ingested', '接入事件', '条', q.eventsIngested],
    ['dead_lettered', '拒收消息（死信）', '条', q.deadLettered],
    ['arrived_late', '迟到事件', '条', q.arrivedLate],
    ['villages_total', '村（社区）总数', '个', q.villagesTotal],
    ['villages_silent', '无上报村（社区）', '个', q.silentVillages.length],
  ];
  for (const [measure, label, unit, value] of quality)
    records.push(['数据质量', cityCode, cityName, measure, label, unit, value, null, null]);
  for (const base of doc.revisedBases) {
    for (const f of base.figures) {
      const label = `${f.label}（${base.period.label}公报第${base.revision}版发布数）`;
      records.push(['比较基数修订', cityCode, cityName, `${f.key}.published`, label, f.unit, f.published, null, null]);
    }
  }
  return records;
}

/** Renders every figure as long-format CSV (UTF-8 with BOM, CRLF). */
export function renderCsv(doc: BulletinDocument): string {
  const lines = [CSV_HEADER.join(','), ...csvRecords(doc).map((record) => record.map(csvField).join(','))];
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
