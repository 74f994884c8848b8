import { chinaTimestamp, cloudEventType, dataSchemaUri, latestVersion, type Envelope, type EventTypeDefinition } from '@govstats/schemas';

export interface EventRecord {
  id: string;
  /** 12-digit code of the village or community. */
  subject: string;
  /** When it happened, epoch milliseconds. */
  time: number;
  data: Record<string, unknown>;
}

/** Wraps a record in the CloudEvents envelope of its type; time is written in China Standard Time. */
export function toEnvelope(type: EventTypeDefinition, record: EventRecord, source: string, version = latestVersion(type)): Envelope {
  return {
    specversion: '1.0',
    id: record.id,
    source,
    type: cloudEventType(type, version),
    time: chinaTimestamp(record.time),
    subject: record.subject,
    datacontenttype: 'application/json',
    dataschema: dataSchemaUri(type.name, version),
    data: record.data,
  };
}
