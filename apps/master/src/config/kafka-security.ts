import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError } from './config-error';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/**
 * A value that must never reach a log line: printing, JSON and util.inspect all show
 * `[redacted]`; only `reveal()` gives it (to kafkajs, in kafka-connection.ts).
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

/** TLS to the brokers; the PEM files are read once at start. */
export interface KafkaTls {
  /** PEM of the CA(s) that signed the brokers' certificates; absent: Node's default CAs. */
  readonly ca?: string;
  /** Client certificate and key (mutual TLS); both or neither. */
  readonly cert?: string;
  readonly key?: Secret;
  /** Verify the brokers' certificates (default true; false only for a test cluster). */
  readonly rejectUnauthorized: boolean;
  /** The files, for messages. */
  readonly files: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

export interface KafkaSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: Secret;
  /** Where the password came from (the variable or the file), for messages; never the password. */
  readonly passwordFrom: string;
}

/** TLS and SASL to the brokers; null when not configured (plaintext, no authentication). */
export interface KafkaSecurity {
  readonly tls: KafkaTls | null;
  readonly sasl: KafkaSasl | null;
}

const TLS_FILE_VARS = ['CAIRN_KAFKA_SSL_CA_FILE', 'CAIRN_KAFKA_SSL_CERT_FILE', 'CAIRN_KAFKA_SSL_KEY_FILE'] as const;

/**
 * Reads CAIRN_KAFKA_SSL* and CAIRN_KAFKA_SASL* (docs/operations.md, "Production Kafka"). A
 * combination that cannot be meant (a CA file without CAIRN_KAFKA_SSL=true, a certificate
 * without its key, a user without a mechanism, two passwords) stops the start with a
 * ConfigError naming the variables. Files are read here, so a missing one fails at once.
 */
export function loadKafkaSecurity(env: NodeJS.ProcessEnv): KafkaSecurity {
  return { tls: loadTls(env), sasl: loadSasl(env) };
}

function loadTls(env: NodeJS.ProcessEnv): KafkaTls | null {
  const enabled = parseBoolean('CAIRN_KAFKA_SSL', env.CAIRN_KAFKA_SSL, false);
  const set: string[] = [...TLS_FILE_VARS, 'CAIRN_KAFKA_SSL_REJECT_UNAUTHORIZED'].filter(
    (name) => nonEmpty(env[name]) !== undefined,
  );
  if (!enabled) {
    if (set.length > 0) {
      throw new ConfigError(`${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set but CAIRN_KAFKA_SSL is not 'true'`);
    }
    return null;
  }
  const caFile = nonEmpty(env.CAIRN_KAFKA_SSL_CA_FILE);
  const certFile = nonEmpty(env.CAIRN_KAFKA_SSL_CERT_FILE);
  const keyFile = nonEmpty(env.CAIRN_KAFKA_SSL_KEY_FILE);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(
      'CAIRN_KAFKA_SSL_CERT_FILE and CAIRN_KAFKA_SSL_KEY_FILE go together (a client certificate needs its key)',
    );
  }
  const key = keyFile === undefined ? undefined : new Secret(readConfigFile('CAIRN_KAFKA_SSL_KEY_FILE', keyFile));
  return {
    ...(caFile !== undefined && { ca: readConfigFile('CAIRN_KAFKA_SSL_CA_FILE', caFile) }),
    ...(certFile !== undefined && { cert: readConfigFile('CAIRN_KAFKA_SSL_CERT_FILE', certFile) }),
    ...(key !== undefined && { key }),
    rejectUnauthorized: parseBoolean(
      'CAIRN_KAFKA_SSL_REJECT_UNAUTHORIZED',
      env.CAIRN_KAFKA_SSL_REJECT_UNAUTHORIZED,
      true,
    ),
    files: { ca: caFile, cert: certFile, key: keyFile },
  };
}

function loadSasl(env: NodeJS.ProcessEnv): KafkaSasl | null {
  const rawMechanism = nonEmpty(env.CAIRN_KAFKA_SASL_MECHANISM);
  const username = nonEmpty(env.CAIRN_KAFKA_SASL_USERNAME);
  const inline = env.CAIRN_KAFKA_SASL_PASSWORD;
  const passwordFile = nonEmpty(env.CAIRN_KAFKA_SASL_PASSWORD_FILE);
  if (rawMechanism === undefined) {
    const set = [
      username !== undefined && 'CAIRN_KAFKA_SASL_USERNAME',
      inline !== undefined && inline !== '' && 'CAIRN_KAFKA_SASL_PASSWORD',
      passwordFile !== undefined && 'CAIRN_KAFKA_SASL_PASSWORD_FILE',
    ].filter(Boolean);
    if (set.length > 0) {
      throw new ConfigError(
        `${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set but CAIRN_KAFKA_SASL_MECHANISM is not (one of ${SASL_MECHANISMS.join(', ')})`,
      );
    }
    return null;
  }
  const mechanism = rawMechanism.toLowerCase();
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new ConfigError(`CAIRN_KAFKA_SASL_MECHANISM '${rawMechanism}' must be one of ${SASL_MECHANISMS.join(', ')}`);
  }
  if (username === undefined) {
    throw new ConfigError(`CAIRN_KAFKA_SASL_MECHANISM=${mechanism} needs CAIRN_KAFKA_SASL_USERNAME`);
  }
  if (inline !== undefined && inline !== '' && passwordFile !== undefined) {
    throw new ConfigError('set CAIRN_KAFKA_SASL_PASSWORD or CAIRN_KAFKA_SASL_PASSWORD_FILE, not both');
  }
  let password: string;
  let passwordFrom: string;
  if (passwordFile !== undefined) {
    // A secret mounted as a file usually ends with a newline that is not part of the password.
    password = readConfigFile('CAIRN_KAFKA_SASL_PASSWORD_FILE', passwordFile).replace(/\r?\n$/, '');
    passwordFrom = passwordFile;
  } else if (inline !== undefined && inline !== '') {
    password = inline;
    passwordFrom = 'CAIRN_KAFKA_SASL_PASSWORD';
  } else {
    throw new ConfigError(
      `CAIRN_KAFKA_SASL_MECHANISM=${mechanism} needs CAIRN_KAFKA_SASL_PASSWORD_FILE (or CAIRN_KAFKA_SASL_PASSWORD)`,
    );
  }
  if (password === '') throw new ConfigError(`the SASL password from ${passwordFrom} is empty`);
  return { mechanism: mechanism as SaslMechanism, username, password: new Secret(password), passwordFrom };
}

/** What a start-up log line may say about the connection: files and user, never a key or password. */
export function describeKafkaSecurity(security: KafkaSecurity): string {
  const parts: string[] = [];
  if (security.tls) {
    const { files, rejectUnauthorized } = security.tls;
    parts.push(
      `TLS (CA: ${files.ca ?? 'system'}${files.cert ? `, client certificate ${files.cert}` : ''}` +
        `${rejectUnauthorized ? '' : ', certificates NOT verified'})`,
    );
  } else {
    parts.push('plaintext');
  }
  if (security.sasl) parts.push(`SASL ${security.sasl.mechanism} as '${security.sasl.username}'`);
  return parts.join(', ');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${name} '${raw}' must be 'true' or 'false'`);
}

function readConfigFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`${name} '${path}' cannot be read (${code})`);
  }
}
