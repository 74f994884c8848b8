import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueBulletin, parsePeriod, type BulletinDocument } from '@govstats/bulletin';
import { EVENT_TYPES } from '@govstats/schemas';
import { queryRollup, reconcile } from '@govstats/warehouse';
import { createIngestService, type IngestStats } from '../services/ingest/src/index.ts';
import { loadScenario, type Scenario } from '../services/producer/src/index.ts';
import { prepareScenarioFile, produceScenario } from '../services/cli/src/commands/produce.ts';
import { rollupFigureFor } from './support/scenario-targets.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const FILE = join(import.meta.dirname, 'fixtures', 'quzhou-2024.yaml');
const QUZHOU = '330800000000';
const training = EVENT_TYPES.find((t) => t.name === 'training-attendance')!;

/**
 * A statistics office outside the shipped scenarios (衢州市, 浙江省) writes its own scenario with
 * city-level targets; through the real broker and engine, every target is in the rollups and in
 * the annual bulletin.
 */
describe('a city no shipped scenario covers, end to end', () => {
  let pipeline: TestPipeline;
  let scenario: Scenario;
  let ingested: IngestStats;
  let produced = 0;
  let bulletin: BulletinDocument;
  let outDir: string;

  beforeAll(async () => {
    pipeline = await openTestPipeline('any-city');
    outDir = mkdtempSync(join(tmpdir(), 'govstats-any-city-'));
    scenario = loadScenario(FILE);
    const { report, counts } = await produceScenario(pipeline.config, pipeline.kafka, prepareScenarioFile(FILE));
    expect(report.accepted).toBe(counts.lines);
    produced = counts.events;
    ingested = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
    bulletin = (
      await issueBulletin(pipeline.store, {
        cityCode: QUZHOU,
        period: parsePeriod('2024'),
        outDir,
        now: Date.parse('2025-01-06T03:00:00+08:00'),
      })
    ).document;
  }, 600_000);

  afterAll(async () => {
    await pipeline?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('loads every generated event once', () => {
    expect(produced).toBeGreaterThan(20_000);
    expect(ingested).toMatchObject({ loaded: produced, duplicates: 0, deadLettered: 0 });
  });

  it('has every city-level target in the rollups', async () => {
    for (const target of scenario.targets) {
      expect(await rollupFigureFor(pipeline.store, target, scenario.period), `${target.scope} ${target.measure}`).toBe(target.value);
    }
  });

  it('counts sessions of county and city schools at their own level and above, in no village', async () => {
    const year = { from: '2024-01-01', to: '2024-12-31' };
    const villages = await queryRollup(pipeline.store, training, { level: 'village', within: QUZHOU, ...year });
    expect(villages.reduce((n, r) => n + (r.figures.attendances ?? 0), 0)).toBe(0);
    const counties = await queryRollup(pipeline.store, training, { level: 'county', within: QUZHOU, ...year });
    expect(counties.length).toBe(6);
    const countySessions = counties.reduce((n, r) => n + (r.figures.sessions ?? 0), 0);
    // The city school's sessions are the city's and no county's.
    expect(countySessions).toBeGreaterThan(0);
    expect(countySessions).toBeLessThan(320);
    expect(await reconcile(pipeline.store, year)).toEqual([]);
  });

  it('shows the targets in the annual bulletin', () => {
    const figure = (key: string) => bulletin.headline.flatMap((s) => s.figures).find((f) => f.key === key)?.value;
    expect(bulletin.city.name).toBe('衢州市');
    expect(figure('training-attendance.sessions')).toBe(320);
    expect(figure('training-attendance.attendances')).toBe(16_000);
    expect(figure('training-attendance.attendees')).toBe(9_000);
    expect(figure('grid-visit.grids_active')).toBe(5_000);
    expect(figure('grid-visit.grid_members_active')).toBe(5_600);
    expect(figure('cooperative-sale.villages_selling')).toBe(610);
    expect(bulletin.quality.villagesTotal).toBe(1_664);
  });
});
