import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomSeed } from '@cairn/common';
import { UnknownEventError } from '@cairn/events';
import { CAIRN_VERSION } from './version';
import { CairnConfig, loadConfig } from './config/cairn-config';
import { MasterRuntime } from './core/master-runtime';
import { SchedulerTicker } from './agents/scheduler-ticker';
import { resolveAgentToken } from './config/agent-token';
import { describeKafkaSecurity } from './config/kafka-security';
import { createEventLog, createSnapshotStore, leadershipFor } from './log/create-event-log';
import { PinoLogger } from './logging/pino-logger';
import { useMarathonBodyParsing } from './http/errors';
import { useLeaderProxy } from './http/leader-proxy';
import { AgentGateway } from './agents/agent-gateway';
import { MASTER_CONTROLLERS, MasterModule } from './master.module';
import { createOpenApiDocument, serveOpenApi } from './http/openapi/openapi';
import { resolveApiAuth, useApiAuth } from './auth/api-auth';
import { MasterMetrics } from './metrics/master-metrics';
import { useRequestMetrics } from './metrics/request-metrics';

/** The HTTP server's accept backlog (see its use). */
const LISTEN_BACKLOG = 4096;

export { loadConfig } from './config/cairn-config';
export type { CairnConfig } from './config/cairn-config';

export interface RunningMaster {
  readonly url: string;
  /** Stops serving and closes the log (releases the file lock). */
  close(): Promise<void>;
  /** Resolves with an exit code when the master must stop on its own (e.g. it was fenced). */
  readonly done: Promise<number>;
  /** The token agents must present (for a local agent started beside this master). */
  readonly agentToken: string;
}

/** Request bodies larger than this are refused (Marathon's ZooKeeper node limit is 1 MiB). */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Starts a master: the HTTP server listens first (answering 503 + Retry-After), then the
 * writer opens the log (lock or fence), replays it, appends LeaderElected, and only then
 * accepts commands.
 */
export async function startMaster(overrides: Partial<CairnConfig> = {}): Promise<RunningMaster> {
  const config = loadConfig(process.env, overrides);
  const logger = new PinoLogger();
  const seed = config.seed ?? randomSeed();
  // Agents' command streams and `events --follow` streams never end on their own: closing the
  // server must cut them, or a SIGTERMed master would wait for its agents forever.
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  const agentToken = resolveAgentToken(config);
  const apiAuth = resolveApiAuth(config, agentToken.token);
  const clientInstance = `${config.host}:${config.port}/${process.pid}`;
  // On Kafka the log is read as a standby; the writer opens (and fences) only when elected.
  const log = createEventLog(config, { writer: config.log !== 'kafka', instance: clientInstance });
  const leadership = leadershipFor(config, log, clientInstance);

  const app = await NestFactory.create<NestFastifyApplication>(
    MasterModule.register({
      config,
      log,
      seed,
      agentToken: agentToken.token,
      snapshots: createSnapshotStore(config, clientInstance),
      ...leadership,
    }),
    adapter,
    { logger, abortOnError: false },
  );
  useApiAuth(app, apiAuth); // first: nothing else sees a request that is not allowed
  useMarathonBodyParsing(app);
  useRequestMetrics(app, app.get(MasterMetrics));
  const runtime = app.get(MasterRuntime);
  useLeaderProxy(app, runtime);
  serveOpenApi(app, createOpenApiDocument(app, MASTER_CONTROLLERS));
  // A master that stops leading drops its agents' command streams: they go on to the new leader.
  const gateway = app.get(AgentGateway);
  runtime.onRoleChange((leading) => leading || gateway.disconnectAll());
  // Thousands of agents connect at once (registrations, status updates, pongs) while the master may
  // be busy for a moment: Node's default accept backlog (511) can overflow, and a client's connect
  // then times out (as the envelope benchmark's driver's did at 5,000 agents). The kernel caps it
  // at net.core.somaxconn.
  await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  // Named after where it listens (known only now, when CAIRN_PORT=0 picks a port).
  const instance = `${config.host}:${port}`;
  const kafka = config.log === 'kafka' ? `, Kafka: ${describeKafkaSecurity(config.kafkaSecurity)}` : '';
  logger.log(
    `listening on ${url} (log: ${config.log}, cluster: ${config.cluster}${kafka}, id seed: ${seed}; auth: ${apiAuth.description})`,
    'Master',
  );
  if (apiAuth.warning) logger.warn(apiAuth.warning.toUpperCase(), 'Master');

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  runtime.onFatalError(() => resolveDone(1));

  try {
    // A sole master (file log) leads before it serves; on Kafka it serves once it knows who leads.
    await runtime.start(instance, { untilLeading: config.log !== 'kafka' });
    app.get(SchedulerTicker).start();
    if (agentToken.file) logger.log(`agents authenticate with the token in ${agentToken.file}`, 'Master');
  } catch (error) {
    await app.close().catch(() => undefined);
    logger.flush();
    // A record of a newer release (docs/operations.md, "Upgrades"): say which release this is.
    if (error instanceof UnknownEventError) {
      throw new Error(`this master (Cairn ${CAIRN_VERSION}) cannot start: ${error.message}`, { cause: error });
    }
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    done,
    agentToken: agentToken.token,
    close: () => {
      closing ??= app.close().then(() => logger.flush());
      return closing;
    },
  };
}
