import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink } from '@govstats/kafka';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryRows } from '@govstats/store';
import { openDeadLetters, queryPlaceFigures } from '@govstats/warehouse';
import { createIngestService } from '../services/ingest/src/index.ts';
import { envelope } from './support/events.ts';
import { govstatsArgs } from './support/govstats-process.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const gridVisits = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;
const MARCH = { from: '2024-03-01', to: '2024-03-31' };
const visit = (id: string, subject: string) =>
  envelope('grid-visit', id, subject, '2024-03-05T10:00:00', {
    grid_id: 'G01',
    member_id: `gm-${id}`,
    household_id: null,
    kind: 'patrol',
    issues_found: 0,
    hazards_found: 0,
    duration_minutes: 20,
  });

/** The national catalogue, codes of earlier editions, a user's own table, and dead letters replayed once it is fixed. */
describe('every place in China, with its history', () => {
  let pipeline: TestPipeline;
  let dir: string;
  const cli = async (...args: string[]) =>
    (
      await promisify(execFile)(process.execPath, govstatsArgs(...args), {
        cwd: join(import.meta.dirname, '..'),
        env: { ...pipeline.childEnv, LOG_LEVEL: 'warn' },
      })
    ).stdout;
  const publish = async (...events: Record<string, unknown>[]) => {
    const sink = await createKafkaSink(pipeline.kafka);
    await sink.send(
      pipeline.config.topics.forEventType('grid-visit'),
      events.map((e) => ({ key: String(e.subject), value: JSON.stringify(e) })),
    );
    await sink.close();
  };
  const drain = () => createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
  const visits = async (level: 'village' | 'township' | 'county' | 'city', code: string) =>
    (await queryPlaceFigures(pipeline.store, gridVisits, { level, code, ...MARCH })).visits;

  beforeAll(async () => {
    pipeline = await openTestPipeline('divisions');
    dir = mkdtempSync(join(tmpdir(), 'govstats-divisions-'));
  });

  afterAll(async () => {
    await pipeline?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('knows a city of any province, with its places counted by kind', async () => {
    const found = JSON.parse(await cli('divisions', 'search', '衢州', '--level', 'city', '--json')) as { code: string; path: string[] }[];
    expect(found).toEqual([expect.objectContaining({ code: '330800000000', name: '衢州市', path: ['浙江省'] })]);
    const shown = JSON.parse(await cli('divisions', 'show', '330800000000', '--json'));
    const villages = (area: string) =>
      shown.counts.find((c: { level: string; area: string }) => c.level === 'village' && c.area === area).places;
    expect([villages('urban'), villages('rural')]).toEqual([183, 1_481]);
    expect(shown.children).toHaveLength(6);
  });

  it('counts an event carrying a retired code (长治县 140421, now 上党区 140404) under its current place', async () => {
    // 郝店村 of 苏店镇, coded 140421101201 until the 2018 edition and 140404101201 since.
    await publish(visit('retired-1', '140421101201'));
    // 新华村 of the old 城区 140402 was merged away: its events count in its township, in no village.
    await publish(visit('merged-1', '140402009200'));
    expect(await drain()).toMatchObject({ loaded: 2, deadLettered: 0 });
    expect(await visits('village', '140404101201')).toBe(1);
    expect(await visits('county', '140404000000')).toBe(1);
    expect(await visits('township', '140403009000')).toBe(1);
    expect(await visits('village', '140402009200')).toBe(0);
    const rows = await queryRows<{ event_id: string; village_code: string; original_code: string }>(
      pipeline.store.client,
      "SELECT event_id, village_code, original_code FROM grid_visits WHERE event_id IN ('retired-1', 'merged-1') ORDER BY event_id",
    );
    expect(rows).toEqual([
      { event_id: 'merged-1', village_code: '140403009000', original_code: '140402009200' },
      { event_id: 'retired-1', village_code: '140404101201', original_code: '140421101201' },
    ]);
  });

  it('replays dead letters once the catalogue knows their place, and counts each once however often', async () => {
    const NEW_COMMUNITY = '330802001099'; // not in the 2023 table
    await publish(visit('new-place-1', NEW_COMMUNITY), visit('new-place-2', NEW_COMMUNITY));
    expect(await drain()).toMatchObject({ loaded: 0, deadLettered: 2 });
    expect((await openDeadLetters(pipeline.store, { reason: 'unknown_division' })).map((d) => d.eventId).sort()).toEqual([
      'new-place-1',
      'new-place-2',
    ]);

    // The statistics office adds the community from its own table, with its 城乡分类代码.
    const csv = join(dir, 'additions.csv');
    writeFileSync(csv, `统计用区划代码,城乡分类代码,名称\n${NEW_COMMUNITY},111,新设社区居委会\n`);
    expect(await cli('divisions', 'load', csv, '--edition', 'quzhou-additions')).toMatch(/1 places loaded/);
    expect(await cli('dlq', 'replay', '--reason', 'unknown_division', '--dry-run')).toMatch(/2 open dead letters[\s\S]*dry run/);

    // Replayed twice before ingest reads either copy: the events still count once.
    await cli('dlq', 'replay', '--reason', 'unknown_division');
    await cli('dlq', 'replay', '--reason', 'unknown_division');
    expect(await drain()).toMatchObject({ loaded: 2, duplicates: 2, deadLettered: 0 });
    expect(await visits('village', NEW_COMMUNITY)).toBe(2);
    expect(
      (await queryPlaceFigures(pipeline.store, gridVisits, { level: 'city', code: '330800000000', ...MARCH, area: 'urban' })).visits,
    ).toBe(2);
    expect(await openDeadLetters(pipeline.store)).toEqual([]);
    expect(await cli('dlq', 'replay')).toMatch(/^0 open dead letters/);
    const dlq = JSON.parse(await cli('dlq', '--json'));
    expect(dlq).toMatchObject({ total: 2, resolved: 2 });
  });
});
