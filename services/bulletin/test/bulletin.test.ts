import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink } from '@govstats/kafka';
import { nationalCatalogue } from '@govstats/divisions';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryPlaceFigures, queryRollup } from '@govstats/warehouse';
import { queryRows } from '@govstats/store';
import { createIngestService } from '../../ingest/src/index.ts';
import { createBulletinService, issueBulletin, parsePeriod, type BulletinDocument } from '../src/index.ts';
import { HEADLINE } from '../src/headline-spec.ts';
import { envelope } from '../../../test/support/events.ts';
import { openTestPipeline, type TestPipeline } from '../../../test/support/test-pipeline.ts';

const CITY = '411200000000';
const A = '411224104201'; // 河南村, 朱阳关镇, 卢氏县
const B = '411224104202'; // 岭东村, 朱阳关镇, 卢氏县
const C = '411203100202'; // 城村, 大营镇, 陕州区
const at = (local: string) => Date.parse(`${local}+08:00`);

let seq = 0;
const visit = (village: string, day: string, household: string, hazards = 0) =>
  envelope('grid-visit', `v${++seq}`, village, `${day}T10:00:00`, {
    grid_id: 'G01', member_id: `gm_${village.slice(-6)}`, household_id: household, kind: 'household_visit', issues_found: 0, hazards_found: hazards, duration_minutes: 30,
  });
const dispute = (village: string, time: string, caseId: string, step: string, level: string, receivedAt?: string) =>
  envelope('dispute-case', `d${++seq}`, village, time, { case_id: caseId, category: 'land_resources', step, handling_level: level, ...(receivedAt ? { received_at: `${receivedAt}+08:00` } : {}) });
const attend = (village: string, attendee: string) =>
  envelope('training-attendance', `t${++seq}`, village, '2024-07-15T09:00:00', { session_id: 's1', course: '乡村振兴政策解读', organising_level: 'county', attendee_id: attendee, role: 'party_member', mode: 'on_site', hours: 2 });
const sale = (village: string, product: string, fen: number, channel: string) =>
  envelope('cooperative-sale', `k${++seq}`, village, '2024-08-20T10:00:00', { cooperative_id: `coop_${village.slice(-6)}`, product, quantity: 100, unit: 'kg', amount_fen: fen, channel });

const Q3 = [
  ...[10, 11, 12, 13, 14].map((d) => visit(A, `2024-07-${d}`, `hh_a0000${d}`, 1)),
  ...[5, 6, 7].map((d) => visit(B, `2024-08-0${d}`, `hh_b0000${d}`)),
  ...[1, 2, 3, 4].map((d) => visit(C, `2024-09-0${d}`, `hh_c0000${d}`)),
  dispute(A, '2024-07-01T09:00:00', 'c1', 'received', 'village'),
  dispute(A, '2024-07-04T09:00:00', 'c1', 'resolved', 'village', '2024-07-01T09:00:00'),
  dispute(C, '2024-08-01T09:00:00', 'c2', 'received', 'village'),
  dispute(C, '2024-08-02T09:00:00', 'c2', 'escalated', 'township', '2024-08-01T09:00:00'),
  dispute(C, '2024-08-11T09:00:00', 'c2', 'resolved', 'township', '2024-08-01T09:00:00'),
  dispute(B, '2024-09-20T09:00:00', 'c3', 'received', 'village'),
  attend(A, 'p_0000001'),
  attend(A, 'p_0000002'),
  sale(A, '香菇', 160_000, 'e_commerce'),
  sale(C, '葡萄', 160_000, 'wholesale'),
];
const Q2 = [1, 2, 3, 4].map((d) => visit(A, `2024-04-0${d}`, `hh_a0000${d}`));
const Q3_2023 = [1, 2].map((d) => visit(A, `2023-08-0${d}`, `hh_a0000${d}`));

describe('city statistical bulletin from known events', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;
  let outDir: string;
  let first: BulletinDocument;

  async function ingest(events: Record<string, unknown>[], clock: number, extra: Buffer[] = []) {
    for (const e of events) {
      const type = String(e.type).split('.')[1]!;
      await sink.send(pipeline.config.topics.forEventType(type), [{ key: String(e.subject), value: JSON.stringify(e) }]);
    }
    if (extra.length > 0) await sink.send(pipeline.config.topics.forEventType('grid-visit'), extra.map((value) => ({ key: A, value })));
    return createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store, clock: () => clock }).drain();
  }

  beforeAll(async () => {
    pipeline = await openTestPipeline('bulletin');
    sink = await createKafkaSink(pipeline.kafka);
    outDir = mkdtempSync(join(tmpdir(), 'govstats-bulletins-'));
    const loaded = await ingest([...Q3, ...Q2, ...Q3_2023], at('2024-09-30T20:00:00'), [Buffer.from('{"broken": ')]);
    expect(loaded).toMatchObject({ loaded: Q3.length + Q2.length + Q3_2023.length, deadLettered: 1 });
    first = (await issueBulletin(pipeline.store, { cityCode: CITY, period: parsePeriod('2024-Q3'), outDir, now: at('2024-10-06T03:00:00') })).document;
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  const figure = (doc: BulletinDocument, key: string) => doc.headline.flatMap((s) => s.figures).find((f) => f.key === key)!;

  it('has the hand-counted headline figures with comparisons', () => {
    expect(first).toMatchObject({ city: { code: CITY, name: '三门峡市' }, period: { key: '2024-Q3', label: '2024年第三季度', from: '2024-07-01', to: '2024-09-30' }, revision: 1 });
    const expected: Record<string, [number | null, number | null, number | null]> = {
      visits: [12, 4, 2],
      household_visits: [12, 4, 2],
      households_visited: [12, 4, 2],
      grid_members_active: [3, 1, 1],
      hazards_found: [5, 0, 0],
      received: [3, 0, 0],
      resolved: [2, 0, 0],
      resolution_rate: [0.6667, null, null],
      median_days_to_resolve: [6.5, null, null],
      village_resolution_share: [0.5, null, null],
      escalated: [1, 0, 0],
      sessions: [1, 0, 0],
      attendances: [2, 0, 0],
      attendees: [2, 0, 0],
      hours: [4, 0, 0],
      revenue_yuan: [0.32, 0, 0],
      sales: [2, 0, 0],
      cooperatives_selling: [2, 0, 0],
    };
    for (const [key, [value, previous, yearAgo]] of Object.entries(expected)) {
      expect(figure(first, key), key).toMatchObject({ value, previous, yearAgo });
    }
  });

  it('never disagrees with govstats rollup for the same figure', async () => {
    for (const section of HEADLINE) {
      for (const spec of section.figures) {
        const type = EVENT_TYPES.find((t) => t.name === spec.type)!;
        const rollup = await queryPlaceFigures(pipeline.store, type, { level: 'city', code: CITY, from: '2024-07-01', to: '2024-09-30' });
        const raw = rollup[spec.measure] ?? null;
        expect(figure(first, spec.measure).value, spec.measure).toBe(raw === null ? null : spec.scale ? Math.round(raw * spec.scale * 100) / 100 : raw);
      }
    }
  });

  it('ranks counties and townships, and each table total is the city figure and the sum of its rows', () => {
    const [counties, townships] = first.tables;
    expect(counties!.rows.map((r) => [r.name, r.rank, r.values.visits, r.values.received])).toEqual([
      ['卢氏县', 1, 8, 2],
      ['陕州区', 2, 4, 1],
    ]);
    expect(townships!.rows.map((r) => [r.name, r.rank, r.values.visits])).toEqual([
      ['朱阳关镇', 1, 8],
      ['大营镇', 2, 4],
    ]);
    for (const table of first.tables) {
      for (const column of ['visits', 'hazards_found', 'received', 'resolved', 'attendances', 'revenue_yuan']) {
        const sum = table.rows.reduce((n, r) => n + (r.values[column] ?? 0), 0);
        expect(Math.round(sum * 100) / 100, `${table.level} ${column}`).toBe(table.total[column]);
      }
      expect(table.total).toMatchObject({ visits: 12, received: 3, resolved: 2, resolution_rate: 0.6667, revenue_yuan: 0.32 });
    }
  });

  it('breaks cooperative sales down by product and channel', () => {
    const [products, channels] = first.breakdowns;
    expect(products!.rows).toHaveLength(2);
    expect(products!.rows).toEqual(
      expect.arrayContaining([
        { name: '葡萄（kg）', values: { quantity: 100, revenue_yuan: 0.16 } },
        { name: '香菇（kg）', values: { quantity: 100, revenue_yuan: 0.16 } },
      ]),
    );
    expect(channels!.rows.map((r) => [r.name, r.values.sales])).toEqual(expect.arrayContaining([['电商', 1], ['批发', 1]]));
  });

  it('reports data quality: ingested, dead-lettered, late, silent villages', () => {
    const villages = nationalCatalogue().within(CITY).filter((d) => d.level === 'village');
    expect(first.quality).toMatchObject({ eventsIngested: Q3.length, deadLettered: 1, arrivedLate: 0, villagesTotal: villages.length });
    expect(first.quality.silentVillages).toHaveLength(villages.length - 3);
    expect(first.quality.silentVillages.map((v) => v.code)).not.toContain(A);
  });

  it('writes HTML, Markdown, CSV and JSON and records the bulletin in ClickHouse', async () => {
    const dir = join(outDir, CITY, '2024-Q3', 'r1');
    for (const name of ['bulletin.html', 'bulletin.md', 'figures.csv', 'figures.json']) expect(existsSync(join(dir, name)), name).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'))).toMatchObject({ revision: 1, period: { key: '2024-Q3' } });
    expect(readFileSync(join(dir, 'bulletin.html'), 'utf8')).toContain('三门峡市');
    const rows = await queryRows<{ revision: number; checksum: string }>(pipeline.store.client, "SELECT revision, checksum FROM bulletins FINAL WHERE period = '2024-Q3'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is idempotent, and issues a revision saying what changed when late events arrive', async () => {
    const again = await issueBulletin(pipeline.store, { cityCode: CITY, period: parsePeriod('2024-Q3'), outDir, now: at('2024-10-07T03:00:00') });
    expect(again.status).toBe('unchanged');
    expect(again.document.revision).toBe(1);

    await ingest([visit(C, '2024-09-29', 'hh_c0000099')], at('2024-10-08T10:00:00'));
    const revised = await issueBulletin(pipeline.store, { cityCode: CITY, period: parsePeriod('2024-Q3'), outDir, now: at('2024-10-09T03:00:00') });
    expect(revised.status).toBe('revised');
    expect(revised.document.revision).toBe(2);
    expect(figure(revised.document, 'visits').value).toBe(13);
    expect(revised.document.quality.arrivedLate).toBe(1);
    expect(revised.document.changes).toEqual(expect.arrayContaining(['走访巡查由12次修订为13次', '迟报数据由0条增至1条']));
    expect(existsSync(join(outDir, CITY, '2024-Q3', 'r2', 'bulletin.html'))).toBe(true);
  });

  it('catches up missed periods on start and issues new ones as they come due, by an injected clock', async () => {
    let now = at('2024-10-10T03:00:00');
    const service = createBulletinService(pipeline.store, { cities: [CITY], kinds: ['month', 'quarter'], delayDays: 5, since: '2024-07-01', recheck: 1, outDir }, () => now);
    const caughtUp = await service.runDue();
    expect(caughtUp.map((r) => [r.document.period.key, r.status])).toEqual([
      ['2024-07', 'new'],
      ['2024-08', 'new'],
      ['2024-09', 'new'],
      ['2024-Q3', 'unchanged'],
    ]);
    const rerun = await service.runDue();
    expect(rerun.map((r) => [r.document.period.key, r.status])).toEqual([
      ['2024-09', 'unchanged'],
      ['2024-Q3', 'unchanged'],
    ]);
    now = at('2024-11-06T03:00:00');
    const later = await service.runDue();
    expect(later.map((r) => [r.document.period.key, r.status])).toEqual([
      ['2024-10', 'new'],
      ['2024-Q3', 'unchanged'],
    ]);
    const september = caughtUp[2]!.document;
    const rollup = await queryRollup(pipeline.store, EVENT_TYPES[0]!, { level: 'city', code: CITY, from: '2024-09-01', to: '2024-09-30' });
    expect(figure(september, 'visits').value).toBe(rollup[0]!.figures.visits);
  });
});

describe('comparisons with periods govstats did not cover', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;

  beforeAll(async () => {
    pipeline = await openTestPipeline('bulletin-uncovered');
    sink = await createKafkaSink(pipeline.kafka);
    const onlyQ2 = [1, 2].map((d) => visit(A, `2024-05-0${d}`, `hh_a0000${d}`));
    for (const e of onlyQ2) await sink.send(pipeline.config.topics.forEventType('grid-visit'), [{ key: A, value: JSON.stringify(e) }]);
    await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store, clock: () => at('2024-07-01T00:00:00') }).drain();
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  it('leaves the comparison empty instead of reporting growth from zero', async () => {
    const { document } = await issueBulletin(pipeline.store, { cityCode: CITY, period: parsePeriod('2024-Q2'), outDir: mkdtempSync(join(tmpdir(), 'govstats-b2-')), now: at('2024-07-10T00:00:00') });
    const visits = document.headline.flatMap((s) => s.figures).find((f) => f.key === 'visits')!;
    expect(visits).toMatchObject({ value: 2, previous: null, yearAgo: null });
  });
});
