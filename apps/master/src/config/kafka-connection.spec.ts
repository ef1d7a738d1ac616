import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { kafkaClientConfig } from '@cairn/eventlog/kafka/kafka-client';
import { loadConfig } from './cairn-config';
import { kafkaConnection } from './kafka-connection';
import { describeKafkaSecurity } from './kafka-security';

describe('Kafka TLS and SASL from the environment', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const base = { CAIRN_LOG: 'kafka', KAFKA_BROKERS: 'k1:9093,k2:9093' };
  const load = (env: Record<string, string>) => loadConfig({ ...base, ...env });

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-kafka-security-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without any setting: plaintext, no SASL (the brokers only)', () => {
    expect(kafkaConnection(load({}))).toEqual({ brokers: ['k1:9093', 'k2:9093'] });
  });

  it('CAIRN_KAFKA_SSL=true alone: TLS with the system CAs, certificates verified', () => {
    expect(kafkaConnection(load({ CAIRN_KAFKA_SSL: 'true' })).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('reads the CA, client certificate and key files into the TLS options', () => {
    const config = load({
      CAIRN_KAFKA_SSL: 'true',
      CAIRN_KAFKA_SSL_CA_FILE: file('ca.pem', 'CA-PEM'),
      CAIRN_KAFKA_SSL_CERT_FILE: file('cert.pem', 'CERT-PEM'),
      CAIRN_KAFKA_SSL_KEY_FILE: file('key.pem', 'KEY-PEM'),
      CAIRN_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
    });
    expect(kafkaConnection(config).ssl).toEqual({
      rejectUnauthorized: false,
      ca: ['CA-PEM'],
      cert: 'CERT-PEM',
      key: 'KEY-PEM',
    });
  });

  it.each(['plain', 'scram-sha-256', 'SCRAM-SHA-512'])('SASL %s with an inline password', (mechanism) => {
    const config = load({
      CAIRN_KAFKA_SASL_MECHANISM: mechanism,
      CAIRN_KAFKA_SASL_USERNAME: 'cairn',
      CAIRN_KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(kafkaConnection(config).sasl).toEqual({
      mechanism: mechanism.toLowerCase(),
      username: 'cairn',
      password: 's3cret',
    });
  });

  it('a password file loses its trailing newline', () => {
    const config = load({
      CAIRN_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      CAIRN_KAFKA_SASL_USERNAME: 'cairn',
      CAIRN_KAFKA_SASL_PASSWORD_FILE: file('password', 'from-file\n'),
    });
    expect(kafkaConnection(config).sasl).toMatchObject({ password: 'from-file' });
  });

  it('the kafkajs config gets brokers, ssl and sasl as built', () => {
    const config = load({
      CAIRN_KAFKA_SSL: 'true',
      CAIRN_KAFKA_SASL_MECHANISM: 'plain',
      CAIRN_KAFKA_SASL_USERNAME: 'u',
      CAIRN_KAFKA_SASL_PASSWORD: 'p',
    });
    const kafkajs = kafkaClientConfig(kafkaConnection(config), 'cairn-test', undefined);
    expect(kafkajs).toMatchObject({
      clientId: 'cairn-test',
      brokers: ['k1:9093', 'k2:9093'],
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
    expect(kafkaClientConfig({ brokers: ['b:1'] }, 'c', undefined)).not.toHaveProperty('ssl');
    expect(kafkaClientConfig({ brokers: ['b:1'] }, 'c', undefined)).not.toHaveProperty('sasl');
  });

  it('the password and key never show in the config as printed, inspected or described', () => {
    const config = load({
      CAIRN_KAFKA_SSL: 'true',
      CAIRN_KAFKA_SSL_CERT_FILE: file('cert.pem', 'CERT-PEM'),
      CAIRN_KAFKA_SSL_KEY_FILE: file('key.pem', 'PRIVATE-KEY-PEM'),
      CAIRN_KAFKA_SASL_MECHANISM: 'scram-sha-256',
      CAIRN_KAFKA_SASL_USERNAME: 'cairn',
      CAIRN_KAFKA_SASL_PASSWORD: 'hunter2-password',
    });
    for (const shown of [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      `${String(config.kafkaSecurity.sasl?.password)}`,
      describeKafkaSecurity(config.kafkaSecurity),
    ]) {
      expect(shown).not.toContain('hunter2-password');
      expect(shown).not.toContain('PRIVATE-KEY-PEM');
    }
    expect(describeKafkaSecurity(config.kafkaSecurity)).toBe(
      `TLS (CA: system, client certificate ${join(dir, 'cert.pem')}), SASL scram-sha-256 as 'cairn'`,
    );
  });

  const refusals: { name: string; env: Record<string, string>; message: RegExp }[] = [
    {
      name: 'a CA file without CAIRN_KAFKA_SSL=true',
      env: { CAIRN_KAFKA_SSL_CA_FILE: '/etc/ca.pem' },
      message: /CAIRN_KAFKA_SSL_CA_FILE is set but CAIRN_KAFKA_SSL is not 'true'/,
    },
    {
      name: 'a verification setting without TLS',
      env: { CAIRN_KAFKA_SSL: 'false', CAIRN_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' },
      message: /CAIRN_KAFKA_SSL_REJECT_UNAUTHORIZED is set but CAIRN_KAFKA_SSL is not 'true'/,
    },
    {
      name: 'a bad boolean',
      env: { CAIRN_KAFKA_SSL: 'yes' },
      message: /CAIRN_KAFKA_SSL 'yes' must be 'true' or 'false'/,
    },
    {
      name: 'a certificate without its key',
      env: { CAIRN_KAFKA_SSL: 'true', CAIRN_KAFKA_SSL_CERT_FILE: '/etc/cert.pem' },
      message: /CAIRN_KAFKA_SSL_CERT_FILE and CAIRN_KAFKA_SSL_KEY_FILE go together/,
    },
    {
      name: 'a CA file that does not exist',
      env: { CAIRN_KAFKA_SSL: 'true', CAIRN_KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' },
      message: /CAIRN_KAFKA_SSL_CA_FILE '\/nonexistent\/ca.pem' cannot be read \(ENOENT\)/,
    },
    {
      name: 'an unknown mechanism',
      env: { CAIRN_KAFKA_SASL_MECHANISM: 'gssapi', CAIRN_KAFKA_SASL_USERNAME: 'u', CAIRN_KAFKA_SASL_PASSWORD: 'p' },
      message: /CAIRN_KAFKA_SASL_MECHANISM 'gssapi' must be one of plain, scram-sha-256, scram-sha-512/,
    },
    {
      name: 'a user and password without a mechanism',
      env: { CAIRN_KAFKA_SASL_USERNAME: 'u', CAIRN_KAFKA_SASL_PASSWORD: 'p' },
      message: /CAIRN_KAFKA_SASL_USERNAME, CAIRN_KAFKA_SASL_PASSWORD are set but CAIRN_KAFKA_SASL_MECHANISM is not/,
    },
    {
      name: 'a mechanism without a user',
      env: { CAIRN_KAFKA_SASL_MECHANISM: 'plain', CAIRN_KAFKA_SASL_PASSWORD: 'p' },
      message: /needs CAIRN_KAFKA_SASL_USERNAME/,
    },
    {
      name: 'a mechanism without a password',
      env: { CAIRN_KAFKA_SASL_MECHANISM: 'plain', CAIRN_KAFKA_SASL_USERNAME: 'u' },
      message: /needs CAIRN_KAFKA_SASL_PASSWORD_FILE \(or CAIRN_KAFKA_SASL_PASSWORD\)/,
    },
    {
      name: 'two passwords',
      env: {
        CAIRN_KAFKA_SASL_MECHANISM: 'plain',
        CAIRN_KAFKA_SASL_USERNAME: 'u',
        CAIRN_KAFKA_SASL_PASSWORD: 'p',
        CAIRN_KAFKA_SASL_PASSWORD_FILE: '/run/secrets/p',
      },
      message: /CAIRN_KAFKA_SASL_PASSWORD or CAIRN_KAFKA_SASL_PASSWORD_FILE, not both/,
    },
  ];

  it.each(refusals)('refuses $name, naming the variables', ({ env, message }) => {
    expect(() => load(env)).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringMatching(message) }),
    );
  });

  it('an empty password file is refused without showing anything of it', () => {
    const path = file('empty', '\n');
    expect(() =>
      load({
        CAIRN_KAFKA_SASL_MECHANISM: 'plain',
        CAIRN_KAFKA_SASL_USERNAME: 'u',
        CAIRN_KAFKA_SASL_PASSWORD_FILE: path,
      }),
    ).toThrow(`the SASL password from ${path} is empty`);
  });
});
