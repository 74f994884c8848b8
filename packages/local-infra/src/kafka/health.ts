import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

/** TLS and SASL settings for probing a secure listener; none for a plaintext one. */
export type ProbeClientOptions = Pick<KafkaConfig, 'ssl' | 'sasl'>;

export interface KafkaProbeResult {
  healthy: boolean;
  clusterId?: string;
  /** Ids of the live (registered, unfenced) brokers the answering broker knows of. */
  brokerIds?: number[];
  /** Why the probe failed, for logs and error messages. */
  error?: string;
  /** What the probe failed with, for callers that tell a broker that is away from one that refuses them. */
  failure?: unknown;
}

/**
 * Whether the cluster serves: the first of `brokers` that answers says so. Each is asked in turn,
 * so one broker of a cluster being down (a failover, a restart) does not make the cluster look
 * down to every command that starts meanwhile.
 */
export async function probeKafka(brokers: string[], timeoutMs = 5_000, client: ProbeClientOptions = {}): Promise<KafkaProbeResult> {
  let result: KafkaProbeResult = { healthy: false, error: 'no broker to ask' };
  for (const broker of brokers) {
    result = await probeBroker(broker, timeoutMs, client);
    if (result.healthy) return result;
  }
  return result;
}

/**
 * One cheap round trip (connect + DescribeCluster). A broker only opens its client listener once
 * it has caught up with the metadata log and is unfenced, so an answer means it can serve.
 */
async function probeBroker(broker: string, timeoutMs: number, client: ProbeClientOptions): Promise<KafkaProbeResult> {
  const brokers = [broker];
  const kafka = new Kafka({
    ...client,
    clientId: 'govstats-health-probe',
    brokers,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    // Refused connections are expected while the broker starts; they are not worth logging.
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return { healthy: false, error: 'cluster reports no live brokers' };
    const brokerIds = cluster.brokers.map((broker) => broker.nodeId).sort((a, b) => a - b);
    return { healthy: true, clusterId: cluster.clusterId, brokerIds };
  } catch (error) {
    return { healthy: false, error: error instanceof Error ? error.message : String(error), failure: error };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
