import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatValue } from '../src/render/format.ts';
import { renderHtml } from '../src/render/index.ts';
import { dumpDom, ensureChromium, screenshot } from './support/chromium.ts';
import { decodePng, isPng, pixelStats } from './support/png.ts';
import { sampleDocument } from './support/sample-document.ts';

/*
 * The bulletin HTML in real headless Chromium: the DOM it builds, and a screenshot kept as a test
 * artifact (test-artifacts/bulletin-sample.png) that must not be a blank page.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SAMPLE_HTML = join(ARTIFACTS, 'bulletin-sample.html');
const SAMPLE_PNG = join(ARTIFACTS, 'bulletin-sample.png');
const BLANK_HTML = join(ARTIFACTS, 'bulletin-blank.html');
const BLANK_PNG = join(ARTIFACTS, 'bulletin-blank.png');
/** A4 at 150 dpi. */
const WIDTH = 1240;
const HEIGHT = 1754;
/** The chart bars and the masthead rule, as drawn by charts.ts and html.ts. */
const BAR_BLUE: [number, number, number] = [0x3b, 0x5b, 0x85];
const MASTHEAD_RED: [number, number, number] = [0x9b, 0x1c, 0x1c];

const INSTALL_TIMEOUT = 600_000;

let chromium = '';
const doc = sampleDocument();

beforeAll(() => {
  chromium = ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(SAMPLE_HTML, renderHtml(doc));
  // The same kind of page with nothing on it: what a screenshot of a blank page weighs.
  writeFileSync(BLANK_HTML, '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title></title></head><body></body></html>\n');
}, INSTALL_TIMEOUT);

describe('bulletin HTML in headless Chromium', () => {
  it('has a Chinese font available to Chromium', () => {
    const fonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
    expect(fonts.stdout).toMatch(/Noto (Serif|Sans) CJK SC|Source Han|WenQuanYi|SimSun/);
  });

  it(
    'builds a DOM with the headline figures, the tables and the charts',
    () => {
      const dom = dumpDom(chromium, SAMPLE_HTML);
      expect(dom).toContain('<h1>三门峡市2024年第三季度基层治理统计公报</h1>');
      for (const section of doc.headline) {
        for (const figure of section.figures) {
          if (figure.value !== null) expect(dom).toContain(formatValue(figure.value, figure.unit));
        }
      }
      expect(dom).toContain('全市网格员走访巡查84,420次，比上季度增长12.3%');
      expect(dom).toContain('比上季度提高1.5个百分点');
      expect(dom.split('<svg').length - 1).toBe(4);
      expect(dom.split('<table').length - 1).toBe(4 + 4 + 1); // headline ×4, places ×2 + breakdowns ×2, silent villages
      expect(dom).toContain('合计');
      expect(dom).toContain('卢氏县官坡镇兰西村');
    },
    INSTALL_TIMEOUT,
  );

  it(
    'screenshots a rendered page, not a blank one',
    () => {
      screenshot(chromium, BLANK_HTML, BLANK_PNG, WIDTH, HEIGHT);
      screenshot(chromium, SAMPLE_HTML, SAMPLE_PNG, WIDTH, HEIGHT);

      const bytes = readFileSync(SAMPLE_PNG);
      expect(isPng(bytes)).toBe(true);
      const size = statSync(SAMPLE_PNG).size;
      const blankSize = statSync(BLANK_PNG).size;
      expect(size).toBeGreaterThan(20_000);
      // Text, tables and charts compress far worse than an empty white page.
      expect(size).toBeGreaterThan(blankSize * 5);

      const page = decodePng(bytes);
      expect([page.width, page.height]).toEqual([WIDTH, HEIGHT]);
      const blank = decodePng(readFileSync(BLANK_PNG));
      const [pageStats, blankStats] = [pixelStats(page, [BAR_BLUE, MASTHEAD_RED]), pixelStats(blank, [BAR_BLUE, MASTHEAD_RED])];
      expect(blankStats.ink).toBe(0);
      // Glyphs and table rules: a few percent of a typeset page is ink.
      expect(pageStats.ink / pageStats.total).toBeGreaterThan(0.02);
      // At least the first chart's bars (three bars of ~16 px) and the masthead's red rule are painted.
      expect(pageStats.colours[0]).toBeGreaterThan(5_000);
      expect(pageStats.colours[1]).toBeGreaterThan(500);
    },
    INSTALL_TIMEOUT,
  );
});
