import type { SourceBatch } from '@govstats/kafka';
import { insertRows, queryRows, type Store } from '@govstats/store';
import { settingsClause, type QuerySettings } from '@govstats/warehouse';
import { parseFacts, type BatchFacts } from './batch-facts.ts';

/** A batch's offset range and plan facts, written before its first insert. */
export interface Intent {
  last: string;
  /** Undefined for intents written before facts were recorded: those replay with today's facts. */
  facts: BatchFacts | undefined;
}

export interface IntentKey {
  group: string;
  topic: string;
  partition: number;
  first: string;
}

/**
 * The intent recorded for a batch starting at `first`, if one was: a crash, a rebalance or a
 * restart between recording and committing leaves it behind, and the next attempt must cover
 * exactly its range with its facts. One primary-key lookup, whatever the history.
 */
export async function readIntent(store: Store, key: IntentKey, batch: SourceBatch, settings: QuerySettings): Promise<Intent | undefined> {
  const [row] = await queryRows<{ last_offset: string; facts: string }>(
    store.client,
    `SELECT last_offset, facts FROM ingest_intents FINAL
WHERE consumer_group = {group:String} AND kafka_topic = {topic:String} AND kafka_partition = {partition:UInt32} AND first_offset = {first:UInt64}${settingsClause(settings)}`,
    { ...key },
  );
  return row ? { last: row.last_offset, facts: parseFacts(row.facts, batch) } : undefined;
}

/** Records the intent; the store refuses it once `deadline` (the writer's lease) has passed. */
export async function recordIntent(
  store: Store,
  key: IntentKey,
  last: string,
  facts: BatchFacts,
  deadline: number,
  settings: QuerySettings,
): Promise<void> {
  await insertRows(
    store.client,
    'ingest_intents',
    [
      {
        consumer_group: key.group,
        kafka_topic: key.topic,
        kafka_partition: key.partition,
        first_offset: key.first,
        last_offset: last,
        facts: JSON.stringify(facts),
        write_deadline: new Date(deadline).toISOString(),
      },
    ],
    {
      deduplicationToken: `intent:${key.group}:${key.topic}:${key.partition}:${key.first}-${last}:${facts.firstMessage}:${facts.now}`,
      settings,
    },
  );
}

/**
 * Whether the batch an intent covers was finished by that intent's plan: its row in
 * ingest_batches, written after its inserts and ledger entries (so every event it loaded is in
 * the ledger), names the plan's clock reading. A finished intent is met again only when the
 * group's offsets were moved back (`govstats ingest --from`, or Kafka's kafka-consumer-groups.sh
 * --reset-offsets): the batch is then planned afresh, and the ledger keeps each event counted
 * once, however long ago its insert left the deduplication window. A row of another reading of
 * the same range does not count. Rows finished before `planned_at` existed are judged by time.
 */
export async function batchFinished(store: Store, key: IntentKey, intent: Intent, settings: QuerySettings): Promise<boolean> {
  if (!intent.facts) return false;
  const rows = await queryRows<{ found: number }>(
    store.client,
    `SELECT 1 AS found FROM ingest_batches
WHERE kafka_topic = {topic:String} AND kafka_partition = {partition:UInt32} AND first_offset = {first:UInt64}
  AND consumer_group = {group:String} AND last_offset = {last:UInt64}
  AND (planned_at = fromUnixTimestamp64Milli({planned:Int64}, 'UTC')
    OR (planned_at = toDateTime64(0, 3, 'UTC') AND finished_at >= fromUnixTimestamp64Milli({planned:Int64}, 'UTC')))
LIMIT 1${settingsClause(settings)}`,
    { ...key, last: intent.last, planned: intent.facts.now },
  );
  return rows.length > 0;
}
