export { resolveInfrastructure } from './resolve-infrastructure.ts';
export type { Infrastructure, ResolveInfrastructureOptions, KafkaOrigin, ClickHouseOrigin } from './resolve-infrastructure.ts';

export { startKafka, stopKafka, kafkaStatus, kafkaNodes, resetKafkaData } from './kafka/broker.ts';
export type { StartKafkaOptions, KafkaClusterOptions, KafkaBroker, KafkaStatus, KafkaNodeStatus, StopKafkaResult } from './kafka/broker.ts';
export { startKafkaNode, stopKafkaNode } from './kafka/node-control.ts';
export type { StartKafkaNodeOptions, StartedKafkaNode, StopKafkaNodeOptions, StopKafkaNodeResult } from './kafka/node-control.ts';
export { MAX_LOCAL_NODES } from './kafka/node-layout.ts';
export { ensureKafkaClasspath } from './kafka/artifacts.ts';
export { kafkaSettings, DEFAULT_KAFKA_PORT, DEFAULT_KAFKA_CONTROLLER_PORT } from './kafka/settings.ts';
export type { KafkaPortOptions, KafkaSettings } from './kafka/settings.ts';
export { probeKafka, type KafkaProbeResult, type ProbeClientOptions } from './kafka/health.ts';
export type { LocalKafkaSecurity, ScramUser } from './kafka/security.ts';
export { KAFKA_VERSION, KAFKA_DOCKER_IMAGE } from './kafka/version.ts';
export { CLICKHOUSE_DOCKER_IMAGE } from './docker/clickhouse-container.ts';
export { isDockerAvailable } from './docker/docker-runtime.ts';
export { govstatsHome, repoRoot } from './paths.ts';
