import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { emptyScenarioCounts, prepareScenario, scenarioLines, scenarioSchema, type ScenarioCounts } from '@govstats/producer';

/**
 * The one event stream every figure of a bench run is measured on: 卢氏县's villages over two
 * months, as busy as `visitsPerMemberPerMonth` makes them (60 ≈ 200k events).
 */
export async function writeBenchStream(path: string, visitsPerMemberPerMonth: number): Promise<ScenarioCounts> {
  const scenario = scenarioSchema.parse({
    name: 'bench',
    period: { from: '2024-03-01', to: '2024-04-30' },
    seed: 42,
    places: ['411224000000'],
    activity: { visits_per_member_per_month: visitsPerMemberPerMonth },
  });
  const counts = emptyScenarioCounts();
  const out = createWriteStream(path);
  for (const line of scenarioLines(prepareScenario(scenario), counts)) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return counts;
}
