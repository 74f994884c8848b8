import { randomUUID } from 'node:crypto';
import { createKafka, createKafkaSink, ensureTopics, type OutgoingMessage } from '@govstats/kafka';

const KINDS = ['household_visit', 'patrol', 'policy_publicity', 'hazard_check', 'dispute_screening', 'service_delivery'] as const;

/** 12-digit village codes: 4112241042xx (county 411224, town 104, villages 201..). */
export function villageCodes(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `411224104${String(201 + i).padStart(3, '0')}`);
}

/** One valid grid-visit v1 CloudEvents envelope, deterministic in `i` apart from its id. */
export function gridVisitEnvelope(i: number, villages: string[]): { key: string; value: string } {
  const village = villages[i % villages.length]!;
  const kind = KINDS[i % KINDS.length]!;
  const day = 1 + (i % 28);
  const hour = 8 + (i % 10);
  const envelope = {
    specversion: '1.0',
    id: randomUUID(),
    source: 'urn:govstats:bench:peer',
    type: 'govstats.grid-visit.v1',
    time: `2024-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000+08:00`,
    subject: village,
    datacontenttype: 'application/json',
    dataschema: 'urn:govstats:schema:grid-visit:v1',
    data: {
      grid_id: `G${1 + (i % 7)}`,
      member_id: `${village}-M${1 + (i % 13)}`,
      household_id: kind === 'household_visit' || i % 3 === 0 ? `${village}-H${1 + (i % 97)}` : null,
      kind,
      issues_found: i % 4,
      hazards_found: i % 5 === 0 ? 1 : 0,
      duration_minutes: 5 + (i % 90),
    },
  };
  return { key: village, value: JSON.stringify(envelope) };
}

/** Creates `topic` and publishes `count` envelopes to it, keyed by village code. */
export async function publishGridVisits(options: {
  brokers: string[];
  topic: string;
  count: number;
  partitions?: number;
  villages?: number;
}): Promise<{ published: number; seconds: number }> {
  const kafka = createKafka({ brokers: options.brokers, clientId: 'govstats-bench-peer-producer' });
  await ensureTopics(kafka, [options.topic], { partitions: options.partitions ?? 3, replicationFactor: 1 });
  const villages = villageCodes(options.villages ?? 50);
  const sink = await createKafkaSink(kafka);
  const started = performance.now();
  try {
    const chunk = 5_000;
    for (let from = 0; from < options.count; from += chunk) {
      const messages: OutgoingMessage[] = [];
      for (let i = from; i < Math.min(options.count, from + chunk); i++) messages.push(gridVisitEnvelope(i, villages));
      await sink.send(options.topic, messages);
    }
  } finally {
    await sink.close();
  }
  return { published: options.count, seconds: (performance.now() - started) / 1000 };
}
