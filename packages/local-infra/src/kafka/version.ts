/**
 * The one Kafka release used everywhere: the Maven classpath (infra/kafka/pom.xml, property
 * kafka.version — checked against this value when the classpath is resolved) and the
 * apache/kafka Docker image.
 */
export const KAFKA_VERSION = '4.3.1';

export const KAFKA_DOCKER_IMAGE = `apache/kafka:${KAFKA_VERSION}`;
