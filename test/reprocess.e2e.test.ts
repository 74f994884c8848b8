import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupActiveError, createKafkaSink, rewindGroup } from '@govstats/kafka';
import { queryRows } from '@govstats/store';
import { reconcile } from '@govstats/warehouse';
import { createIngestService, ingestTopics } from '../services/ingest/src/index.ts';
import { envelope, patrol } from './support/events.ts';
import { govstatsArgs } from './support/govstats-process.ts';
import { openTestPipeline, type TestPipeline } from './support/test-pipeline.ts';

const VILLAGE = '411224104201';
const ROUNDS = 3;
const PER_ROUND = 5;

/**
 * A deliberate reprocessing: the group's offsets moved back over batches loaded long ago. Each
 * table remembers one insert block for deduplication here, so a re-read that inserted those blocks
 * again would count every event twice; the ledger must recognise them instead.
 */
describe('reprocessing from a time (govstats ingest --from)', () => {
  let pipeline: TestPipeline;
  let startedAt: number;

  const drain = () => createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store }).drain();
  const topics = () => [...ingestTopics(pipeline.config).keys()];
  const loadedVisits = async () => {
    const [row] = await queryRows<{ rows: string; events: string }>(
      pipeline.store.client,
      'SELECT count() AS rows, uniqExact(event_id) AS events FROM grid_visits',
    );
    return { rows: Number(row!.rows), events: Number(row!.events) };
  };
  const cli = async (...args: string[]) =>
    (
      await promisify(execFile)(process.execPath, govstatsArgs(...args), {
        cwd: join(import.meta.dirname, '..'),
        env: { ...pipeline.childEnv, LOG_LEVEL: 'warn' },
      })
    ).stdout;

  beforeAll(async () => {
    pipeline = await openTestPipeline('reprocess', { dedupWindow: 1 });
    startedAt = Date.now() - 1_000;
    const sink = await createKafkaSink(pipeline.kafka);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const events = Array.from({ length: PER_ROUND }, (_, i) =>
          envelope('grid-visit', `rp-${round}-${i}`, VILLAGE, `2024-06-0${round + 1}T09:0${i}:00`, patrol()),
        );
        await sink.send(
          pipeline.config.topics.forEventType('grid-visit'),
          events.map((e) => ({ key: VILLAGE, value: JSON.stringify(e) })),
        );
        expect(await drain()).toMatchObject({ loaded: PER_ROUND });
      }
    } finally {
      await sink.close();
    }
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('refuses to move the offsets of a group that is consuming', async () => {
    const running = createIngestService({ config: pipeline.config, kafka: pipeline.kafka, store: pipeline.store });
    await running.start();
    try {
      await expect(rewindGroup(pipeline.kafka, pipeline.config.ingest.groupId, topics(), startedAt)).rejects.toThrow(GroupActiveError);
    } finally {
      await running.stop();
    }
  });

  it('says what --from would move without moving it', async () => {
    const out = await cli('ingest', '--from', new Date(startedAt).toISOString(), '--dry-run');
    expect(out).toMatch(new RegExp(`would move consumer group .* ${ROUNDS * PER_ROUND} messages on 1 partitions to read again`));
    const moves = await rewindGroup(pipeline.kafka, pipeline.config.ingest.groupId, topics(), startedAt, { dryRun: true });
    expect(moves).toEqual([expect.objectContaining({ reread: ROUNDS * PER_ROUND })]);
  });

  it('reads every message again and counts each event once, long after its insert left the deduplication window', async () => {
    const out = await cli('ingest', '--from', new Date(startedAt).toISOString(), '--until-idle');
    expect(out).toMatch(new RegExp(`moved consumer group .* ${ROUNDS * PER_ROUND} messages on 1 partitions to read again`));
    const stats = JSON.parse(out.trim().split('\n').at(-1)!) as { messages: number; loaded: number; duplicates: number };
    expect(stats).toMatchObject({ messages: ROUNDS * PER_ROUND, loaded: 0, duplicates: ROUNDS * PER_ROUND });
    expect(await loadedVisits()).toEqual({ rows: ROUNDS * PER_ROUND, events: ROUNDS * PER_ROUND });
    expect(await reconcile(pipeline.store, { from: '2024-06-01', to: '2024-06-30' })).toEqual([]);
  });

  it('counts an event once however often its range is read again, also one the first reading refused', async () => {
    const topic = pipeline.config.topics.forEventType('grid-visit');
    const NEW_VILLAGE = '411224104298';
    const sink = await createKafkaSink(pipeline.kafka);
    const dir = mkdtempSync(join(tmpdir(), 'govstats-reprocess-'));
    try {
      const since = new Date(Date.now()).toISOString();
      const late = envelope('grid-visit', 'rp-new-village', NEW_VILLAGE, '2024-06-20T09:00:00', patrol());
      await sink.send(topic, [{ key: VILLAGE, value: JSON.stringify(late) }]);
      expect(await drain()).toMatchObject({ loaded: 0, deadLettered: 1 });

      // The village enters the catalogue; reading the range again loads the event it refused.
      const csv = join(dir, 'additions.csv');
      writeFileSync(csv, `统计用区划代码,城乡分类代码,名称\n${NEW_VILLAGE},220,新设村委会\n`);
      await cli('divisions', 'load', csv, '--edition', 'reprocess-additions');
      const first = await cli('ingest', '--from', since, '--until-idle');
      expect(JSON.parse(first.trim().split('\n').at(-1)!)).toMatchObject({ messages: 1, loaded: 1 });

      // Another block pushes that insert out of the one-block deduplication window; then a second re-read.
      const after = envelope('grid-visit', 'rp-after', VILLAGE, '2024-06-21T09:00:00', patrol());
      await sink.send(topic, [{ key: VILLAGE, value: JSON.stringify(after) }]);
      expect(await drain()).toMatchObject({ loaded: 1 });
      const second = await cli('ingest', '--from', since, '--until-idle');
      expect(JSON.parse(second.trim().split('\n').at(-1)!)).toMatchObject({ messages: 2, loaded: 0, duplicates: 2 });
      const [row] = await queryRows<{ n: string }>(
        pipeline.store.client,
        "SELECT count() AS n FROM grid_visits WHERE event_id IN ('rp-new-village', 'rp-after')",
      );
      expect(Number(row!.n)).toBe(2);
    } finally {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves nothing forward: a group that has read nothing since the time stays where it is', async () => {
    expect(await rewindGroup(pipeline.kafka, pipeline.config.ingest.groupId, topics(), Date.now() + 60_000)).toEqual([]);
    expect(await drain()).toMatchObject({ messages: 0 });
  });
});
