export { connectClient, connectionOptionsOf, createKafka, explainKafkaFailure, type KafkaOptions } from './client.ts';
export { KafkaAccessError, kafkaConnectionOptions, type KafkaClientSecurity, type KafkaConnectionOptions } from './security.ts';
export { deleteTopics, ensureTopics, type TopicLayout } from './topics.ts';
export { createKafkaSink, type KafkaSink, type OutgoingMessage } from './sink.ts';
export {
  createBatchSource,
  SESSION_TIMEOUT_MS,
  WRITE_LEASE_MS,
  type BatchSource,
  type BatchSourceOptions,
  type SourceBatch,
  type SourceMessage,
} from './source.ts';
export { GroupActiveError, rewindGroup, type PartitionRewind } from './rewind-group.ts';
export { createWriteLease, type LeaseTiming, type WriteLease } from './write-lease.ts';
