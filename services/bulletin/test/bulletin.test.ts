import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink, type OutgoingMessage } from '@govstats/kafka';
import { nationalCatalogue } from '@govstats/divisions';
import { EVENT_TYPES } from '@govstats/schemas';
import { countDeadLettered, queryPlaceFigures, queryRollup } from '@govstats/warehouse';
import { queryRows } from '@govstats/store';
import { createIngestService, REPLAY_HEADER } from '../../ingest/src/index.ts';
import { UnknownCityError, createBulletinService, issueBulletin, parsePeriod, requireCity, type BulletinDocument } from '../src/index.ts';
import { AREA_ROWS, HEADLINE, scaled } from '../src/bulletin-spec.ts';
import { envelope } from '../../../test/support/events.ts';
import { govstatsArgs } from '../../../test/support/govstats-process.ts';
import { openTestPipeline, type TestPipeline } from '../../../test/support/test-pipeline.ts';

const CITY = '411200000000';
const A = '411224104201'; // 河南村, 朱阳关镇, 卢氏县
const B = '411224104202'; // 岭东村, 朱阳关镇, 卢氏县
const C = '411203100202'; // 城村, 大营镇, 陕州区
const U = '411224104001'; // 朝阳社区, 朱阳关镇: an urban community (code 001–199)
const T = '411224104000'; // 朱阳关镇 itself: its township party school
const JINZHONG = '140702105220'; // 东郝村, 晋中市, 山西省: another city
const UNKNOWN_CITY = '419900000000';
const at = (local: string) => Date.parse(`${local}+08:00`);

let seq = 0;
const visit = (village: string, day: string, household: string, hazards = 0) =>
  envelope('grid-visit', `v${++seq}`, village, `${day}T10:00:00`, {
    grid_id: 'G01',
    member_id: `gm_${village.slice(-6)}`,
    household_id: household,
    kind: 'household_visit',
    issues_found: 0,
    hazards_found: hazards,
    duration_minutes: 30,
  });
const dispute = (village: string, time: string, caseId: string, step: string, level: string, receivedAt?: string) =>
  envelope('dispute-case', `d${++seq}`, village, time, {
    case_id: caseId,
    category: 'land_resources',
    step,
    handling_level: level,
    ...(receivedAt ? { received_at: `${receivedAt}+08:00` } : {}),
  });
const attend = (place: string, attendee: string, session = 's1', organiser = 'county') =>
  envelope('training-attendance', `t${++seq}`, place, '2024-07-15T09:00:00', {
    session_id: session,
    course: '乡村振兴政策解读',
    organising_level: organiser,
    attendee_id: attendee,
    role: 'party_member',
    mode: 'on_site',
    hours: 2,
  });
/** A grid visit its contract refuses (no member, no duration), with a subject: its place is known. */
const refusedVisit = (id: string, place: string) =>
  envelope('grid-visit', id, place, '2024-09-15T10:00:00', { grid_id: 'G01', kind: 'patrol' });
const sale = (village: string, product: string, fen: number, channel: string) =>
  envelope('cooperative-sale', `k${++seq}`, village, '2024-08-20T10:00:00', {
    cooperative_id: `coop_${village.slice(-6)}`,
    product,
    quantity: 100,
    unit: 'kg',
    amount_fen: fen,
    channel,
  });

const Q3 = [
  ...[10, 11, 12, 13, 14].map((d) => visit(A, `2024-07-${d}`, `hh_a0000${d}`, 1)),
  ...[5, 6, 7].map((d) => visit(B, `2024-08-0${d}`, `hh_b0000${d}`)),
  ...[1, 2, 3, 4].map((d) => visit(C, `2024-09-0${d}`, `hh_c0000${d}`)),
  visit(U, '2024-07-20', 'hh_u0000001'),
  dispute(A, '2024-07-01T09:00:00', 'c1', 'received', 'village'),
  dispute(A, '2024-07-04T09:00:00', 'c1', 'resolved', 'village', '2024-07-01T09:00:00'),
  dispute(C, '2024-08-01T09:00:00', 'c2', 'received', 'village'),
  dispute(C, '2024-08-02T09:00:00', 'c2', 'escalated', 'township', '2024-08-01T09:00:00'),
  dispute(C, '2024-08-11T09:00:00', 'c2', 'resolved', 'township', '2024-08-01T09:00:00'),
  dispute(B, '2024-09-20T09:00:00', 'c3', 'received', 'village'),
  attend(A, 'p_0000001'),
  attend(A, 'p_0000002'),
  attend(T, 'p_0000003', 's2', 'township'),
  sale(A, '香菇', 160_000, 'e_commerce'),
  sale(C, '葡萄', 160_000, 'wholesale'),
];
const Q2 = [1, 2, 3, 4].map((d) => visit(A, `2024-04-0${d}`, `hh_a0000${d}`));
const Q3_2023 = [1, 2].map((d) => visit(A, `2023-08-0${d}`, `hh_a0000${d}`));

/*
 * Refused messages, all during 2024-Q3. 三门峡 counts two: the broken bytes keyed by A (the key is
 * their only place; refused again when replayed, still one message) and the refused event of A.
 * Not 三门峡's: 晋中's refused events (by subject, even when keyed by A), bytes with no place at
 * all, and B's refused event, which a replay later loaded.
 */
const BROKEN = '{"broken": ';
const REFUSED = [
  { key: A, value: BROKEN },
  { key: A, value: JSON.stringify(refusedVisit('bad-a', A)) },
  { key: JINZHONG, value: JSON.stringify(refusedVisit('bad-jz1', JINZHONG)) },
  { key: A, value: JSON.stringify(refusedVisit('bad-jz2', JINZHONG)) },
  { key: null, value: 'not json at all' },
  { key: B, value: JSON.stringify(refusedVisit('bad-b', B)) },
];

describe('city statistical bulletin from known events', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;
  let outDir: string;
  let first: BulletinDocument;

  async function ingest(events: Record<string, unknown>[], clock: number, extra: OutgoingMessage[] = []) {
    for (const e of events) {
      const type = String(e.type).split('.')[1]!;
      await sink.send(pipeline.config.topics.forEventType(type), [{ key: String(e.subject), value: JSON.stringify(e) }]);
    }
    if (extra.length > 0) await sink.send(pipeline.config.topics.forEventType('grid-visit'), extra);
    return createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store, clock: () => clock }).drain();
  }

  /** `govstats dlq replay`'s header: the replayed copy names the message first refused. */
  async function replayOf(where: string): Promise<Record<string, string>> {
    const [origin] = await queryRows<{ topic: string; partition: number; offset: string }>(
      pipeline.store.client,
      `SELECT kafka_topic AS topic, kafka_partition AS partition, kafka_offset AS offset FROM dead_letters WHERE ${where}`,
    );
    return { [REPLAY_HEADER]: `${origin!.topic}/${origin!.partition}/${origin!.offset}` };
  }

  beforeAll(async () => {
    pipeline = await openTestPipeline('bulletin');
    sink = await createKafkaSink(pipeline.kafka);
    outDir = mkdtempSync(join(tmpdir(), 'govstats-bulletins-'));
    const loaded = await ingest([...Q3, ...Q2, ...Q3_2023], at('2024-09-30T20:00:00'), REFUSED);
    expect(loaded).toMatchObject({ loaded: Q3.length + Q2.length + Q3_2023.length, deadLettered: REFUSED.length });
    // Replays: the broken bytes are refused again; B's event comes back as one already loaded.
    const replays = await ingest([], at('2024-09-30T21:00:00'), [
      { key: A, value: BROKEN, headers: await replayOf(`kafka_key = '${A}' AND reason = 'unparseable'`) },
      { key: B, value: JSON.stringify(Q3[5]), headers: await replayOf("event_id = 'bad-b'") },
    ]);
    expect(replays).toMatchObject({ loaded: 0, duplicates: 1, deadLettered: 1 });
    first = (
      await issueBulletin(pipeline.store, { cityCode: CITY, period: parsePeriod('2024-Q3'), outDir, now: at('2024-10-06T03:00:00') })
    ).document;
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  const figure = (doc: BulletinDocument, key: string) => doc.headline.flatMap((s) => s.figures).find((f) => f.key === key)!;

  it('has the hand-counted headline figures with comparisons', () => {
    expect(first).toMatchObject({
      city: { code: CITY, name: '三门峡市' },
      period: { key: '2024-Q3', label: '2024年第三季度', from: '2024-07-01', to: '2024-09-30' },
      revision: 1,
    });
    const expected: Record<string, [number | null, number | null, number | null]> = {
      'grid-visit.visits': [13, 4, 2],
      'grid-visit.household_visits': [13, 4, 2],
      'grid-visit.households_visited': [13, 4, 2],
      'grid-visit.grid_members_active': [4, 1, 1],
      'grid-visit.grids_active': [4, 1, 1],
      'grid-visit.hazards_found': [5, 0, 0],
      'dispute-case.received': [3, 0, 0],
      'dispute-case.resolved': [2, 0, 0],
      'dispute-case.resolution_rate': [0.6667, null, null],
      'dispute-case.median_days_to_resolve': [6.5, null, null],
      'dispute-case.village_resolution_share': [0.5, null, null],
      'dispute-case.escalated': [1, 0, 0],
      'training-attendance.sessions': [2, 0, 0],
      'training-attendance.attendances': [3, 0, 0],
      'training-attendance.attendees': [3, 0, 0],
      'training-attendance.hours': [6, 0, 0],
      'cooperative-sale.revenue_yuan': [0.32, 0, 0],
      'cooperative-sale.sales': [2, 0, 0],
      'cooperative-sale.cooperatives_selling': [2, 0, 0],
      'cooperative-sale.villages_selling': [2, 0, 0],
    };
    for (const [key, [value, previous, yearAgo]] of Object.entries(expected)) {
      expect(figure(first, key), key).toMatchObject({ value, previous, yearAgo });
    }
    // Types with no event in the city: their flows and states read zero (rates and medians nothing).
    const quiet = first.headline.filter(
      (s) => !['grid-visit', 'dispute-case', 'training-attendance', 'cooperative-sale'].includes(s.domain),
    );
    expect(quiet.length).toBeGreaterThan(0);
    for (const f of quiet.flatMap((s) => s.figures)) expect([0, null], f.key).toContain(f.value);
  });

  it('never disagrees with govstats rollup for the same figure', async () => {
    for (const section of HEADLINE) {
      for (const spec of section.figures) {
        const rollup = await queryPlaceFigures(pipeline.store, spec.type, {
          level: 'city',
          code: CITY,
          from: '2024-07-01',
          to: '2024-09-30',
        });
        const raw = rollup[spec.measure] ?? null;
        expect(figure(first, spec.key).value, spec.key).toBe(
          raw === null ? null : spec.scale ? Math.round(raw * spec.scale * 100) / 100 : raw,
        );
      }
    }
  });

  it('ranks counties and townships, and each table total is the city figure and the sum of its rows', () => {
    const [counties, townships] = first.tables;
    expect(
      counties!.rows.map((r) => [
        r.name,
        r.rank,
        r.values['grid-visit.visits'],
        r.values['dispute-case.received'],
        r.values['training-attendance.attendances'],
      ]),
    ).toEqual([
      ['卢氏县', 1, 9, 2, 3],
      ['陕州区', 2, 4, 1, null], // no training there: no rollup row
    ]);
    // 朱阳关镇 has its own training besides its villages' (no event here is a county's or the city's, so rows add up).
    expect(
      townships!.rows.map((r) => [r.name, r.rank, r.values['grid-visit.visits'], r.values['training-attendance.attendances']]),
    ).toEqual([
      ['朱阳关镇', 1, 9, 3],
      ['大营镇', 2, 4, null],
    ]);
    for (const table of first.tables) {
      for (const column of [
        'grid-visit.visits',
        'grid-visit.hazards_found',
        'dispute-case.received',
        'dispute-case.resolved',
        'training-attendance.attendances',
        'cooperative-sale.revenue_yuan',
      ]) {
        const sum = table.rows.reduce((n, r) => n + (r.values[column] ?? 0), 0);
        expect(Math.round(sum * 100) / 100, `${table.level} ${column}`).toBe(table.total[column]);
      }
      expect(table.total).toMatchObject({
        'grid-visit.visits': 13,
        'dispute-case.received': 3,
        'dispute-case.resolved': 2,
        'dispute-case.resolution_rate': 0.6667,
        'training-attendance.attendances': 3,
        'cooperative-sale.revenue_yuan': 0.32,
      });
    }
  });

  it('breaks cooperative sales down by product and channel', () => {
    const products = first.breakdowns.find((b) => b.title.endsWith(' 合作社分产品销售情况'));
    const channels = first.breakdowns[first.breakdowns.indexOf(products!) + 1];
    expect(products!.title).toMatch(/^表\d+ 合作社分产品销售情况$/);
    expect(products!.rows).toHaveLength(2);
    expect(products!.rows).toEqual(
      expect.arrayContaining([
        { name: '葡萄（kg）', values: { 'cooperative-sale.quantity': 100, 'cooperative-sale.revenue_yuan': 0.16 } },
        { name: '香菇（kg）', values: { 'cooperative-sale.quantity': 100, 'cooperative-sale.revenue_yuan': 0.16 } },
      ]),
    );
    expect(channels!.rows.map((r) => [r.name, r.values['cooperative-sale.sales']])).toEqual(
      expect.arrayContaining([
        ['电商', 1],
        ['批发', 1],
      ]),
    );
  });

  it('splits headline measures into urban, rural and above-village work (城乡分列)', () => {
    const table = first.breakdowns.find((b) => b.title.includes('城乡分列'))!;
    expect(table.columns.map((c) => c.label)).toEqual(['城镇', '乡村', '乡镇及以上', '合计']);
    // The four types with events in the city; every other type's rows are zero (or nothing, for distinct counts).
    const withEvents = (key: string | undefined) => /^(grid-visit|dispute-case|training-attendance|cooperative-sale)\./.test(key ?? '');
    for (const row of table.rows.filter((r) => !withEvents(r.key))) {
      for (const value of Object.values(row.values)) expect([0, null], row.key).toContain(value);
    }
    const rows = Object.fromEntries(
      table.rows
        .filter((r) => withEvents(r.key))
        .map((r) => [r.key, [r.values.urban, r.values.rural, r.values.above_village, r.values.total]]),
    );
    // By hand: U is the one urban community (1 visit); A, B, C are rural villages; 朱阳关镇's own
    // training is above the village. Distinct counts have no remainder (one person can be in both).
    expect(rows).toEqual({
      'grid-visit.visits': [1, 12, 0, 13],
      'grid-visit.households_visited': [1, 12, null, 13],
      'grid-visit.grid_members_active': [1, 3, null, 4],
      'grid-visit.grids_active': [1, 3, null, 4],
      'dispute-case.resolved': [0, 2, 0, 2],
      'training-attendance.attendances': [0, 2, 1, 3],
      'cooperative-sale.revenue_yuan': [0, 0.32, 0, 0.32],
      'cooperative-sale.villages_selling': [0, 2, null, 2],
    });
    const visits = table.rows.find((r) => r.key === 'grid-visit.visits')!.values;
    expect(visits.urban! + visits.rural! + visits.above_village!).toBe(visits.total);
    expect(table.rows.filter((r) => withEvents(r.key)).map((r) => r.unit)).toEqual(['次', '户', '人', '个', '件', '人次', '万元', '个']);
  });

  it('takes the urban and rural figures from the queries of govstats rollup', async () => {
    const table = first.breakdowns.find((b) => b.title.includes('城乡分列'))!;
    for (const spec of AREA_ROWS) {
      const row = table.rows.find((r) => r.key === spec.key)!;
      for (const area of ['urban', 'rural'] as const) {
        const rollup = await queryPlaceFigures(pipeline.store, spec.type, {
          level: 'city',
          code: CITY,
          from: '2024-07-01',
          to: '2024-09-30',
          area,
        });
        expect(row.values[area], `${spec.measure} ${area}`).toBe(scaled(rollup[spec.measure], spec));
      }
      expect(row.values.total, spec.key).toBe(figure(first, spec.key).value);
    }
  });

  it('reports data quality: ingested, dead-lettered, late, silent villages', () => {
    const villages = nationalCatalogue()
      .within(CITY)
      .filter((d) => d.level === 'village');
    expect(first.quality).toMatchObject({ eventsIngested: Q3.length, arrivedLate: 0, villagesTotal: villages.length });
    expect(first.quality.silentVillages).toHaveLength(villages.length - 4);
    expect(first.quality.silentVillages.map((v) => v.code)).not.toContain(A);
    expect(first.quality.silentVillages.map((v) => v.code)).not.toContain(U);
  });

  it('counts only the refused messages of the city, each once, without those a replay loaded', async () => {
    expect(first.quality.deadLettered).toBe(2);
    // The other city's two, by subject: the one keyed by its own village and the one keyed by A.
    expect(await countDeadLettered(pipeline.store, '140700000000', { from: '2024-07-01', to: '2024-09-30' })).toBe(2);
    // Counted in the period they were refused in, not in the next one.
    expect(await countDeadLettered(pipeline.store, CITY, { from: '2024-10-01', to: '2024-12-31' })).toBe(0);
    const markdown = readFileSync(join(outDir, CITY, '2024-Q3', 'r1', 'bulletin.md'), 'utf8');
    expect(markdown).toContain('被拒收（转入死信队列）的本市消息2条');
    expect(markdown).toContain('无法识别所属区划的消息');
  });

  it('writes HTML, Markdown, CSV and JSON and records the bulletin in ClickHouse', async () => {
    const dir = join(outDir, CITY, '2024-Q3', 'r1');
    for (const name of ['bulletin.html', 'bulletin.md', 'figures.csv', 'figures.json'])
      expect(existsSync(join(dir, name)), name).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'))).toMatchObject({ revision: 1, period: { key: '2024-Q3' } });
    expect(readFileSync(join(dir, 'bulletin.html'), 'utf8')).toContain('三门峡市');
    const rows = await queryRows<{ revision: number; checksum: string }>(
      pipeline.store.client,
      "SELECT revision, checksum FROM bulletins FINAL WHERE period = '2024-Q3'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is idempotent, and issues a revision saying what changed when late events arrive', async () => {
    const again = await issueBulletin(pipeline.store, {
      cityCode: CITY,
      period: parsePeriod('2024-Q3'),
      outDir,
      now: at('2024-10-07T03:00:00'),
    });
    expect(again.status).toBe('unchanged');
    expect(again.document.revision).toBe(1);

    await ingest([visit(C, '2024-09-29', 'hh_c0000099')], at('2024-10-08T10:00:00'));
    const revised = await issueBulletin(pipeline.store, {
      cityCode: CITY,
      period: parsePeriod('2024-Q3'),
      outDir,
      now: at('2024-10-09T03:00:00'),
    });
    expect(revised.status).toBe('revised');
    expect(revised.document.revision).toBe(2);
    expect(figure(revised.document, 'grid-visit.visits').value).toBe(14);
    expect(revised.document.quality.arrivedLate).toBe(1);
    expect(revised.document.changes).toEqual(expect.arrayContaining(['走访巡查由13次修订为14次', '迟报数据由0条增至1条']));
    expect(existsSync(join(outDir, CITY, '2024-Q3', 'r2', 'bulletin.html'))).toBe(true);
  });

  it('catches up missed periods on start and issues new ones as they come due, by an injected clock', async () => {
    let now = at('2024-10-10T03:00:00');
    const service = createBulletinService(
      pipeline.store,
      { cities: [CITY], kinds: ['month', 'quarter'], delayDays: 5, since: '2024-07-01', recheck: 1, outDir },
      () => now,
    );
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
    // September and 2024-Q3 were last issued preliminary; they have been final since 2024-10-31
    // (30 days after they closed): issued again as final, September although no longer recent.
    expect(later.map((r) => [r.document.period.key, r.status, r.document.status])).toEqual([
      ['2024-09', 'revised', 'final'],
      ['2024-10', 'new', 'preliminary'],
      ['2024-Q3', 'revised', 'final'],
    ]);
    expect(later[0]!.document.changes).toEqual(['补报截止后核实，数据与第1版相同，本版为最终数据']);
    // Once final, nothing more to issue for them.
    const after = await service.runDue();
    expect(after.map((r) => [r.document.period.key, r.status])).toEqual([
      ['2024-10', 'unchanged'],
      ['2024-Q3', 'unchanged'],
    ]);
    const september = caughtUp[2]!.document;
    const rollup = await queryRollup(pipeline.store, EVENT_TYPES[0]!, { level: 'city', code: CITY, from: '2024-09-01', to: '2024-09-30' });
    expect(figure(september, 'grid-visit.visits').value).toBe(rollup[0]!.figures.visits);
  }, 600_000); // eight bulletins of eleven types each

  it('refuses a code that is not a city of the catalogue, and writes and records nothing', async () => {
    const issue = (cityCode: string) =>
      issueBulletin(pipeline.store, { cityCode, period: parsePeriod('2024-Q3'), outDir, now: at('2024-10-06T03:00:00') });
    await expect(issue(UNKNOWN_CITY)).rejects.toThrow(UnknownCityError);
    await expect(issue(UNKNOWN_CITY)).rejects.toThrow(
      /^419900000000 is not a city of the division catalogue \(NBS 2023 .*\); find codes with `govstats divisions search NAME`$/,
    );
    // A province-level municipality: the code that works is its city-level one.
    await expect(issue('110000000000')).rejects.toThrow(
      /110000000000 is not a city .*北京市.*its city-level code is 110100000000 \(市辖区\)/,
    );
    // A place of another level says what it is.
    await expect(issue('411224000000')).rejects.toThrow(/411224000000 is not a city .*卢氏县, a county/);
    for (const code of [UNKNOWN_CITY, '110000000000', '411224000000']) expect(existsSync(join(outDir, code)), code).toBe(false);
    const recorded = await queryRows<{ n: string }>(
      pipeline.store.client,
      `SELECT count() AS n FROM bulletins WHERE city_code IN ('${UNKNOWN_CITY}', '110000000000', '411224000000')`,
    );
    expect(Number(recorded[0]!.n)).toBe(0);
  });

  it('names a province-level municipality bulletin after the municipality, not 市辖区', async () => {
    expect(await requireCity(pipeline.store, CITY)).toEqual({ code: CITY, name: '三门峡市' });
    expect(await requireCity(pipeline.store, '110100000000')).toEqual({ code: '110100000000', name: '北京市' });
    expect((await requireCity(pipeline.store, '500200000000')).name).toBe('重庆市县');
    expect((await requireCity(pipeline.store, '419000000000')).name).toBe('河南省省直辖县级行政区划');
  });

  it('makes govstats bulletin exit with code 2 and the reason for such a code', async () => {
    const cli = promisify(execFile)(
      process.execPath,
      govstatsArgs('bulletin', '--city', UNKNOWN_CITY, '--period', '2024-Q3', '--out', outDir),
      {
        cwd: join(import.meta.dirname, '..', '..', '..'),
        env: { ...pipeline.childEnv, LOG_LEVEL: 'warn' },
      },
    );
    const failure = await cli.then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(`govstats: ${UNKNOWN_CITY} is not a city of the division catalogue (NBS 2023`);
    expect(failure?.stderr).toContain('find codes with `govstats divisions search NAME`');
    expect(existsSync(join(outDir, UNKNOWN_CITY))).toBe(false);
  }, 120_000);

  it('will not start the service with an unknown city, and a run skips a city that is no longer one', async () => {
    const options = { kinds: ['quarter' as const], delayDays: 5, since: '2024-07-01', recheck: 1, outDir };
    const clock = () => at('2024-10-10T03:00:00');
    const misconfigured = createBulletinService(pipeline.store, { ...options, cities: [CITY, UNKNOWN_CITY] }, clock);
    await expect(misconfigured.start()).rejects.toThrow(/^419900000000 is not a city of the division catalogue/);
    misconfigured.stop();
    const run = await misconfigured.runDue();
    expect(run.map((r) => [r.document.city.code, r.document.period.key])).toEqual([[CITY, '2024-Q3']]);
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
    await createIngestService({
      config: pipeline.config,
      kafka: pipeline.kafka,
      store: pipeline.store,
      clock: () => at('2024-07-01T00:00:00'),
    }).drain();
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  it('leaves the comparison empty instead of reporting growth from zero', async () => {
    const { document } = await issueBulletin(pipeline.store, {
      cityCode: CITY,
      period: parsePeriod('2024-Q2'),
      outDir: mkdtempSync(join(tmpdir(), 'govstats-b2-')),
      now: at('2024-07-10T00:00:00'),
    });
    const visits = document.headline.flatMap((s) => s.figures).find((f) => f.key === 'grid-visit.visits')!;
    expect(visits).toMatchObject({ value: 2, previous: null, yearAgo: null });
  });
});
