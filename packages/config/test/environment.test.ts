import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnvironment, describeVariable, isVariableSet, loadConfig, readVariable, REPO_ROOT, VARIABLE_NAMES } from '../src/index.ts';

describe('readVariable', () => {
  it('gives the default when unset or blank', () => {
    expect(readVariable('KAFKA_PORT', {})).toBe(19092);
    expect(readVariable('KAFKA_PORT', { KAFKA_PORT: '  ' })).toBe(19092);
    expect(readVariable('GOVSTATS_HOME', {})).toBe(resolve(REPO_ROOT, '.govstats'));
    expect(readVariable('GOVSTATS_INFRA', {})).toBe('auto');
    expect(readVariable('KAFKA_LOCAL_BROKERS', {})).toBeUndefined();
  });

  it('parses and normalises a value', () => {
    expect(readVariable('KAFKA_PORT', { KAFKA_PORT: '29092' })).toBe(29092);
    expect(readVariable('GOVSTATS_HOME', { GOVSTATS_HOME: ' relative/home ' })).toBe(resolve('relative/home'));
    expect(readVariable('GOVSTATS_INFRA', { GOVSTATS_INFRA: ' Native ' })).toBe('native');
    expect(readVariable('KAFKA_BROKERS', { KAFKA_BROKERS: 'a:9092, b:9092' })).toEqual(['a:9092', 'b:9092']);
  });

  it('refuses a bad value naming the variable and the value', () => {
    expect(() => readVariable('KAFKA_PORT', { KAFKA_PORT: '99999' })).toThrow(/KAFKA_PORT="99999"/);
    expect(() => readVariable('GOVSTATS_INFRA', { GOVSTATS_INFRA: 'kubernetes' })).toThrow(/GOVSTATS_INFRA="kubernetes"/);
    expect(() => readVariable('LOG_LEVEL', { LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL="verbose"/);
  });

  it('reads process.env when called, not when imported', () => {
    const saved = process.env.KAFKA_CONTROLLER_PORT;
    try {
      process.env.KAFKA_CONTROLLER_PORT = '29093';
      expect(readVariable('KAFKA_CONTROLLER_PORT')).toBe(29093);
      delete process.env.KAFKA_CONTROLLER_PORT;
      expect(readVariable('KAFKA_CONTROLLER_PORT')).toBe(19093);
    } finally {
      if (saved === undefined) delete process.env.KAFKA_CONTROLLER_PORT;
      else process.env.KAFKA_CONTROLLER_PORT = saved;
    }
  });
});

describe('loadConfig', () => {
  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ KAFKA_PARTITIONS: '0', BULLETIN_CITIES: '4112' })).toThrow(
      /KAFKA_PARTITIONS="0"[\s\S]*BULLETIN_CITIES.0="4112"/,
    );
  });

  it('derives paths from GOVSTATS_HOME', () => {
    const config = loadConfig({ GOVSTATS_HOME: '/srv/govstats' });
    expect(config.clickhouse.dataDir).toBe('/srv/govstats/chdb');
    expect(config.bulletin.outDir).toBe('/srv/govstats/bulletins');
  });
});

describe('the rest', () => {
  it('tells whether a variable was set, so a default can depend on the situation', () => {
    expect(isVariableSet('KAFKA_REPLICATION_FACTOR', {})).toBe(false);
    expect(isVariableSet('KAFKA_REPLICATION_FACTOR', { KAFKA_REPLICATION_FACTOR: '1' })).toBe(true);
  });

  it('hands a child process our environment with overrides on top', () => {
    expect(childEnvironment({ CLASSPATH: 'a.jar', LOG_LEVEL: 'warn' }, { PATH: '/bin', LOG_LEVEL: 'info' })).toEqual({
      PATH: '/bin',
      CLASSPATH: 'a.jar',
      LOG_LEVEL: 'warn',
    });
  });

  it('documents every variable', () => {
    for (const name of VARIABLE_NAMES) expect(describeVariable(name), name).not.toBe('');
  });
});

describe('secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govstats-secret-'));
  const file = join(dir, 'password');
  writeFileSync(file, 's3cret-from-a-file\n');

  it('come from <NAME>_FILE, as Docker secrets are mounted, without the trailing newline', () => {
    expect(loadConfig({ CLICKHOUSE_PASSWORD_FILE: file }).clickhouse.password).toBe('s3cret-from-a-file');
    expect(readVariable('KAFKA_SASL_PASSWORD', { KAFKA_SASL_PASSWORD_FILE: file })).toBe('s3cret-from-a-file');
    expect(loadConfig({ SERVE_PASSWORD: 'long-enough-password' }).serve.password).toBe('long-enough-password');
  });

  it('refuse a file that cannot be read, or a value given both ways, naming the variable', () => {
    expect(() => loadConfig({ CLICKHOUSE_PASSWORD_FILE: join(dir, 'missing') })).toThrow(
      /CLICKHOUSE_PASSWORD_FILE=.*missing.*cannot read it \(ENOENT\)/,
    );
    expect(() => loadConfig({ CLICKHOUSE_PASSWORD: 'x', CLICKHOUSE_PASSWORD_FILE: file })).toThrow(
      /CLICKHOUSE_PASSWORD and CLICKHOUSE_PASSWORD_FILE are both set/,
    );
  });

  it('are never echoed in an error', () => {
    let message = '';
    try {
      loadConfig({ SERVE_PASSWORD: 'short-pw' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/SERVE_PASSWORD=\(hidden\): at least 12 characters/);
    expect(message).not.toContain('short-pw');
  });
});
