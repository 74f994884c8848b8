import { CompressionTypes, type IHeaders, type Kafka, type Producer } from 'kafkajs';

export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string;
  headers?: IHeaders;
}

/**
 * The producing side of the Kafka seam. Idempotent producer, acks from all in-sync replicas:
 * a message the broker acknowledged is on every replica and a retried send is not duplicated.
 */
export interface KafkaSink {
  /** Sends and waits for the broker's acknowledgement; resolves with the number acknowledged. */
  send(topic: string, messages: OutgoingMessage[]): Promise<number>;
  close(): Promise<void>;
}

export async function createKafkaSink(kafka: Kafka): Promise<KafkaSink> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 200 },
  });
  await producer.connect();
  return {
    async send(topic, messages) {
      if (messages.length === 0) return 0;
      const metadata = await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      for (const partition of metadata) {
        if (partition.errorCode !== 0) throw new Error(`broker refused messages for ${topic}[${partition.partition}]: error code ${partition.errorCode}`);
      }
      return messages.length;
    },
    close: () => producer.disconnect(),
  };
}
