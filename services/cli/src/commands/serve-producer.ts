import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type Config } from '@govstats/config';
import { connectionOptionsOf, createKafkaSink, type KafkaSink } from '@govstats/kafka';
import { probeKafka } from '@govstats/local-infra';
import { createLogger } from '@govstats/log';
import { loadCallers, startProducerService, type CallerRegistry, type ProducerService } from '@govstats/producer';
import type { Kafka } from 'kafkajs';
import { UsageError, config, connectKafka, createTopics, kafkaBrokers } from '../runtime.ts';

export const usage = `govstats serve-producer
  The producer service: other systems (the grid members' app, a 12345 hotline platform, a sign-in
  kiosk) POST CloudEvents over HTTP — structured, binary or batched — to /events or
  /events/<event type> on PRODUCER_HOST:PRODUCER_PORT (default 127.0.0.1:8088). Each event is
  checked against its contract and the caller's rights at once (422/403 naming the field), and
  answered 202 only once Kafka acknowledged it (acks=all); 429/503 with Retry-After when Kafka is
  slow or down. Callers and their hashed keys: PRODUCER_CALLERS_FILE (\`govstats producer-key\`).
  /healthz, /metrics and the OpenAPI description at /openapi.json. Runs until SIGINT/SIGTERM,
  answering every request in hand before it exits.`;

const log = createLogger('cli.serve-producer');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'services', 'producer', 'package.json'), 'utf8')) as { version: string }).version;

/** The service on Kafka `kafka` with cfg's settings: its topics made, its own sink (closed after the service). */
export async function startProducerServiceOn(
  cfg: Config,
  kafka: Kafka,
  callers: CallerRegistry,
): Promise<{ service: ProducerService; sink: KafkaSink }> {
  await createTopics(cfg, kafka);
  const sink = await createKafkaSink(kafka, { maxBlockMs: cfg.producer.sendTimeoutMs });
  const brokers = kafkaBrokers(cfg);
  const service = await startProducerService({
    sink,
    topics: cfg.topics,
    callers,
    ...cfg.producer,
    maxEventBytes: cfg.ingest.maxEventBytes,
    futureToleranceMs: cfg.ingest.futureToleranceMs,
    probe: async () => (await probeKafka(brokers, 2_000, connectionOptionsOf(kafka))).healthy,
    version: VERSION,
  });
  return { service, sink };
}

export async function run(): Promise<number> {
  const cfg = config();
  if (!cfg.producer.callersFile) {
    throw new UsageError(
      'set PRODUCER_CALLERS_FILE to the YAML of the systems that may post events (`govstats producer-key` makes an entry)',
    );
  }
  let callers;
  try {
    callers = loadCallers(cfg.producer.callersFile);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const kafka = await connectKafka(cfg, 60_000);
  const { service, sink } = await startProducerServiceOn(cfg, kafka, callers);
  log.info({ url: service.url, openapi: `${service.url}/openapi.json` }, 'producer service up');
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'shutting down: answering the requests in hand');
  await service.close();
  await sink.close();
  return 0;
}
