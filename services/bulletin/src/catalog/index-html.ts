import type { PeriodKind } from '../document.ts';
import { escapeHtml } from '../render/escape.ts';
import { formatTimestamp, groupDigits } from '../render/format.ts';
import { pageHead } from '../render/page-head.ts';
import { STATUS_LABEL, type BulletinStatus } from '../status.ts';
import { CATALOG_FILE } from './layout.ts';
import { KIND_ORDER, type Catalog, type CatalogCity, type CatalogPeriod, type CatalogRevision, type FileLinks } from './catalog.ts';

/*
 * index.html: the catalog for people. One page, no scripts and nothing fetched (styles inline),
 * every link relative, so it works opened from disk, from an archive or behind any web server.
 * Rendered from catalog.json's data, so the two list the same revisions and links.
 */

const KIND_TITLE: Record<PeriodKind, string> = { year: '年度公报', quarter: '季度公报', month: '月度公报' };
const KIND_SERIES: Record<PeriodKind, string> = { year: '年度', quarter: '季度', month: '月度' };
const FILE_LABELS: [keyof FileLinks, string][] = [
  ['html', 'HTML'],
  ['markdown', 'Markdown'],
  ['csv', 'CSV'],
  ['json', 'JSON'],
];

const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; color: #111111; background: #ffffff; font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif;
  font-size: 15px; line-height: 1.7; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 32px 48px; }
header.masthead { text-align: center; border-bottom: 3px double #9b1c1c; padding-bottom: 10px; margin-bottom: 18px; }
header.masthead h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: 0.06em; }
header.masthead p { margin: 2px 0; color: #333333; font-size: 14px; }
p.legend { font-size: 13px; color: #444444; margin: 0 0 14px; }
nav.cities { text-align: center; margin: 0 0 16px; }
nav.cities a { margin: 0 8px; }
section.city { margin: 0 0 28px; }
h2 { font-size: 20px; margin: 18px 0 6px; border-left: 5px solid #9b1c1c; padding-left: 8px; }
h2 .code { font-size: 13px; color: #666666; font-weight: normal; margin-left: 6px; font-family: monospace; }
p.series { margin: 0 0 8px; font-size: 14px; }
table { width: 100%; border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; line-height: 1.5; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #999999; padding: 4px 8px; vertical-align: top; }
th { background: #eeeeee; text-align: center; white-space: nowrap; }
td.period { white-space: nowrap; font-weight: bold; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.revision { white-space: nowrap; }
tr.latest td { background: #fbf8f0; }
tr.older td { color: #555555; }
.tag { display: inline-block; padding: 0 6px; border: 1px solid currentColor; border-radius: 3px; font-size: 12px; line-height: 1.6;
  white-space: nowrap; }
.tag.latest { color: #9b1c1c; margin-left: 4px; }
.tag.preliminary { color: #8a4b00; background: #fff4e0; }
.tag.final { color: #1d5e2c; background: #e8f4ea; }
.tag.unlabelled { color: #666666; }
td.files a { margin-right: 8px; }
a { color: #1a4d8f; }
a.stable { font-size: 12px; }
ul.changes { margin: 0; padding-left: 1.2em; font-size: 13px; }
ul.changes li.more { list-style: none; margin-left: -1.2em; }
footer { font-size: 12px; color: #666666; border-top: 1px solid #cccccc; padding-top: 8px; }
`;

const link = (href: string, text: string, cls = '') =>
  `<a href="${escapeHtml(href)}"${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</a>`;

function statusTag(status: BulletinStatus | null): string {
  return status
    ? `<span class="tag ${status}">${escapeHtml(STATUS_LABEL[status])}</span>`
    : '<span class="tag unlabelled" title="发布时尚未标注数据状态">未标注</span>';
}

function fileLinks(files: FileLinks): string {
  return FILE_LABELS.filter(([what]) => files[what])
    .map(([what, label]) => link(files[what]!, label))
    .join('');
}

/** Changes listed in a row before the rest are left to the bulletin's own 修订说明. */
const CHANGES_SHOWN = 3;

function changesCell(revision: CatalogRevision, html: string | undefined): string {
  const { changes } = revision;
  if (changes.length === 0) return revision.revision === 1 ? '首次发布' : '—';
  const items = changes.slice(0, CHANGES_SHOWN).map((c) => `<li>${escapeHtml(c)}</li>`);
  if (changes.length > CHANGES_SHOWN) {
    const rest = `另有${changes.length - CHANGES_SHOWN}项，见该版修订说明`;
    items.push(`<li class="more">${html ? link(html, rest) : escapeHtml(rest)}</li>`);
  }
  return `<ul class="changes">${items.join('')}</ul>`;
}

function periodRows(period: CatalogPeriod): string[] {
  const newestFirst = [...period.revisions].reverse();
  return newestFirst.map((revision, i) => {
    const cells: string[] = [];
    if (i === 0) cells.push(`<td class="period" rowspan="${newestFirst.length}">${escapeHtml(period.label)}</td>`);
    const stable = revision.latest && period.latest.files.html ? `<br>${link(period.latest.files.html, '固定地址 latest/', 'stable')}` : '';
    cells.push(
      `<td class="revision">第${revision.revision}版${revision.latest ? '<span class="tag latest">最新</span>' : ''}${stable}</td>`,
    );
    cells.push(`<td>${statusTag(revision.status)}</td>`);
    cells.push(`<td class="when">${escapeHtml(formatTimestamp(revision.issuedAt))}</td>`);
    cells.push(`<td class="files">${fileLinks(revision.files)}</td>`);
    cells.push(`<td>${changesCell(revision, revision.files.html)}</td>`);
    return `<tr class="${revision.latest ? 'latest' : 'older'}">${cells.join('')}</tr>`;
  });
}

function citySection(city: CatalogCity): string {
  const out: string[] = [];
  out.push(`<section class="city" id="city-${escapeHtml(city.code)}">`);
  out.push(`<h2>${escapeHtml(city.name)}<span class="code">${escapeHtml(city.code)}</span></h2>`);
  const series = KIND_ORDER.filter((kind) => city.series[kind]).map((kind) => link(city.series[kind]!, KIND_SERIES[kind]));
  if (series.length > 0) out.push(`<p class="series">时间序列（CSV，各期最新版本的主要指标）：${series.join(' · ')}</p>`);
  for (const kind of KIND_ORDER) {
    const periods = city.periods.filter((p) => p.kind === kind).reverse();
    if (periods.length === 0) continue;
    out.push('<table>');
    out.push(`<caption>${KIND_TITLE[kind]}</caption>`);
    out.push('<thead><tr><th>统计时段</th><th>版本</th><th>数据状态</th><th>发布时间</th><th>文件</th><th>修订说明</th></tr></thead>');
    out.push(`<tbody>${periods.flatMap(periodRows).join('\n')}</tbody>`);
    out.push('</table>');
  }
  out.push('</section>');
  return out.join('\n');
}

export function renderIndexHtml(catalog: Catalog): string {
  const periods = catalog.cities.flatMap((c) => c.periods);
  const revisions = periods.flatMap((p) => p.revisions);
  const issuers = [...new Set(revisions.map((r) => r.issuer).filter((i): i is string => i !== null))];
  const out: string[] = pageHead('基层治理统计公报目录', STYLE);
  out.push('<body>');
  out.push('<main>');
  out.push('<header class="masthead">');
  out.push('<h1>基层治理统计公报目录</h1>');
  if (issuers.length > 0) out.push(`<p>发布单位：${escapeHtml(issuers.join('、'))}</p>`);
  out.push(
    `<p>${groupDigits(catalog.cities.length, 0)}个城市 · ${groupDigits(periods.length, 0)}期公报 · ${groupDigits(revisions.length, 0)}个版本 · 机器可读目录 ${link(CATALOG_FILE, CATALOG_FILE)}</p>`,
  );
  out.push('</header>');
  out.push(
    '<p class="legend">初步数据：统计时段结束后不久发布，迟报数据入库后可能发布修订版；最终数据：补报截止后发布的版本。' +
      '每期的“固定地址”（…/latest/）始终是该期最新版本的副本；历次版本保留不变。</p>',
  );
  if (catalog.cities.length > 1)
    out.push(`<nav class="cities">${catalog.cities.map((c) => link(`#city-${c.code}`, c.name)).join('')}</nav>`);
  if (catalog.cities.length === 0) out.push('<p>尚未发布公报。</p>');
  for (const city of catalog.cities) out.push(citySection(city));
  out.push(
    '<footer>本目录由 govstats 根据已发布的公报文件生成，随每次发布更新；<code>govstats bulletin --index</code> 可据文件重建。</footer>',
  );
  out.push('</main>');
  out.push('</body>');
  out.push('</html>');
  return `${out.join('\n')}\n`;
}
