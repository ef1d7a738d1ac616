/**
 * The environment a child starts from: ours, minus every CAIRN_* variable (a developer's shell
 * must not leak a port or data dir into a test) and minus jest's NODE_ENV=test (it changes
 * library defaults such as kafkajs's retries; children run as they would in production).
 * CAIRN_DEBUG passes through: it only adds stack traces.
 */
export function baseChildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('CAIRN_') && name !== 'CAIRN_DEBUG') delete env[name];
  }
  delete env.NODE_ENV;
  return env;
}

/** Applies overrides; an `undefined` value removes the variable. */
export function withEnv(
  base: NodeJS.ProcessEnv,
  overrides: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** KAFKA_BROKERS, or a clear error: Kafka tests are never skipped because no broker was given. */
export function requireKafkaBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error(
      'KAFKA_BROKERS is not set: the kafka-backend tests need a broker. Run them through `npm test` ' +
        '(which starts one), or start one with `npm run kafka:start` and export KAFKA_BROKERS=127.0.0.1:<port>.',
    );
  }
  return brokers;
}
