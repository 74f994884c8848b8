import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, EARLIEST_EVENT_DAY, firstOfMonth, isState, measureNamed } from '@govstats/schemas';
import { queryRollup, reconcile } from '@govstats/warehouse';
import { collectFigures, parsePeriod, type BulletinContent } from '../services/bulletin/src/index.ts';
import { createIngestService, type IngestStats } from '../services/ingest/src/index.ts';
import { loadScenario, type Scenario } from '../services/producer/src/index.ts';
import { prepareScenarioFile, produceScenario } from '../services/cli/src/commands/produce.ts';
import { rollupFigureFor } from './support/scenario-targets.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const DIR = join(import.meta.dirname, '..', 'services', 'producer', 'scenarios');
const SHIPPED = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Every shipped scenario through the real pipeline: its rollups must equal its targets exactly. */
describe('shipped scenarios reproduce the published figures', () => {
  let pipeline: TestPipeline;
  let ingested: IngestStats;
  const scenarios = new Map<string, Scenario>();
  let produced = 0;

  beforeAll(async () => {
    pipeline = await openTestPipeline('scenarios');
    // The scenarios cover four different cities, so they can share one pipeline.
    for (const file of SHIPPED) {
      scenarios.set(file, loadScenario(join(DIR, file)));
      const { report, counts } = await produceScenario(pipeline.config, pipeline.kafka, prepareScenarioFile(join(DIR, file)));
      expect(report.accepted).toBe(counts.lines);
      produced += counts.events;
    }
    ingested = await createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
  }, 1_200_000);

  afterAll(async () => {
    await pipeline?.close();
  });

  it('ships the four places of the published figures', () => {
    expect(SHIPPED).toEqual(['dongzhuang-2023.yaml', 'sanmenxia-2024.yaml', 'xiuwen-2023.yaml', 'zhenxing-2023.yaml']);
  });

  it('loads every generated event exactly once', () => {
    expect(ingested).toMatchObject({ loaded: produced, duplicates: 0, deadLettered: 0 });
  });

  it.each(SHIPPED)('%s: every state target is what is in place at the end, whenever the period starts', async (file) => {
    const scenario = scenarios.get(file)!;
    const states = scenario.targets.filter((t) => {
      const [typeName, measure] = t.measure.split('.') as [string, string];
      return isState(measureNamed(EVENT_TYPES.find((type) => type.name === typeName)!.rollup, measure)!);
    });
    expect(states.length).toBeGreaterThan(0);
    // From the first day there can be events (year grain), and over the period's last month alone (month and day grains).
    for (const from of [EARLIEST_EVENT_DAY, firstOfMonth(scenario.period.to)]) {
      for (const target of states) {
        const actual = await rollupFigureFor(pipeline.store, target, { from, to: scenario.period.to });
        expect(actual, `${from}…: ${target.level} ${target.code} ${target.measure} ${JSON.stringify(target.filter)}`).toBe(target.value);
      }
    }
  });

  it('the rollups reconcile with the raw events at every level and grain, states and thresholds included', async () => {
    const periods = [...scenarios.values()].map((s) => s.period);
    const span = {
      from: periods.map((p) => p.from).sort()[0]!,
      to: periods
        .map((p) => p.to)
        .sort()
        .at(-1)!,
    };
    expect(await reconcile(pipeline.store, span)).toEqual([]);
  }, 600_000);

  it.each(SHIPPED)('%s: every target equals its rollup', async (file) => {
    const scenario = scenarios.get(file)!;
    expect(scenario.targets.length).toBeGreaterThan(0);
    for (const target of scenario.targets) {
      const actual = await rollupFigureFor(pipeline.store, target, scenario.period);
      expect(actual, `${target.level} ${target.code} ${target.scope} ${target.measure} ${JSON.stringify(target.filter)}`).toBe(
        target.value,
      );
    }
  });

  /** Where each published figure appears in its city's bulletin for the year. */
  const inBulletin: Record<string, { city: string; year: string; figures: [where: string, key: string, value: number][] }> = {
    'sanmenxia-2024.yaml': {
      city: '411200000000',
      year: '2024',
      figures: [
        ['headline', 'cadres-in-post.first_secretaries_in_post', 442],
        ['headline', 'grid-register.villager_group_grids', 10751],
        ['headline', 'grid-register.urban_grids', 1065],
        ['urban', 'service-request.completed', 70000],
        ['urban', 'dispute-case.resolved', 2700],
        ['urban', 'cadres-in-post.grid_members_in_post', 3000],
        ['township 411224104000', 'collective-income.villages_income_500k', 10],
      ],
    },
    'xiuwen-2023.yaml': {
      city: '140700000000',
      year: '2023',
      figures: [
        ['township 140702105000', 'hazard.found', 219],
        ['township 140702105000', 'hazard.closed', 219],
        ['township 140702105000', 'cadres-in-post.full_time_grid_members_in_post', 33],
        ['township 140702105000', 'grid-register.micro_grids', 378],
        ['township 140702105000', 'dispute-case.resolved', 224],
      ],
    },
    // The scenario is the one village: the city's figures are the village's.
    'dongzhuang-2023.yaml': {
      city: '141100000000',
      year: '2023',
      figures: [
        ['headline', 'grid-register.micro_grids', 40],
        ['breakdown 清理合同增收', 'collective-income.income_yuan', 63],
      ],
    },
    'zhenxing-2023.yaml': {
      city: '140400000000',
      year: '2023',
      figures: [
        ['headline', 'grid-register.street_stations', 16],
        ['headline', 'cadres-in-post.grid_members_in_post', 16],
        ['headline', 'training-attendance.sessions', 300],
      ],
    },
  };

  function bulletinValue(content: BulletinContent, where: string, key: string): number | null | undefined {
    if (where === 'headline') return content.headline.flatMap((s) => s.figures).find((f) => f.key === key)?.value;
    if (where === 'urban' || where === 'rural') return content.breakdowns.flatMap((b) => b.rows).find((r) => r.key === key)?.values[where];
    const [kind, name] = where.split(' ') as [string, string];
    if (kind === 'township') return content.tables.find((t) => t.level === 'township')?.rows.find((r) => r.code === name)?.values[key];
    return content.breakdowns.flatMap((b) => (b.columns.some((c) => c.key === key) ? b.rows : [])).find((r) => r.name === name)?.values[
      key
    ];
  }

  it.each(SHIPPED)('%s: the published figures read the same in the city bulletin', async (file) => {
    const { city, year, figures } = inBulletin[file]!;
    const content = await collectFigures(pipeline.store, city, parsePeriod(year));
    const actual = figures.map(([where, key]) => [where, key, bulletinValue(content, where, key)]);
    expect(actual).toEqual(figures);
    // …and as the rollups give them, at month grain too: the bulletin reads the same queries.
    const [grids] = await queryRollup(
      pipeline.store,
      EVENT_TYPES.find((t) => t.name === 'grid-register')!,
      {
        level: 'city',
        code: city,
        from: `${year}-12-01`,
        to: `${year}-12-31`,
      },
    );
    const headlineGrids = content.headline.flatMap((s) => s.figures).find((f) => f.key === 'grid-register.grids_in_place')?.value;
    expect(grids?.figures.grids_in_place).toBe(headlineGrids);
  });
});
