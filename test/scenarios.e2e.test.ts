import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
