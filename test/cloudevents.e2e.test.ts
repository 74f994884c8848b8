import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink, type OutgoingMessage } from '@govstats/kafka';
import { queryRows } from '@govstats/store';
import { openDeadLetters } from '@govstats/warehouse';
import { publishReplays } from '../services/cli/src/commands/dlq.ts';
import { createIngestService } from '../services/ingest/src/index.ts';
import { publishLines } from '../services/producer/src/index.ts';
import { envelope, patrol } from './support/events.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const VILLAGE = '411224104201';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** The binary content mode of the Kafka binding: attributes in ce_* headers, data as the value. */
function binaryMessage(event: Record<string, unknown>, contentType = 'application/json; charset=utf-8'): OutgoingMessage {
  const { data, ...attributes } = event;
  return {
    key: VILLAGE,
    value: JSON.stringify(data),
    headers: {
      ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`ce_${name}`, String(value)])),
      'content-type': contentType,
    },
  };
}

/** Events as the CloudEvents spec and its Kafka binding write them, through the real broker and engine. */
describe('CloudEvents as the spec writes them', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;

  const drain = () => createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
  const extensionsOf = async (table: string, id: string) => {
    const rows = await queryRows<{ extensions: Record<string, string> }>(
      pipeline.store.client,
      `SELECT extensions FROM ${table} WHERE event_id = {id:String}`,
      { id },
    );
    return rows.map((r) => r.extensions);
  };

  beforeAll(async () => {
    pipeline = await openTestPipeline('cloudevents');
    sink = await createKafkaSink(pipeline.kafka);
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  it('loads an event carrying traceparent, as producers publish it, and keeps its extensions', async () => {
    const event = {
      ...envelope('grid-visit', 'ce-trace-1', VILLAGE, '2024-05-02T09:00:00', patrol()),
      traceparent: TRACEPARENT,
      tracestate: 'govstats=1',
      datacontenttype: 'application/json; charset=utf-8',
    };
    // What the producer hands the broker, recorded on its way to the real sink.
    const sent: OutgoingMessage[] = [];
    const recording: KafkaSink = { ...sink, send: (topic, messages) => (sent.push(...messages), sink.send(topic, messages)) };
    await publishLines([JSON.stringify(event)], recording, { topics: pipeline.config.topics });
    expect(sent.map((m) => m.headers)).toEqual([{ 'content-type': 'application/cloudevents+json' }]);
    const stats = await drain();
    expect(stats).toMatchObject({ loaded: 1, deadLettered: 0 });
    expect(await extensionsOf('grid_visits', 'ce-trace-1')).toEqual([{ traceparent: TRACEPARENT, tracestate: 'govstats=1' }]);
  });

  it('loads events in the binary content mode, with the events they record', async () => {
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const visitV2 = envelope(
      'grid-visit',
      'ce-binary-2',
      VILLAGE,
      '2024-05-03T10:00:00',
      {
        grid_id: 'G01',
        member_id: 'gm000001',
        household_id: 'hh000001',
        kind: 'hazard_check',
        started_at: '2024-05-03T09:00:00+08:00',
        ended_at: '2024-05-03T09:30:00+08:00',
        issues: [],
        hazards: [{ category: 'fire', handled: false }],
      },
      2,
    );
    await sink.send(topic, [
      binaryMessage({ ...envelope('grid-visit', 'ce-binary-1', VILLAGE, '2024-05-03T09:00:00', patrol()), traceparent: TRACEPARENT }),
      binaryMessage({ ...visitV2, traceparent: TRACEPARENT }, 'application/json'),
    ]);
    const stats = await drain();
    expect(stats).toMatchObject({ loaded: 2, deadLettered: 0 });
    expect(await extensionsOf('grid_visits', 'ce-binary-1')).toEqual([{ traceparent: TRACEPARENT }]);
    expect(await extensionsOf('hazard_events', 'ce-binary-2:hazard-1')).toEqual([{ traceparent: TRACEPARENT }]);
  });

  it('dead-letters a binary-mode event with its headers, and a replay sends it where it belongs', async () => {
    // A grid visit published on the sale topic: refused as wrong_topic; its type is only in a header.
    const event = envelope('grid-visit', 'ce-binary-3', VILLAGE, '2024-05-04T09:00:00', patrol());
    await sink.send(pipeline.config.topics.forEventType('cooperative-sale'), [binaryMessage(event)]);
    expect(await drain()).toMatchObject({ loaded: 0, deadLettered: 1 });
    const [open] = await openDeadLetters(pipeline.store);
    expect(open).toMatchObject({ reason: 'wrong_topic', eventId: 'ce-binary-3' });
    expect(open!.bindingHeaders).toMatchObject({
      ce_type: 'govstats.grid-visit.v1',
      ce_subject: VILLAGE,
      'content-type': 'application/json; charset=utf-8',
    });

    expect(await publishReplays(pipeline.config, [open!])).toBe(1);
    expect(await drain()).toMatchObject({ loaded: 1, deadLettered: 0 });
    expect(await openDeadLetters(pipeline.store)).toEqual([]);
    expect(await extensionsOf('grid_visits', 'ce-binary-3')).toEqual([{}]);
  });

  it('still reads messages without a content type, as producers sent them before', async () => {
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const plain = envelope('grid-visit', 'ce-plain-1', VILLAGE, '2024-05-05T09:00:00', patrol());
    await sink.send(topic, [{ key: VILLAGE, value: JSON.stringify(plain) }]);
    expect(await drain()).toMatchObject({ loaded: 1, deadLettered: 0 });
    const rows = await queryRows<{ event_id: string }>(
      pipeline.store.client,
      `SELECT event_id FROM grid_visits WHERE startsWith(event_id, 'ce-') ORDER BY event_id`,
    );
    expect(rows.map((r) => r.event_id)).toEqual(['ce-binary-1', 'ce-binary-2', 'ce-binary-3', 'ce-plain-1', 'ce-trace-1']);
  });
});
