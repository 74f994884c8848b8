import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaSink, type KafkaSink } from '@govstats/kafka';
import { EVENT_TYPES, validateEvent } from '@govstats/schemas';
import { createEventProducer } from '../src/index.ts';
import { openTestPipeline, type TestPipeline } from '../../../test/support/test-pipeline.ts';

const gridVisit = EVENT_TYPES.find((t) => t.name === 'grid-visit')!;
const record = (id: string, minutes: number) => ({
  id,
  subject: '411224104201',
  time: Date.parse('2024-03-01T09:00:00+08:00'),
  data: { grid_id: 'G01', member_id: 'gm000001', household_id: null, kind: 'patrol', issues_found: 0, hazards_found: 0, duration_minutes: minutes },
});

describe('the grid-visit producer service on the real broker', () => {
  let pipeline: TestPipeline;
  let sink: KafkaSink;
  const topic = () => pipeline.config.topics.forEventType('grid-visit');

  beforeAll(async () => {
    pipeline = await openTestPipeline('producer');
    sink = await createKafkaSink(pipeline.kafka);
  });

  afterAll(async () => {
    await sink?.close();
    await pipeline?.close();
  });

  it('publishes enveloped events keyed by village code, all acknowledged', async () => {
    const producer = createEventProducer(gridVisit, sink, { topic: topic(), source: 'urn:test', version: 1 });
    expect(await producer.publish([record('p-1', 30), record('p-2', 45)])).toBe(2);

    const consumer = pipeline.kafka.consumer({ groupId: `${pipeline.config.ingest.groupId}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topic(), fromBeginning: true });
    const received: { key: string; value: unknown }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) });
          if (received.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(received.map((r) => r.key)).toEqual(['411224104201', '411224104201']);
    for (const { value } of received) expect(validateEvent(value)).toMatchObject({ ok: true, version: 1 });
    expect(received.map((r) => (r.value as { time: string }).time)).toEqual(['2024-03-01T09:00:00.000+08:00', '2024-03-01T09:00:00.000+08:00']);
  });

  it('refuses a batch with a record that breaks the contract and sends none of it', async () => {
    const producer = createEventProducer(gridVisit, sink, { topic: topic(), source: 'urn:test', version: 1 });
    await expect(producer.publish([record('p-3', 30), record('p-4', 0)])).rejects.toThrow(/p-4 breaks contract v1: data.duration_minutes/);
    const admin = pipeline.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic());
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(2);
  });
});
