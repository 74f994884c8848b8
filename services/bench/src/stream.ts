import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { REPO_ROOT, type Topics } from '@govstats/config';
import { PlaceIndex, nationalCatalogue } from '@govstats/divisions';
import { decodeMessage } from '@govstats/ingest';
import { rawColumnNames, type EventTypeDefinition } from '@govstats/schemas';
import type { SerializedRows } from './runs/clickhouse-ceiling.ts';
import { emptyScenarioCounts, loadScenario, prepareScenario, routeLine, scenarioLines, type ScenarioCounts } from '@govstats/producer';

/** The scenario of the bench stream (see the file): ~200k events of every type. */
export const BENCH_SCENARIO = join(REPO_ROOT, 'services', 'bench', 'stream.yaml');

/** The one event stream every figure of a bench run is measured on, from a scenario file. */
export async function writeBenchStream(path: string, scenarioFile = BENCH_SCENARIO): Promise<ScenarioCounts> {
  const scenario = loadScenario(scenarioFile);
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
      {
        topic: routeLine(line, topics).topic,
        partition: 0,
        topicType: undefined,
        places,
        maxEventBytes: 1 << 20,
        futureToleranceMs: 0,
        now,
      },
    );
    if (!decoded.ok) throw new Error(`bench stream has an invalid event: ${decoded.detail}`);
    const { eventType } = decoded;
    const out = byType.get(eventType) ?? [];
    out.push(JSON.stringify(rawColumnNames(eventType.rawTable).map((c) => decoded.row[c])));
    byType.set(eventType, out);
  }
  return [...byType].map(([eventType, rows]) => ({ eventType, lines: rows }));
}
