export { createKafka, type KafkaOptions } from './client.ts';
export { deleteTopics, ensureTopics, type TopicLayout } from './topics.ts';
export { createKafkaSink, type KafkaSink, type OutgoingMessage } from './sink.ts';
export { createBatchSource, type BatchSource, type BatchSourceOptions, type SourceBatch, type SourceMessage } from './source.ts';
