import { describe, expect, it } from 'vitest';
import { parseListenerPort, renderServerProperties, type BrokerEndpoints } from '../src/kafka/broker-config.ts';
import { scramFormatArguments, type LocalKafkaSecurity } from '../src/kafka/security.ts';

/*
 * The secure mode's server.properties and kafka-storage arguments (a broker started with them,
 * clients authenticating and ACLs enforced, is in test/kafka-security.e2e.test.ts).
 */

const node: BrokerEndpoints = { id: 1, host: '127.0.0.1', port: 39092, controllerPort: 39093, dataDir: '/data' };
const security: LocalKafkaSecurity = {
  keystoreFile: '/tls/broker.p12',
  keystorePassword: 'store-pass',
  caFile: '/tls/ca.pem',
  admin: { name: 'govstats-admin', password: 'admin-pass-1' },
  users: [{ name: 'producer', password: 'producer-pass' }],
};

function properties(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );
}

describe('local broker secure mode', () => {
  it('leaves the default broker PLAINTEXT, without SASL, TLS or an authorizer', () => {
    const text = renderServerProperties(node, [node]);
    const p = properties(text);
    expect(p.get('listeners')).toBe('PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093');
    expect(p.get('listener.security.protocol.map')).toBe('PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT');
    expect(text).not.toMatch(/sasl|ssl\.|authorizer|super\.users/);
  });

  it('serves clients SASL_SSL with SCRAM-SHA-512 from a PKCS12 keystore, and enforces ACLs', () => {
    const p = properties(renderServerProperties(node, [node], security));
    expect(p.get('listeners')).toBe('SASL_SSL://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093');
    expect(p.get('advertised.listeners')).toBe('SASL_SSL://127.0.0.1:39092');
    expect(p.get('listener.name.sasl_ssl.sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
    expect(p.get('inter.broker.listener.name')).toBe('SASL_SSL');
    expect(p.get('ssl.keystore.type')).toBe('PKCS12');
    expect(p.get('ssl.keystore.location')).toBe('/tls/broker.p12');
    expect(p.get('ssl.truststore.location')).toBe('/tls/ca.pem');
    expect(p.get('authorizer.class.name')).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(p.get('super.users')).toBe('User:govstats-admin');
    expect(p.get('allow.everyone.if.no.acl.found')).toBe('false');
    expect(p.get('listener.security.protocol.map')).not.toContain('PLAINTEXT');
  });

  it('finds the client port of a secure broker, as it does of a plaintext one', () => {
    expect(parseListenerPort(renderServerProperties(node, [node], security))).toBe(39092);
    expect(parseListenerPort(renderServerProperties(node, [node], security), 'CONTROLLER')).toBe(39093);
    expect(parseListenerPort(renderServerProperties(node, [node]))).toBe(39092);
  });

  it("creates every user's SCRAM-SHA-512 credentials with kafka-storage format", () => {
    expect(scramFormatArguments(security)).toEqual([
      '--add-scram',
      'SCRAM-SHA-512=[name=govstats-admin,password=admin-pass-1]',
      '--add-scram',
      'SCRAM-SHA-512=[name=producer,password=producer-pass]',
    ]);
  });

  it('refuses a password the config syntax cannot carry, without echoing it', () => {
    const bad = { ...security, users: [{ name: 'producer', password: 'has,comma]"quote' }] };
    expect(() => scramFormatArguments(bad)).toThrow('the password of producer must be 8–128 characters');
    expect(() => scramFormatArguments(bad)).not.toThrow(/comma/);
    expect(() => scramFormatArguments({ ...security, admin: { name: 'bad name', password: 'admin-pass-1' } })).toThrow(
      'admin name "bad name"',
    );
  });
});
