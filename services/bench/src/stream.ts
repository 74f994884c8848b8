import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Topics } from '@govstats/config';
import { PlaceIndex, nationalCatalogue } from '@govstats/divisions';
import { decodeMessage } from '@govstats/ingest';
import { rawColumnNames, type EventTypeDefinition } from '@govstats/schemas';
import type { SerializedRows } from './runs/clickhouse-ceiling.ts';
import { emptyScenarioCounts, prepareScenario, routeLine, scenarioLines, scenarioSchema, type ScenarioCounts } from '@govstats/producer';

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

/**
 * The stream's events as the consumer would send them to ClickHouse (validated, one JSON array per
 * row, columns in table order), grouped by type: the input of the ClickHouse ceiling.
 */
export function serializeAsConsumerWould(lines: string[], topics: Topics): SerializedRows[] {
  const places = PlaceIndex.of(nationalCatalogue());
  const byType = new Map<EventTypeDefinition, string[]>();
  const now = Date.now();
  for (const line of lines) {
    const decoded = decodeMessage(
      { offset: '0', key: null, value: Buffer.from(line), headers: {} },
      { topic: routeLine(line, topics).topic, partition: 0, topicType: undefined, places, maxEventBytes: 1 << 20, futureToleranceMs: 0, now },
    );
    if (!decoded.ok) throw new Error(`bench stream has an invalid event: ${decoded.detail}`);
    const { eventType } = decoded;
    const out = byType.get(eventType) ?? [];
    out.push(JSON.stringify(rawColumnNames(eventType.rawTable).map((c) => decoded.row[c])));
    byType.set(eventType, out);
  }
  return [...byType].map(([eventType, rows]) => ({ eventType, lines: rows }));
}
