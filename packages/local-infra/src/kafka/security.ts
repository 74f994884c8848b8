import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';

/**
 * The local broker's secure mode: clients authenticate with SCRAM-SHA-512 over TLS (SASL_SSL),
 * and an authorizer lets them do only what ACLs allow. For tests and for trying ACLs out before
 * a real cluster; the default local broker stays PLAINTEXT.
 */

export interface ScramUser {
  name: string;
  password: string;
}

export interface LocalKafkaSecurity {
  /** PKCS12 keystore with the broker's private key and its certificate (issued for 127.0.0.1), signed by `caFile`'s CA. */
  keystoreFile: string;
  keystorePassword: string;
  /** PEM of the CA that signed the broker certificate: nodes trust it when they talk to each other, and so does the health probe. */
  caFile: string;
  /**
   * The nodes' own user: a super user (exempt from ACLs) that they authenticate to each other
   * with, and that the health probe uses. Create ACLs and topics with it.
   */
  admin: ScramUser;
  /**
   * Further SCRAM-SHA-512 users. They are written into the metadata when the data dir is formatted
   * (kafka-storage format --add-scram), so they exist from the first start; users for a data dir
   * formatted earlier are added with kafka-configs (infra/kafka/SECURITY.md).
   */
  users?: ScramUser[];
}

/** The client listener's name and protocol in secure mode (the controller listener keeps its name). */
export const SECURE_CLIENT_LISTENER = 'SASL_SSL';

const SCRAM = 'SCRAM-SHA-512';
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Safe inside a JAAS string and in kafka-storage's `[name=…,password=…]` syntax. */
const PASSWORD = /^[A-Za-z0-9._~@#%^&*()+-]{8,128}$/;

/** Rejects users the broker's config syntax could not carry, without echoing any password. */
export function checkSecurity(security: LocalKafkaSecurity): LocalKafkaSecurity {
  for (const [what, user] of [['admin', security.admin] as const, ...(security.users ?? []).map((u) => ['user', u] as const)]) {
    if (!NAME.test(user.name)) throw new Error(`local Kafka security: ${what} name ${JSON.stringify(user.name)} must match ${NAME}`);
    if (!PASSWORD.test(user.password)) {
      throw new Error(
        `local Kafka security: the password of ${user.name} must be 8–128 characters of A–Z a–z 0–9 . _ ~ @ # % ^ & * ( ) + -`,
      );
    }
  }
  if (!security.keystorePassword) throw new Error('local Kafka security: keystorePassword is empty');
  return security;
}

/** server.properties entries for a SASL_SSL client listener, SASL_SSL between nodes and the ACL authorizer. */
export function secureBrokerSettings(security: LocalKafkaSecurity): Record<string, string> {
  const { admin } = checkSecurity(security);
  const credentials = `username="${admin.name}" password="${admin.password}"`;
  return {
    'listener.security.protocol.map': `${SECURE_CLIENT_LISTENER}:SASL_SSL,CONTROLLER:SASL_SSL`,
    'inter.broker.listener.name': SECURE_CLIENT_LISTENER,
    // Clients and nodes: SCRAM, whose credentials live in the cluster metadata.
    'sasl.mechanism.inter.broker.protocol': SCRAM,
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': SCRAM,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required ${credentials};`,
    // KRaft controllers cannot use SCRAM (they would need the metadata to authenticate the nodes that
    // bring it), so nodes reach the controller with PLAIN over TLS as the same admin user.
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required ${credentials} user_${admin.name}="${admin.password}";`,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': security.keystoreFile,
    'ssl.keystore.password': security.keystorePassword,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': security.caFile,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:${admin.name}`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** `kafka-storage format` arguments that create every user's SCRAM-SHA-512 credentials. */
export function scramFormatArguments(security: LocalKafkaSecurity): string[] {
  const { admin, users = [] } = checkSecurity(security);
  return [admin, ...users].flatMap((user) => ['--add-scram', `${SCRAM}=[name=${user.name},password=${user.password}]`]);
}

/** KafkaJS options for the health probe: the admin user, trusting the local CA. */
export function probeClientOptions(security: LocalKafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security) return {};
  return {
    ssl: { ca: [readFileSync(security.caFile, 'utf8')], rejectUnauthorized: true },
    sasl: { mechanism: 'scram-sha-512', username: security.admin.name, password: security.admin.password },
  };
}
