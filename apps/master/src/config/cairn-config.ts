import { SEQUENCER_QUEUE_MAX } from '../core/sequencer';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import { loadKafkaSecurity, type KafkaSecurity } from './kafka-security';
import { ELECTION_TIMEOUT_BUDGET_FACTOR, SYNC_WORK_BUDGET_MS } from '../core/event-loop-monitor';

/**
 * The master's configuration, from the environment (README documents each variable).
 * Parsed once at start; a bad value stops the start with a message naming the variable.
 */
export interface CairnConfig {
  /** HTTP port (Marathon's default, 8080). */
  readonly port: number;
  /** Address to bind. Loopback by default: agent tokens arrive with the agents issue. */
  readonly host: string;
  readonly log: 'file' | 'kafka';
  /** Where the file log (and later checkpoints) live. */
  readonly dataDir: string;
  readonly kafkaBrokers: string[];
  /** Names the topic `<cluster>.events` and the transactional id `<cluster>.leader`. */
  readonly cluster: string;
  readonly kafkaReplicationFactor: number;
  /** TLS and SASL to the brokers (CAIRN_KAFKA_SSL*, CAIRN_KAFKA_SASL*); kafka-connection.ts passes them on. */
  readonly kafkaSecurity: KafkaSecurity;
  /** Seed of the id source; random per start unless given (simulation, reproductions). */
  readonly seed?: string;
  /** The cluster's agent token (CAIRN_AGENT_TOKEN); see agent-token.ts when it is unset. */
  readonly agentToken?: string;
  /** CAIRN_AUTH_FILE: the API's tokens and roles (auth/auth-file.ts); unset = no API auth. */
  readonly authFile?: string;
  /** CAIRN_AUTH=none: run without API auth on purpose, also on a non-loopback address. */
  readonly authNone: boolean;
  /** A disconnected agent becomes unreachable (its tasks replaced) after this long. */
  readonly agentUnreachableMs: number;
  /** Period of the scheduler's clock tick (timeouts, backoff expiry, allocation). */
  readonly tickMs: number;
  /** Marathon's task_launch_timeout: a task not RUNNING this long after its launch is killed. */
  readonly taskLaunchTimeoutMs: number;
  /** The leader's heartbeat period on the election topic (Kafka only; docs/election.md). */
  readonly electionHeartbeatMs: number;
  /** A standby claims leadership after this long without a heartbeat (at least 3 heartbeats). */
  readonly electionTimeoutMs: number;
  /**
   * The leader writes a snapshot once the log has grown this many offsets past the last one (and
   * the state changed); 0 turns snapshots off. Kafka's commit markers take offsets too, so on
   * Kafka this is at most this many events.
   */
  readonly snapshotEvery: number;
  /** Snapshots kept (the older are deleted). */
  readonly snapshotsKept: number;
  /** Commands that may wait in each lane of the sequencer before a write is refused with 503. */
  readonly commandQueueMax: number;
}

export { ConfigError };

const CLUSTER_NAME = /^[a-zA-Z0-9._-]{1,200}$/;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<CairnConfig> = {}): CairnConfig {
  const config: CairnConfig = {
    port: parsePort(env.CAIRN_PORT ?? '8080'),
    host: env.CAIRN_HOST ?? '127.0.0.1',
    log: parseLog(env.CAIRN_LOG ?? 'file'),
    dataDir: resolve(env.CAIRN_DATA_DIR ?? '.cairn'),
    kafkaBrokers: (env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    cluster: env.CAIRN_CLUSTER ?? 'cairn',
    kafkaReplicationFactor: parsePositiveInt(
      'CAIRN_KAFKA_REPLICATION_FACTOR',
      env.CAIRN_KAFKA_REPLICATION_FACTOR ?? '1',
    ),
    kafkaSecurity: loadKafkaSecurity(env),
    seed: env.CAIRN_SEED || undefined,
    agentToken: env.CAIRN_AGENT_TOKEN || undefined,
    authFile: env.CAIRN_AUTH_FILE ? resolve(env.CAIRN_AUTH_FILE) : undefined,
    authNone: parseAuthMode(env.CAIRN_AUTH),
    agentUnreachableMs:
      parsePositiveInt('CAIRN_AGENT_UNREACHABLE_SECONDS', env.CAIRN_AGENT_UNREACHABLE_SECONDS ?? '60') * 1000,
    tickMs: parsePositiveInt('CAIRN_TICK_MS', env.CAIRN_TICK_MS ?? '1000'),
    taskLaunchTimeoutMs:
      parsePositiveInt('CAIRN_TASK_LAUNCH_TIMEOUT_SECONDS', env.CAIRN_TASK_LAUNCH_TIMEOUT_SECONDS ?? '300') * 1000,
    electionHeartbeatMs: parsePositiveInt('CAIRN_ELECTION_HEARTBEAT_MS', env.CAIRN_ELECTION_HEARTBEAT_MS ?? '200'),
    electionTimeoutMs: parsePositiveInt('CAIRN_ELECTION_TIMEOUT_MS', env.CAIRN_ELECTION_TIMEOUT_MS ?? '1000'),
    snapshotEvery: parseNonNegativeInt('CAIRN_SNAPSHOT_EVERY', env.CAIRN_SNAPSHOT_EVERY ?? '50000'),
    snapshotsKept: parsePositiveInt('CAIRN_SNAPSHOTS_KEPT', env.CAIRN_SNAPSHOTS_KEPT ?? '3'),
    commandQueueMax: parsePositiveInt(
      'CAIRN_COMMAND_QUEUE_MAX',
      env.CAIRN_COMMAND_QUEUE_MAX ?? String(SEQUENCER_QUEUE_MAX),
    ),
    ...overrides,
  };
  if (!CLUSTER_NAME.test(config.cluster)) {
    throw new ConfigError(`CAIRN_CLUSTER '${config.cluster}' must be 1-200 of [a-zA-Z0-9._-] (it names a Kafka topic)`);
  }
  if (config.electionTimeoutMs < 3 * config.electionHeartbeatMs) {
    throw new ConfigError(
      `CAIRN_ELECTION_TIMEOUT_MS (${config.electionTimeoutMs}) must be at least 3 × CAIRN_ELECTION_HEARTBEAT_MS (${config.electionHeartbeatMs})`,
    );
  }
  // The stall budget (docs/operations.md): a leader whose event loop stalls past its lease is
  // deposed, so the timeout must leave room for several stalls of the longest allowed sync work.
  if (config.electionTimeoutMs < ELECTION_TIMEOUT_BUDGET_FACTOR * SYNC_WORK_BUDGET_MS) {
    throw new ConfigError(
      `CAIRN_ELECTION_TIMEOUT_MS (${config.electionTimeoutMs}) must be at least ${ELECTION_TIMEOUT_BUDGET_FACTOR} × ` +
        `the master's synchronous work budget (${SYNC_WORK_BUDGET_MS} ms): ` +
        `${ELECTION_TIMEOUT_BUDGET_FACTOR * SYNC_WORK_BUDGET_MS} ms or more`,
    );
  }
  if (config.authFile && config.authNone) {
    throw new ConfigError('CAIRN_AUTH=none and CAIRN_AUTH_FILE contradict each other: set one of them');
  }
  if (config.log === 'kafka' && config.kafkaBrokers.length === 0) {
    throw new ConfigError('CAIRN_LOG=kafka needs KAFKA_BROKERS (e.g. 127.0.0.1:9092)');
  }
  return config;
}

function parseAuthMode(raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (raw !== 'none')
    throw new ConfigError(`CAIRN_AUTH '${raw}' must be 'none' (or unset; tokens come from CAIRN_AUTH_FILE)`);
  return true;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`CAIRN_PORT '${raw}' is not a port number (0-65535)`);
  }
  return port;
}

function parseLog(raw: string): 'file' | 'kafka' {
  if (raw !== 'file' && raw !== 'kafka') throw new ConfigError(`CAIRN_LOG '${raw}' must be 'file' or 'kafka'`);
  return raw;
}

function parseNonNegativeInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} '${raw}' must be 0 or a positive integer`);
  return n;
}

function parsePositiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} '${raw}' must be a positive integer`);
  return n;
}
