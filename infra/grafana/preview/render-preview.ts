/*
 * A PREVIEW, NOT GRAFANA. Grafana could not run where this was written (no Docker, no package), so
 * this runs the queries of two panels of the governance dashboard
 * (infra/grafana/dashboards/governance-figures.json: its bar chart and its table) on a store that
 * has data, draws what they return as static HTML (SVG bars, a table) and screenshots that page in
 * headless Chromium. It shows what the panels' SQL returns, not how Grafana draws it.
 *
 *   npx tsx infra/grafana/preview/render-preview.ts --data .govstats/demo/chdb \
 *     --level county --place 411224000000 --year 2024 --out dashboard-panel.png
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { openStore } from '../../../packages/store/src/index.ts';
import { chinaYear, fillClickHouseQuery } from '../clickhouse-macros.ts';

interface Panel {
  type: string;
  title: string;
  targets: Array<{ rawSql: string }>;
  fieldConfig: { overrides: Array<{ matcher: { id: string; options: string }; properties: Array<{ id: string; value: unknown }> }> };
  options: { xField?: string };
}
interface Column {
  name: string;
  type: string;
}
type Row = Record<string, string | number | null>;

const { values: args } = parseArgs({
  options: {
    level: { type: 'string', default: 'city' },
    place: { type: 'string', default: '411200000000' },
    year: { type: 'string', default: '2024' },
    out: { type: 'string', default: 'dashboard-panel.png' },
    data: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const dataDir = args.data;
if (!dataDir) throw new Error('--data DIR: the embedded data directory of a store with data (e.g. .govstats/demo/chdb)');

const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'dashboards', 'governance-figures.json'), 'utf8')) as {
  title: string;
  panels: Panel[];
};
const panels = ['barchart', 'table'].map((type) => dashboard.panels.find((p) => p.type === type)!);
const variables = new Map([
  ['level', args.level],
  ['place', args.place],
]);

const escape = (text: unknown) => String(text ?? '–').replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const displayName = (panel: Panel, column: string) =>
  panel.fieldConfig.overrides
    .find((o) => o.matcher.id === 'byName' && o.matcher.options === column)
    ?.properties.find((p) => p.id === 'displayName')?.value ?? column;
const isPercent = (panel: Panel, column: string) =>
  panel.fieldConfig.overrides.some((o) => o.matcher.id === 'byRegexp' && new RegExp(`^(?:${o.matcher.options})$`).test(column));
const format = (panel: Panel, column: string, value: Row[string] | undefined) => {
  if (value === null || value === undefined) return '–';
  if (isPercent(panel, column)) return `${(Number(value) * 100).toFixed(1)}%`;
  return typeof value === 'number' ? value.toLocaleString('zh-CN') : String(value);
};

/** Horizontal bars, one per row: the x field's text and the first numeric column. */
function bars(panel: Panel, columns: Column[], rows: Row[]): string {
  const label = panel.options.xField!;
  const value = columns.find((c) => c.name !== label)!.name;
  const max = Math.max(1, ...rows.map((r) => Number(r[value])));
  const height = 22;
  const items = rows.map((row, i) => {
    const width = (Number(row[value]) / max) * 520;
    return `<text x="150" y="${i * height + 15}" text-anchor="end">${escape(row[label])}</text>
      <rect x="160" y="${i * height + 3}" width="${width.toFixed(1)}" height="${height - 6}" fill="#5794f2"/>
      <text x="${(166 + width).toFixed(1)}" y="${i * height + 15}">${format(panel, value, row[value])}</text>`;
  });
  return `<svg width="760" height="${rows.length * height + 4}" font-size="12">${items.join('')}</svg>
    <p class="axis">${escape(displayName(panel, value))}</p>`;
}

function table(panel: Panel, columns: Column[], rows: Row[]): string {
  const head = columns.map((c) => `<th>${escape(displayName(panel, c.name))}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td>${escape(format(panel, c.name, row[c.name]))}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const store = await openStore({ dataDir });
const sections: string[] = [];
try {
  for (const panel of panels) {
    const sql = fillClickHouseQuery(panel.targets[0]!.rawSql, chinaYear(Number(args.year)), variables);
    const result = await store.client.query({ query: sql, format: 'JSON' });
    const { meta = [], data } = await result.json<Row>();
    const drawn = data.length === 0 ? '<p>no rows</p>' : panel.type === 'barchart' ? bars(panel, meta, data) : table(panel, meta, data);
    sections.push(`<section><h2>${escape(panel.title)}</h2>${drawn}</section>`);
  }
} finally {
  await store.close();
}

const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
  body { font-family: 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; background: #111217; color: #ccccdc; margin: 16px; width: 1180px; }
  .banner { background: #8a6d1f; color: #fff; padding: 6px 10px; border-radius: 3px; font-size: 13px; }
  section { background: #181b1f; border: 1px solid #2c3235; border-radius: 3px; padding: 10px 14px; margin-top: 12px; }
  h1 { font-size: 18px; margin: 10px 0 0; } h2 { font-size: 14px; margin: 0 0 8px; font-weight: 500; }
  svg text { fill: #ccccdc; } .axis { font-size: 12px; color: #8e8e8e; margin: 4px 0 0 160px; }
  table { border-collapse: collapse; font-size: 12px; width: 100%; }
  th, td { border-bottom: 1px solid #2c3235; padding: 4px 8px; text-align: right; } th:first-child, td:first-child { text-align: left; }
</style></head><body>
  <div class="banner">Preview, not Grafana: the panel queries of infra/grafana/dashboards/governance-figures.json, run on the embedded engine and drawn as static HTML.</div>
  <h1>${escape(dashboard.title)} · level=${escape(args.level)} place=${escape(args.place)} · ${escape(args.year)}</h1>
  ${sections.join('\n')}
</body></html>`;

const htmlFile = args.out.replace(/\.png$/, '') + '.html';
writeFileSync(htmlFile, html);
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1212, height: 600 } });
  await page.setContent(html);
  await page.screenshot({ path: args.out, fullPage: true });
} finally {
  await browser.close();
}
process.stdout.write(`${args.out} (and ${htmlFile})\n`);
