import type { BulletinDocument } from '../document.ts';
import { renderChart } from './charts.ts';
import { buildContent, type Block, type TableBlock } from './content.ts';
import { escapeHtml } from './escape.ts';
import { pageHead } from './page-head.ts';

/*
 * The bulletin as one self-contained, print-friendly A4 HTML page: styles inline, charts as inline
 * SVG, no scripts, no images, no fonts or anything else fetched from anywhere (there is no URL in
 * the page at all), so it renders the same offline, in an archive, or printed to PDF.
 */

const STYLE = `
@page { size: A4; margin: 18mm; }
* { box-sizing: border-box; }
html { background: #ffffff; }
body {
  margin: 0;
  color: #111111;
  background: #ffffff;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif;
  font-size: 10.5pt;
  line-height: 1.75;
}
main.bulletin { max-width: 210mm; margin: 0 auto; padding: 18mm; }
header.masthead { text-align: center; border-bottom: 3px double #9b1c1c; padding-bottom: 8pt; margin-bottom: 12pt; }
header.masthead h1 { font-size: 20pt; line-height: 1.4; margin: 0 0 6pt; letter-spacing: 0.04em; }
header.masthead p { margin: 0; text-indent: 0; text-align: center; font-size: 9.5pt; color: #333333; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 6pt; text-indent: 2em; text-align: justify; }
table { width: 100%; border-collapse: collapse; margin: 6pt 0 12pt; font-size: 9.5pt; line-height: 1.5;
  break-inside: avoid; page-break-inside: avoid; }
caption { caption-side: top; font-weight: bold; text-align: center; padding-bottom: 4pt; }
th, td { border: 1px solid #333333; padding: 2pt 6pt; }
th { background: #eeeeee; font-weight: bold; text-align: center; word-break: keep-all; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.left { text-align: left; }
td.right { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.center { text-align: center; white-space: nowrap; }
table.places th:nth-child(-n+2), table.places td:nth-child(-n+2) { white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid #333333; }
figure.chart { margin: 4pt 0 14pt; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
header.masthead p.status { margin-top: 6pt; }
p.status strong { display: inline-block; -webkit-print-color-adjust: exact; print-color-adjust: exact; padding: 0 6pt; margin-right: 4pt; border: 1px solid currentColor; border-radius: 2pt; letter-spacing: 0.1em; }
p.status-preliminary strong { color: #8a4b00; background: #fff4e0; }
p.status-final strong { color: #1d5e2c; background: #e8f4ea; }
aside.revision { border: 1px solid #9b1c1c; padding: 6pt 10pt; margin: 0 0 12pt; break-inside: avoid; page-break-inside: avoid; }
aside.revision h2 { margin: 0 0 4pt; font-size: 11pt; color: #9b1c1c; }
aside.revision p { text-indent: 0; }
ol, ul { margin: 0 0 6pt; padding-left: 2em; }
section.notes { margin-top: 16pt; padding-top: 6pt; border-top: 1px solid #999999; font-size: 9pt; line-height: 1.6; }
section.notes h2 { font-size: 10pt; margin: 0 0 4pt; }
@media print { main.bulletin { max-width: none; padding: 0; } }
`;

function renderTable(table: TableBlock): string {
  const cell = (tag: 'td' | 'th', text: string, i: number): string =>
    tag === 'th' ? `<th scope="col">${escapeHtml(text)}</th>` : `<td class="${table.align[i] ?? 'left'}">${escapeHtml(text)}</td>`;
  const row = (cells: string[], tag: 'td' | 'th'): string => `<tr>${cells.map((text, i) => cell(tag, text, i)).join('')}</tr>`;
  return [
    `<table class="${escapeHtml(table.className)}">`,
    table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '',
    `<thead>${row(table.head, 'th')}</thead>`,
    `<tbody>${table.rows.map((r) => row(r, 'td')).join('\n')}</tbody>`,
    table.foot.length > 0 ? `<tfoot>${table.foot.map((r) => row(r, 'td')).join('\n')}</tfoot>` : '',
    `</table>`,
  ].join('\n');
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      return `<${tag}>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</${tag}>`;
    }
    case 'chart': {
      const svg = renderChart(block.data, block.number);
      return svg ? `<figure class="chart">${svg}</figure>` : '';
    }
    case 'table':
      return renderTable(block);
  }
}

/** Renders the bulletin as a self-contained A4 HTML page in simplified Chinese. */
export function renderHtml(doc: BulletinDocument): string {
  const content = buildContent(doc);
  const out: string[] = pageHead(content.title, STYLE);
  out.push('<body>');
  out.push('<main class="bulletin">');
  out.push('<header class="masthead">');
  out.push(`<h1>${escapeHtml(content.title)}</h1>`);
  out.push(`<p class="issuer">${escapeHtml(content.issuer)}</p>`);
  out.push(`<p class="period">${escapeHtml(content.period)}</p>`);
  out.push(
    `<p class="status status-${content.status.kind}"><strong>${escapeHtml(content.status.label)}</strong>${escapeHtml(content.status.text)}</p>`,
  );
  out.push('</header>');
  if (content.revision) {
    out.push('<aside class="revision">');
    out.push(`<h2>${escapeHtml(content.revision.heading)}</h2>`);
    out.push(`<p>${escapeHtml(content.revision.intro)}</p>`);
    out.push(`<ol>${content.revision.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ol>`);
    out.push('</aside>');
  }
  for (const section of content.sections) {
    out.push(`<section id="${escapeHtml(section.id)}">`);
    out.push(`<h2>${escapeHtml(`${section.number}、${section.title}`)}</h2>`);
    for (const block of section.blocks) out.push(renderBlock(block));
    out.push('</section>');
  }
  out.push('<section class="notes">');
  out.push('<h2>注释</h2>');
  out.push(`<ol>${content.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ol>`);
  out.push('</section>');
  out.push('</main>');
  out.push('</body>');
  out.push('</html>');
  return `${out.join('\n')}\n`;
}
