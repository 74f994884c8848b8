import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chinaDayStart } from '@govstats/schemas';
import type { BulletinDocument, RevisedBase } from '../src/document.ts';
import type { Catalog } from '../src/catalog/catalog.ts';
import { renderSummary } from '../src/catalog/revision-summary.ts';
import { rebuildIndex } from '../src/catalog/publish-index.ts';
import { parsePeriod } from '../src/period.ts';
import { publishRevision } from '../src/publish-revision.ts';
import { renderCsv, renderHtml, renderJson, renderMarkdown } from '../src/render/index.ts';
import { finalFrom, statusAt } from '../src/status.ts';
import { sampleDocument } from './support/sample-document.ts';

/*
 * The preliminary/final rule, the labels and notes in each format, and the index built from
 * bulletin files alone (no engine needed: the files are all it reads).
 */

describe('preliminary until the reporting window closes, final from then on', () => {
  it('makes a period final from the China day `finalAfterDays` after it closed', () => {
    expect(finalFrom(parsePeriod('2024-Q3'), 30)).toBe('2024-10-31');
    expect(finalFrom(parsePeriod('2024-02'), 30)).toBe('2024-03-31'); // a leap February closes on the 29th
    expect(finalFrom(parsePeriod('2024'), 30)).toBe('2025-01-31');
    expect(finalFrom(parsePeriod('2024-Q3'), 0)).toBe('2024-10-01');
  });

  it('labels an issue one millisecond before that day preliminary, and one at its first instant final', () => {
    const q3 = parsePeriod('2024-Q3');
    const boundary = chinaDayStart('2024-10-31'); // 2024-10-30T16:00:00Z
    expect(new Date(boundary).toISOString()).toBe('2024-10-30T16:00:00.000Z');
    expect(statusAt(q3, boundary - 1, 30)).toBe('preliminary');
    expect(statusAt(q3, boundary, 30)).toBe('final');
    expect(statusAt(q3, chinaDayStart('2024-10-06'), 30)).toBe('preliminary');
    // With no reporting window, a bulletin issued once the period closed is final.
    expect(statusAt(q3, chinaDayStart('2024-10-01'), 0)).toBe('final');
    expect(statusAt(q3, chinaDayStart('2024-10-01') - 1, 0)).toBe('preliminary');
  });
});

const REVISED: RevisedBase = {
  basis: 'yearAgo',
  period: { key: '2023-Q3', label: '2023年第三季度' },
  revision: 2,
  figures: [{ key: 'visits', label: '网格员走访巡查', unit: '次', published: 80_000, current: 80_400 }],
};

describe('issuer, status and revised bases in every format', () => {
  const preliminary = { ...sampleDocument(), issuer: '某市委政法委' };
  const final: BulletinDocument = { ...sampleDocument(), issuer: '某市统计局', status: 'final', revisedBases: [REVISED] };

  it('prints the issuer in HTML and Markdown, and keeps it in JSON', () => {
    expect(renderHtml(preliminary)).toContain('<p class="issuer">某市委政法委 · 第2版 · 生成于 2024年10月8日 09:30（北京时间）</p>');
    expect(renderMarkdown(final)).toContain('某市统计局 · 第2版 · 生成于 2024年10月8日 09:30（北京时间）');
    expect(JSON.parse(renderJson(final))).toMatchObject({ issuer: '某市统计局', status: 'final', finalFrom: '2024-10-31' });
  });

  it('labels the revision preliminary or final in HTML, Markdown and CSV', () => {
    expect(renderHtml(preliminary)).toContain(
      '<p class="status status-preliminary"><strong>初步数据</strong>统计时段结束后仍可能有迟报数据，本版数据可能修订；2024年10月31日起发布的版本为最终数据。</p>',
    );
    expect(renderHtml(final)).toContain('<p class="status status-final"><strong>最终数据</strong>本版发布时补报已截止');
    expect(renderMarkdown(preliminary)).toContain('**初步数据**：统计时段结束后仍可能有迟报数据');
    expect(renderMarkdown(final)).toContain('**最终数据**：本版发布时补报已截止');
    expect(renderHtml(final)).toContain('本期自2024年10月31日起发布的版本为最终数据。本版为最终数据。');
    const lastColumn = (csv: string) =>
      new Set(
        csv
          .trim()
          .split('\r\n')
          .slice(1)
          .map((line) => line.split(',').at(-1)),
      );
    expect(lastColumn(renderCsv(preliminary))).toEqual(new Set(['preliminary']));
    expect(lastColumn(renderCsv(final))).toEqual(new Set(['final']));
  });

  it('notes a revised comparison base in HTML, Markdown and CSV, and nothing when there is none', () => {
    const note =
      '上年同期数据已修订：2023年第三季度公报（第2版）发布的网格员走访巡查为80,000次，现为80,400次。本公报“比上年同期”按修订后的数据计算。';
    expect(renderHtml(final)).toContain(note);
    expect(renderMarkdown(final)).toContain(note);
    expect(renderCsv(final)).toContain(
      '比较基数修订,411200000000,三门峡市,visits.published,网格员走访巡查（2023年第三季度公报第2版发布数）,次,80000,,,final\r\n',
    );
    for (const text of [renderHtml(preliminary), renderMarkdown(preliminary), renderCsv(preliminary)]) {
      expect(text).not.toContain('数据已修订');
      expect(text).not.toContain('比较基数修订');
    }
  });
});

/**
 * A revision as issue-bulletin.ts writes it: the four outputs, revision.json and SHA256SUMS; or,
 * `legacy`, as it was written before labels: no revision.json, no status or issuer in figures.json.
 */
function publish(root: string, doc: BulletinDocument, options: { legacy?: boolean } = {}): void {
  const unlabelled: Partial<BulletinDocument> = { ...doc };
  delete unlabelled.status;
  delete unlabelled.issuer;
  delete unlabelled.finalFrom;
  delete unlabelled.revisedBases;
  const files: [string, string][] = [
    ['bulletin.html', renderHtml(doc)],
    ['bulletin.md', renderMarkdown(doc)],
    ['figures.csv', renderCsv(doc)],
    ['figures.json', options.legacy ? `${JSON.stringify(unlabelled, null, 2)}\n` : renderJson(doc)],
  ];
  if (!options.legacy) files.push(['revision.json', renderSummary(doc)], ['SHA256SUMS', 'sums\n']);
  publishRevision(join(root, doc.city.code, doc.period.key, `r${doc.revision}`), files);
}

function revision(n: number, changes: Partial<BulletinDocument> = {}): BulletinDocument {
  return { ...sampleDocument(), revision: n, changes: n === 1 ? [] : [`第${n}版的修订`], ...changes };
}

describe('the index built from the files alone', () => {
  const root = mkdtempSync(join(tmpdir(), 'govstats-catalog-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const OTHER = { code: '140700000000', name: '晋中市<script>alert(1)</script>' };
  const Q2 = { key: '2024-Q2', kind: 'quarter' as const, label: '2024年第二季度', from: '2024-04-01', to: '2024-06-30' };
  const JULY = { key: '2024-07', kind: 'month' as const, label: '2024年7月', from: '2024-07-01', to: '2024-07-31' };

  it('lists every revision, the latest of each period, and links only to files that exist', async () => {
    // 三门峡市 2024-Q3: a revision issued before labels (figures.json only, no status or issuer), then two labelled ones.
    publish(root, revision(1), { legacy: true });
    publish(root, revision(2, { generatedAt: '2024-10-10T01:00:00.000Z' }));
    publish(root, revision(3, { generatedAt: '2024-11-01T01:00:00.000Z', status: 'final' }));
    publish(root, revision(1, { period: Q2, generatedAt: '2024-07-06T01:00:00.000Z' }));
    publish(root, revision(1, { city: OTHER, period: JULY, issuer: '晋中市统计局', generatedAt: '2024-08-06T01:00:00.000Z' }));
    // What is not a revision: never listed.
    mkdirSync(join(root, '411200000000', '2024-Q3', '.r4.staging-abc'), { recursive: true });
    mkdirSync(join(root, '411200000000', '2024-Q3', 'r0'), { recursive: true });
    mkdirSync(join(root, '411200000000', 'drafts', 'r1'), { recursive: true });
    mkdirSync(join(root, 'notes', '2024-Q3', 'r1'), { recursive: true });
    // A directory whose files describe another revision is left out rather than linked under a wrong name.
    mkdirSync(join(root, '411200000000', '2024-Q3', 'r9'));
    writeFileSync(join(root, '411200000000', '2024-Q3', 'r9', 'figures.json'), renderJson(revision(5)));

    const catalog = await rebuildIndex(root, 1_000);
    expect(JSON.parse(readFileSync(join(root, 'catalog.json'), 'utf8'))).toEqual(catalog);
    expect(catalog.cities.map((c) => c.code)).toEqual(['140700000000', '411200000000']);
    const city = catalog.cities[1]!;
    expect(city.periods.map((p) => [p.key, p.revisions.map((r) => [r.revision, r.status, r.latest])])).toEqual([
      ['2024-Q2', [[1, 'preliminary', true]]],
      [
        '2024-Q3',
        [
          [1, null, false],
          [2, 'preliminary', false],
          [3, 'final', true],
        ],
      ],
    ]);
    expect(city.periods[1]!.revisions[0]!.files).toEqual({
      html: '411200000000/2024-Q3/r1/bulletin.html',
      markdown: '411200000000/2024-Q3/r1/bulletin.md',
      csv: '411200000000/2024-Q3/r1/figures.csv',
      json: '411200000000/2024-Q3/r1/figures.json',
    });
    const links = catalog.cities.flatMap((c) => [
      ...Object.values(c.series),
      ...c.periods.flatMap((p) => [...Object.values(p.latest.files), ...p.revisions.flatMap((r) => Object.values(r.files))]),
    ]);
    for (const link of links) expect(existsSync(join(root, link!)), link).toBe(true);
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    for (const [, href] of html.matchAll(/href="([^"#][^"]*)"/g)) expect(existsSync(join(root, href!)), href).toBe(true);
    // An unlabelled revision says so instead of passing for either.
    expect(html).toContain('未标注');
    expect(html).toContain('发布单位：晋中市统计局、govstats 基层治理统计');
  });

  it('escapes names from the files in index.html', () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    expect(html).toContain('晋中市&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('copies the newest revision to latest/ and writes the series of each kind', () => {
    const latest = join(root, '411200000000', '2024-Q3', 'latest');
    expect(JSON.parse(readFileSync(join(latest, 'figures.json'), 'utf8'))).toMatchObject({ revision: 3, status: 'final' });
    const series = readFileSync(join(root, '411200000000', 'series-quarter.csv'), 'utf8');
    const rows = series.slice(1).trim().split('\r\n').slice(1);
    expect(new Set(rows.map((r) => r.split(',')[0]))).toEqual(new Set(['2024-Q2', '2024-Q3']));
    expect(rows.filter((r) => r.startsWith('2024-Q3,')).every((r) => r.split(',')[4] === '3')).toBe(true);
    expect(existsSync(join(root, '411200000000', 'series-month.csv'))).toBe(false);
    expect(existsSync(join(root, '140700000000', 'series-month.csv'))).toBe(true);
  });

  it('neutralises a label a spreadsheet would run in the series', async () => {
    const hostile = revision(4, { generatedAt: '2024-12-01T01:00:00.000Z', status: 'final' });
    hostile.headline[0]!.figures[0]!.label = '=HYPERLINK("http://x.example","点击")';
    publish(root, hostile);
    await rebuildIndex(root, 1_000);
    const series = readFileSync(join(root, '411200000000', 'series-quarter.csv'), 'utf8');
    expect(series).toContain(`,"'=HYPERLINK(""http://x.example"",""点击"")",`);
    expect(series).not.toMatch(/,=HYPERLINK/);
  });

  it('rebuilds byte for byte, and leaves files that are right untouched', async () => {
    const files = ['catalog.json', 'index.html', '411200000000/series-quarter.csv', '411200000000/2024-Q3/latest/bulletin.html'];
    const before = files.map((f) => [readFileSync(join(root, f)), statSync(join(root, f)).mtimeMs] as const);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const catalog: Catalog = await rebuildIndex(root, 1_000);
    expect(catalog.cities[1]!.periods[1]!.latest.revision).toBe(4);
    files.forEach((f, i) => {
      expect(readFileSync(join(root, f)).equals(before[i]![0]), f).toBe(true);
      expect(statSync(join(root, f)).mtimeMs, f).toBe(before[i]![1]);
    });
  });
});
