import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink } from '@govstats/kafka';
import { chinaDayStart } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { createIngestService } from '../../ingest/src/index.ts';
import { issueBulletin, parsePeriod, type BulletinDocument, type Catalog, type IssuedBulletin } from '../src/index.ts';
import { envelope } from '../../../test/support/events.ts';
import { govstatsArgs } from '../../../test/support/govstats-process.ts';
import { openTestPipeline, type TestPipeline } from '../../../test/support/test-pipeline.ts';

/*
 * Bulletins people can find, on the real engine: the index and catalog after a sequence of
 * issues (first, revised, finalised, unchanged), the latest/ copies, the series CSVs, the issuer
 * from BULLETIN_ISSUER through the CLI, the preliminary → final boundary, the note on a revised
 * comparison base, and the rebuild from the files alone.
 */

const CITY = '411200000000';
const A = '411224104201'; // 河南村, 卢氏县
const ISSUER = '三门峡市统计局';
const CLI_ISSUER = '三门峡市委政法委';
const at = (local: string) => Date.parse(`${local}+08:00`);
/** 2024-Q2 closes 2024-07-01; with 30 days its bulletin is final from 2024-07-31 (China). */
const Q2_FINAL = chinaDayStart('2024-07-31');

let seq = 0;
const visit = (day: string) =>
  envelope('grid-visit', `iv${++seq}`, A, `${day}T10:00:00`, {
    grid_id: 'G01',
    member_id: 'gm_104201',
    household_id: `hh_${String(seq).padStart(7, '0')}`,
    kind: 'household_visit',
    issues_found: 0,
    hazards_found: 0,
    duration_minutes: 30,
  });

const visitsOf = (doc: BulletinDocument) => doc.headline.flatMap((s) => s.figures).find((f) => f.key === 'grid-visit.visits')!;

describe('the bulletin index, latest copies, series, issuer, status and revised bases', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;
  let outDir: string;
  const issued: Record<string, IssuedBulletin> = {};

  async function ingest(days: string[], clock: number) {
    for (const day of days) {
      const event = visit(day);
      await sink.send(pipeline.config.topics.forEventType('grid-visit'), [{ key: A, value: JSON.stringify(event) }]);
    }
    await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store, clock: () => clock }).drain();
  }

  const issue = (period: string, now: number) =>
    issueBulletin(pipeline.store, { cityCode: CITY, period: parsePeriod(period), outDir, now, issuer: ISSUER, finalAfterDays: 30 });

  beforeAll(async () => {
    pipeline = await openTestPipeline('bulletin-index');
    sink = await createKafkaSink(pipeline.kafka);
    outDir = mkdtempSync(join(tmpdir(), 'govstats-bulletin-index-'));
    // 2024-Q2: 4 visits.
    await ingest(['2024-04-01', '2024-04-02', '2024-05-01', '2024-06-01'], at('2024-07-02T00:00:00'));
    issued.q2r1 = await issue('2024-Q2', at('2024-07-06T03:00:00'));
    // A late visit of June: the preliminary figure is revised the last moment before the period is final…
    await ingest(['2024-06-20'], at('2024-07-20T10:00:00'));
    issued.q2r2 = await issue('2024-Q2', Q2_FINAL - 1);
    // …and at that moment, with nothing changed, it is issued again as final.
    issued.q2r3 = await issue('2024-Q2', Q2_FINAL);
    issued.q2again = await issue('2024-Q2', at('2024-08-02T03:00:00'));
    // July 2 visits, August 1, September 1.
    await ingest(['2024-07-10', '2024-07-11', '2024-08-05', '2024-09-03'], at('2024-09-30T20:00:00'));
    issued.july = await issue('2024-07', at('2024-08-06T03:00:00'));
    issued.august = await issue('2024-08', at('2024-09-06T03:00:00'));
    // Another late June visit, after 2024-Q2's final bulletin printed 5: 2024-Q3 compares with 6.
    await ingest(['2024-06-25'], at('2024-10-01T10:00:00'));
    issued.q3 = await issue('2024-Q3', at('2024-10-06T03:00:00'));
  }, 900_000);

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('labels a revision preliminary until the day the period becomes final, and final from that day', () => {
    expect(issued.q2r1).toMatchObject({ status: 'new', document: { revision: 1, status: 'preliminary', finalFrom: '2024-07-31' } });
    expect(issued.q2r2).toMatchObject({ status: 'revised', document: { revision: 2, status: 'preliminary' } });
    expect(visitsOf(issued.q2r2!.document).value).toBe(5);
    // The same figures, issued again once final: a new revision that says so.
    expect(issued.q2r3).toMatchObject({ status: 'revised', document: { revision: 3, status: 'final' } });
    expect(issued.q2r3!.document.changes).toEqual(['补报截止后核实，数据与第2版相同，本版为最终数据']);
    // Final stays final: nothing new to issue.
    expect(issued.q2again).toMatchObject({ status: 'unchanged', document: { revision: 3, status: 'final' } });
  });

  it('prints the status in every format of a revision', () => {
    const dir = (r: number) => join(outDir, CITY, '2024-Q2', `r${r}`);
    const read = (r: number, name: string) => readFileSync(join(dir(r), name), 'utf8');
    expect(read(2, 'bulletin.html')).toContain('<p class="status status-preliminary"><strong>初步数据</strong>');
    expect(read(3, 'bulletin.html')).toContain('<p class="status status-final"><strong>最终数据</strong>');
    expect(read(2, 'bulletin.md')).toContain('**初步数据**：');
    expect(read(3, 'bulletin.md')).toContain('**最终数据**：');
    const statuses = (r: number) =>
      new Set(
        read(r, 'figures.csv')
          .trim()
          .split('\r\n')
          .slice(1)
          .map((line) => line.split(',').at(-1)),
      );
    expect(statuses(2)).toEqual(new Set(['preliminary']));
    expect(statuses(3)).toEqual(new Set(['final']));
    expect(JSON.parse(read(3, 'figures.json'))).toMatchObject({ status: 'final', finalFrom: '2024-07-31', issuer: ISSUER });
  });

  it('says when a comparison base differs from what its own bulletin printed, and only then', () => {
    expect(issued.q3!.document.revisedBases).toEqual([
      {
        basis: 'previous',
        period: { key: '2024-Q2', label: '2024年第二季度' },
        revision: 3,
        figures: expect.arrayContaining([{ key: 'grid-visit.visits', label: '走访巡查', unit: '次', published: 5, current: 6 }]),
      },
    ]);
    const note = '上季度数据已修订：2024年第二季度公报（第3版）发布的走访巡查为5次，现为6次';
    const dir = join(outDir, CITY, '2024-Q3', 'r1');
    expect(readFileSync(join(dir, 'bulletin.html'), 'utf8')).toContain(note);
    expect(readFileSync(join(dir, 'bulletin.md'), 'utf8')).toContain(note);
    expect(readFileSync(join(dir, 'figures.csv'), 'utf8')).toContain(
      '比较基数修订,411200000000,三门峡市,grid-visit.visits.published,走访巡查（2024年第二季度公报第3版发布数）,次,5,,,preliminary',
    );
    // August compares with July, whose bulletin printed the figures it still has; 2023 had none.
    expect(issued.august!.document.revisedBases).toEqual([]);
    expect(readFileSync(join(outDir, CITY, '2024-08', 'r1', 'bulletin.html'), 'utf8')).not.toContain('数据已修订：');
    // 2024-Q2's bases (2024-Q1, 2023-Q2) have no bulletins: nothing to differ from.
    expect(issued.q2r2!.document.revisedBases).toEqual([]);
  });

  it('prints the issuer given by BULLETIN_ISSUER, issued through the CLI', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      govstatsArgs('bulletin', '--city', CITY, '--period', '2024-09', '--out', outDir),
      {
        cwd: join(import.meta.dirname, '..', '..', '..'),
        env: { ...pipeline.childEnv, BULLETIN_ISSUER: CLI_ISSUER, BULLETIN_FINAL_AFTER_DAYS: '30', LOG_LEVEL: 'warn' },
      },
    );
    expect(stdout).toContain('三门峡市2024年9月统计公报 · revision 1 · 最终数据 (final) · new');
    const dir = join(outDir, CITY, '2024-09', 'r1');
    expect(readFileSync(join(dir, 'bulletin.html'), 'utf8')).toContain(`<p class="issuer">${CLI_ISSUER} · 第1版 · 生成于 `);
    expect(readFileSync(join(dir, 'bulletin.md'), 'utf8')).toContain(`${CLI_ISSUER} · 第1版 · 生成于 `);
    expect(JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'))).toMatchObject({ issuer: CLI_ISSUER, status: 'final' });
    // The others were issued by ISSUER.
    expect(readFileSync(join(outDir, CITY, '2024-Q3', 'r1', 'bulletin.html'), 'utf8')).toContain(`<p class="issuer">${ISSUER} · 第1版`);
  }, 180_000);

  describe('after every issue', () => {
    let catalog: Catalog;
    let indexHtml: string;
    beforeAll(() => {
      catalog = JSON.parse(readFileSync(join(outDir, 'catalog.json'), 'utf8')) as Catalog;
      indexHtml = readFileSync(join(outDir, 'index.html'), 'utf8');
    });

    it('lists every issued revision, as recorded in ClickHouse, in catalog.json and index.html', async () => {
      const recorded = await queryRows<{ period: string; revision: number }>(
        pipeline.store.client,
        'SELECT period, revision FROM bulletins FINAL WHERE city_code = {city:String} ORDER BY period, revision',
        { city: CITY },
      );
      expect(recorded.length).toBe(3 + 1 + 1 + 1 + 1);
      const listed = catalog.cities
        .flatMap((c) => c.periods.flatMap((p) => p.revisions.map((r) => ({ period: p.key, revision: r.revision }))))
        .sort((a, b) => a.period.localeCompare(b.period) || a.revision - b.revision);
      expect(listed).toEqual(recorded.map((r) => ({ period: r.period, revision: Number(r.revision) })));
      expect(catalog.cities.map((c) => [c.code, c.name])).toEqual([[CITY, '三门峡市']]);
      for (const { period, revision } of listed) {
        expect(indexHtml).toContain(`href="${CITY}/${period}/r${revision}/bulletin.html"`);
      }
      const q2 = catalog.cities[0]!.periods.find((p) => p.key === '2024-Q2')!;
      expect(q2.revisions.map((r) => [r.revision, r.status, r.latest, r.issuer])).toEqual([
        [1, 'preliminary', false, ISSUER],
        [2, 'preliminary', false, ISSUER],
        [3, 'final', true, ISSUER],
      ]);
      expect(q2.revisions[0]!.issuedAt).toBe('2024-07-05T19:00:00.000Z');
      expect(q2.latest).toMatchObject({ revision: 3, status: 'final', path: `${CITY}/2024-Q2/latest/` });
      // Years, then quarters, then months.
      expect(catalog.cities[0]!.periods.map((p) => p.key)).toEqual(['2024-Q2', '2024-Q3', '2024-07', '2024-08', '2024-09']);
    });

    it('links only files that exist, in catalog.json and in index.html', () => {
      const links = catalog.cities.flatMap((c) => [
        ...Object.values(c.series),
        ...c.periods.flatMap((p) => [...Object.values(p.latest.files), ...p.revisions.flatMap((r) => Object.values(r.files))]),
      ]);
      expect(links.length).toBeGreaterThan(7 * 6);
      for (const link of links) expect(existsSync(join(outDir, link!)), link).toBe(true);
      for (const period of catalog.cities[0]!.periods) {
        expect(Object.keys(period.latest.files).sort()).toEqual(['csv', 'html', 'json', 'markdown', 'summary', 'sums']);
        for (const r of period.revisions)
          expect(Object.keys(r.files).sort()).toEqual(['csv', 'html', 'json', 'markdown', 'summary', 'sums']);
      }
      const hrefs = [...indexHtml.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!).filter((href) => !href.startsWith('#'));
      expect(hrefs.length).toBeGreaterThan(7 * 4);
      for (const href of hrefs) {
        expect(href, 'relative').not.toMatch(/^[a-z]+:|^\//i);
        expect(existsSync(join(outDir, decodeURIComponent(href))), href).toBe(true);
      }
    });

    it('keeps a copy of the newest revision of every period at <city>/<period>/latest/', () => {
      for (const period of catalog.cities[0]!.periods) {
        const periodDir = join(outDir, CITY, period.key);
        const newest = Math.max(...period.revisions.map((r) => r.revision));
        expect(period.latest.revision).toBe(newest);
        const latest = join(periodDir, 'latest');
        const source = join(periodDir, `r${newest}`);
        expect(readdirSync(latest).sort()).toEqual(readdirSync(source).sort());
        for (const name of readdirSync(source))
          expect(readFileSync(join(latest, name)).equals(readFileSync(join(source, name))), name).toBe(true);
        expect(JSON.parse(readFileSync(join(latest, 'figures.json'), 'utf8'))).toMatchObject({ revision: newest });
      }
    });

    it('writes a series per city and period kind with every issued period, from its latest revision', () => {
      const rows = (kind: string) => {
        const text = readFileSync(join(outDir, CITY, `series-${kind}.csv`), 'utf8');
        expect(text.charCodeAt(0)).toBe(0xfeff);
        const [header, ...lines] = text.slice(1).trimEnd().split('\r\n');
        expect(header).toBe('period,period_label,from,to,revision,status,issued_at,section,measure,label,unit,value');
        return lines.map((line) => line.split(','));
      };
      const quarters = rows('quarter');
      expect(new Set(quarters.map((r) => r[0]))).toEqual(new Set(['2024-Q2', '2024-Q3']));
      const visits = quarters.filter((r) => r[8] === 'grid-visit.visits').map((r) => [r[0], r[4], r[5], r[9], r[10], r[11]]);
      expect(visits).toEqual([
        ['2024-Q2', '3', 'final', '走访巡查', '次', '5'],
        ['2024-Q3', '1', 'preliminary', '走访巡查', '次', '4'],
      ]);
      const months = rows('month');
      expect(new Set(months.map((r) => r[0]))).toEqual(new Set(['2024-07', '2024-08', '2024-09']));
      // Every headline measure of every period, once.
      const measures = issued.q3!.document.headline.flatMap((s) => s.figures).length;
      expect(months).toHaveLength(3 * measures);
      expect(existsSync(join(outDir, CITY, 'series-year.csv'))).toBe(false);
      expect(catalog.cities[0]!.series).toEqual({ quarter: `${CITY}/series-quarter.csv`, month: `${CITY}/series-month.csv` });
    });

    it('rebuilds all of it from the files alone with govstats bulletin --index', async () => {
      const before = ['catalog.json', 'index.html', `${CITY}/series-quarter.csv`, `${CITY}/2024-Q2/latest/figures.json`].map((f) =>
        readFileSync(join(outDir, f)),
      );
      // What a crash could leave: no index, no latest copy, no series, and a stale latest/.
      for (const f of ['catalog.json', 'index.html', `${CITY}/series-quarter.csv`]) rmSync(join(outDir, f));
      rmSync(join(outDir, CITY, '2024-Q2', 'latest'), { recursive: true });
      rmSync(join(outDir, CITY, '2024-Q3', 'latest', 'figures.csv'));
      const { stdout } = await promisify(execFile)(process.execPath, govstatsArgs('bulletin', '--index', '--out', outDir), {
        cwd: join(import.meta.dirname, '..', '..', '..'),
        // No ClickHouse: the files are all it reads.
        env: { ...pipeline.childEnv, CHDB_PATH: join(dirname(outDir), 'nowhere'), LOG_LEVEL: 'warn' },
      });
      expect(stdout).toContain('1 cities, 5 periods, 7 revisions');
      const after = ['catalog.json', 'index.html', `${CITY}/series-quarter.csv`, `${CITY}/2024-Q2/latest/figures.json`].map((f) =>
        readFileSync(join(outDir, f)),
      );
      after.forEach((bytes, i) => expect(bytes.equals(before[i]!), String(i)).toBe(true));
      expect(existsSync(join(outDir, CITY, '2024-Q3', 'latest', 'figures.csv'))).toBe(true);
    }, 120_000);
  });
});
