#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Bridge } from './bridge';
import { defaultSchemaDir, SchemaValidator } from './events/schema-validator';
import { ConfigApplier } from './haproxy/config-applier';
import { HaproxyProcess } from './haproxy/haproxy-process';
import { TopicFollower } from './kafka/topic-follower';
import { jsonLogger } from './log';

/** Exit codes: 0 stopped by a signal, 1 failure (Kafka, HAProxy), 2 bad options, 3 unreadable topic before serving. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_UNREADABLE = 3;
/** sockaddr_un.sun_path holds 108 bytes with its terminating NUL. */
const UNIX_SOCKET_PATH_MAX = 107;

interface Options {
  brokers: string;
  cluster: string;
  groupId?: string;
  haproxyGroup?: string;
  bindAddress: string;
  workDir?: string;
  haproxy: string;
  schemas?: string;
  debounceMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const program = new Command('cairn-haproxy-bridge')
    .description('Keeps an HAProxy configuration in step with the running, healthy tasks of a Cairn cluster')
    .option(
      '--brokers <list>',
      'Kafka bootstrap brokers, comma-separated (env KAFKA_BROKERS)',
      process.env.KAFKA_BROKERS ?? '',
    )
    .option(
      '--cluster <name>',
      'Cairn cluster: the topic is <cluster>.events (env CAIRN_CLUSTER)',
      process.env.CAIRN_CLUSTER ?? 'cairn',
    )
    .option('--group-id <id>', 'Kafka consumer group (default <cluster>.haproxy-bridge)')
    .option('--haproxy-group <name>', "expose only apps whose HAPROXY_GROUP label is this (marathon-lb's --group)")
    .option('--bind-address <address>', 'address the frontends bind', '*')
    .option('--work-dir <dir>', 'where haproxy.cfg and the sockets live (default <tmp>/cairn-haproxy-bridge-<cluster>)')
    .option('--haproxy <path>', 'the haproxy binary', 'haproxy')
    .option('--schemas <dir>', 'the published JSON Schemas (default docs/events of this checkout)')
    .option('--debounce-ms <ms>', 'wait this long after a change for more before reloading', toNonNegativeInt, 200)
    .exitOverride()
    .parse([...argv], { from: 'user' });
  return program.opts<Options>();
}

function toNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a non-negative integer');
  return n;
}

async function main(): Promise<void> {
  const log = jsonLogger();
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    process.exit(code === 0 ? 0 : EXIT_USAGE); // commander printed the reason (or the help)
  }
  const brokers = options.brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) return usage(log, 'no Kafka brokers: pass --brokers or set KAFKA_BROKERS');
  try {
    execFileSync(options.haproxy, ['-v'], { stdio: 'ignore' });
  } catch {
    return usage(
      log,
      `'${options.haproxy}' does not run: install HAProxy (Debian: apt-get install haproxy) or pass --haproxy`,
    );
  }
  const workDir = resolve(options.workDir ?? join(tmpdir(), `cairn-haproxy-bridge-${options.cluster}`));
  mkdirSync(workDir, { recursive: true });
  const adminSocket = join(workDir, 'admin.sock');
  const masterSocket = join(workDir, 'master.sock');
  if (masterSocket.length > UNIX_SOCKET_PATH_MAX) {
    return usage(
      log,
      `--work-dir is too long for a Unix socket path (${masterSocket.length} > ${UNIX_SOCKET_PATH_MAX} bytes)`,
    );
  }
  const topic = `${options.cluster}.events`;
  const groupId = options.groupId ?? `${options.cluster}.haproxy-bridge`;

  let shuttingDown = false;
  const haproxy = new HaproxyProcess({
    binary: options.haproxy,
    configPath: join(workDir, 'haproxy.cfg'),
    masterSocket,
    log,
    onUnexpectedExit: (code, signal) => {
      if (shuttingDown) return;
      log.error('haproxy exited on its own; the bridge stops too', { code, signal });
      void shutdown(EXIT_FAILURE);
    },
  });
  // Whatever ends this process (an uncaught error included) ends HAProxy with it.
  process.on('exit', () => haproxy.killNow());

  const applier = new ConfigApplier({
    haproxy,
    binary: options.haproxy,
    configPath: join(workDir, 'haproxy.cfg'),
    render: { bindAddress: options.bindAddress, adminSocket, source: `Kafka topic ${topic}` },
    debounceMs: options.debounceMs,
    log,
  });
  const bridge = new Bridge({
    validator: new SchemaValidator(options.schemas ?? defaultSchemaDir()),
    applier,
    selection: { group: options.haproxyGroup },
    log,
    onHalt: (_reason, serving) => {
      // Serving already: keep HAProxy on its last configuration (traffic goes on to tasks that were
      // healthy) and stop reading; an operator upgrades the bridge. Not serving yet: nothing to keep.
      if (serving) void follower.stop();
      else void shutdown(EXIT_UNREADABLE);
    },
  });
  const follower = new TopicFollower({
    brokers,
    topic,
    groupId,
    clientId: `haproxy-bridge-${process.pid}`,
    log,
    onRecords: (records) => bridge.onRecords(records),
    onCaughtUp: () => bridge.onCaughtUp(),
    onFailure: (error) => {
      log.error('reading the topic failed', { error: error.message });
      void shutdown(EXIT_FAILURE);
    },
  });

  async function shutdown(code: number): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    applier.close();
    await follower.stop();
    await haproxy.stop();
    log.info('stopped', { code });
    process.exit(code);
  }
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));

  log.info('starting', {
    topic,
    groupId,
    workDir,
    bindAddress: options.bindAddress,
    haproxyGroup: options.haproxyGroup,
  });
  try {
    await follower.start();
  } catch (error) {
    log.error('could not follow the topic', { error: (error as Error).message });
    await shutdown(EXIT_FAILURE);
  }
}

function usage(log: ReturnType<typeof jsonLogger>, message: string): void {
  log.error(message);
  process.exit(EXIT_USAGE);
}

void main();
