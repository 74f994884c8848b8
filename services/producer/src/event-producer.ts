import { describeIssues, envelope, type EventTypeDefinition, latestVersion, contractVersion } from '@govstats/schemas';
import type { KafkaSink } from '@govstats/kafka';
import { toEnvelope, type EventRecord } from './envelope.ts';

/**
 * The producer service of one event type: checks records against the type's current contract,
 * wraps them in envelopes and publishes them keyed by village code, so all events of a village
 * stay in order on one partition.
 */
export interface EventProducer {
  type: EventTypeDefinition;
  /** Publishes all records or none: an invalid record is reported before anything is sent. */
  publish(records: EventRecord[]): Promise<number>;
}

export function createEventProducer(type: EventTypeDefinition, sink: KafkaSink, options: { topic: string; source: string; version?: number }): EventProducer {
  const version = options.version ?? latestVersion(type);
  if (!contractVersion(type, version)) throw new Error(`${type.name} has no contract v${version}`);
  const contract = contractVersion(type, version)!;
  return {
    type,
    async publish(records) {
      const messages = records.map((record) => {
        const event = toEnvelope(type, record, options.source, version);
        const checkedEnvelope = envelope.safeParse(event);
        const checkedData = contract.data.safeParse(event.data);
        if (!checkedEnvelope.success || !checkedData.success) {
          const problems = [
            checkedEnvelope.success ? '' : describeIssues(checkedEnvelope.error),
            checkedData.success ? '' : describeIssues(checkedData.error, 'data'),
          ].filter(Boolean);
          throw new Error(`${type.name} event ${record.id} breaks contract v${version}: ${problems.join('; ')}`);
        }
        return { key: record.subject, value: JSON.stringify(event) };
      });
      return sink.send(options.topic, messages);
    },
  };
}
