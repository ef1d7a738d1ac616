'use strict';
// A single-node Apache Kafka broker (KRaft, broker + controller in one JVM) built from Maven Central
// jars, for machines without Docker. Plain CommonJS so it runs before `npm run build`.
// Used by `npm run kafka:start|stop` (kafka.js) and `npm test` (test/run-tests.js).
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const KAFKA_VERSION = '4.1.1'; // keep in step with <kafka.version> in pom.xml
const INFRA_DIR = __dirname;
const CACHE_DIR = process.env.KAFKA_CACHE_DIR || path.join(INFRA_DIR, '.cache');
const LIBS_DIR = path.join(CACHE_DIR, `kafka-${KAFKA_VERSION}`, 'libs');
const JARS_MARKER = path.join(LIBS_DIR, '.complete');
const CONSOLE_CONSUMER_CLASS = 'org.apache.kafka.tools.consumer.ConsoleConsumer';

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
const DEFAULT_HEAP_MB = 512;
const MIN_HEAP_MB = 256;
const READY_POLL_INTERVAL_MS = 250;
const LOG_TAIL_LINES = 40;
const MAVEN_TIMEOUT_MS = 10 * 60_000;
const CONSOLE_CONSUMER_HEAP_MB = 256;
// The console consumer needs a JVM start and a group join before its idle timeout starts to matter.
const CONSOLE_CONSUMER_STARTUP_ALLOWANCE_MS = 30_000;
const KEY_SEPARATOR = '\t'; // JSON never contains a raw tab, so it cannot be confused with the value
const NULL_LITERAL = '<<null>>';

class KafkaInfraError extends Error {
  constructor(message, context = {}) {
    super(message);
    this.name = 'KafkaInfraError';
    this.context = context;
  }
}

const defaultLog = (line) => process.stderr.write(`[kafka] ${line}\n`);

function requireCommand(command, args, hint) {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.error && probe.error.code === 'ENOENT') {
    throw new KafkaInfraError(`\`${command}\` is not on PATH: ${hint}`, { command });
  }
  if (probe.status !== 0) {
    throw new KafkaInfraError(`\`${command} ${args.join(' ')}\` failed (exit ${probe.status}): ${hint}`, {
      command,
      output: `${probe.stdout}${probe.stderr}`.trim(),
    });
  }
}

function requireJava() {
  requireCommand('java', ['-version'], 'install a Java runtime (17 or newer) to run Kafka, or set KAFKA_BROKERS');
}

function tail(text, lines = LOG_TAIL_LINES) {
  return text.split('\n').slice(-lines).join('\n');
}

function readTail(file, lines = LOG_TAIL_LINES) {
  try {
    return tail(fs.readFileSync(file, 'utf8'), lines);
  } catch {
    return `(no log at ${file})`;
  }
}

function classpath() {
  // Quoted as one argument so the JVM, not a shell, expands the wildcard.
  return `${LIBS_DIR}${path.sep}*`;
}

function runCaptured(command, args, { timeoutMs, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env || process.env });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs)
      : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      resolve({ code, signal, timedOut, stdout: out, stderr: err, output: `${out}${err}` });
    });
  });
}

function pomDigest() {
  const pom = fs.readFileSync(path.join(INFRA_DIR, 'pom.xml'));
  return `kafka ${KAFKA_VERSION} pom-sha256 ${crypto.createHash('sha256').update(pom).digest('hex')}\n`;
}

/** The marker names the pom it was made from, so editing the pom fetches again. */
function jarsAreCurrent(digest) {
  try {
    return fs.readFileSync(JARS_MARKER, 'utf8') === digest;
  } catch {
    return false;
  }
}

/**
 * Puts Kafka's jars in infra/kafka/.cache/kafka-<version>/libs, once: Maven runs only while the
 * marker file is missing or names another pom. Resolves to the libs directory.
 */
async function ensureJars({ log = defaultLog } = {}) {
  const digest = pomDigest();
  if (jarsAreCurrent(digest)) return LIBS_DIR;
  requireJava();
  requireCommand('mvn', ['-v'], 'install Apache Maven (3.6 or newer) to fetch the Kafka jars, or set KAFKA_BROKERS');

  // Copy into a private folder and rename, so a concurrent run never sees a half-filled libs dir.
  const staging = `${LIBS_DIR}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const startedAt = Date.now();
  log(`fetching Kafka ${KAFKA_VERSION} jars with Maven (first run only; cached in ~/.m2 and ${CACHE_DIR})`);
  const mvn = await runCaptured(
    'mvn',
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      path.join(INFRA_DIR, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ],
    { timeoutMs: MAVEN_TIMEOUT_MS },
  );
  if (mvn.code !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new KafkaInfraError(
      `Maven could not fetch the Kafka jars (exit ${mvn.code ?? mvn.signal}):\n${tail(mvn.output)}`,
    );
  }
  const version = await runCaptured('java', ['-cp', `${staging}${path.sep}*`, 'kafka.Kafka', '--version'], {
    timeoutMs: 60_000,
  });
  if (version.code !== 0 || !version.output.includes(KAFKA_VERSION)) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new KafkaInfraError(`the fetched jars do not run \`kafka.Kafka --version\`:\n${tail(version.output)}`);
  }
  fs.writeFileSync(path.join(staging, path.basename(JARS_MARKER)), digest);
  if (!jarsAreCurrent(digest)) {
    fs.rmSync(LIBS_DIR, { recursive: true, force: true }); // jars of an older pom
    try {
      fs.renameSync(staging, LIBS_DIR);
    } catch (error) {
      if (!jarsAreCurrent(digest)) throw error; // else a concurrent run just put the same jars there
    }
  }
  fs.rmSync(staging, { recursive: true, force: true });
  const jars = fs.readdirSync(LIBS_DIR).filter((name) => name.endsWith('.jar'));
  log(`fetched ${jars.length} jars in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return LIBS_DIR;
}

/** A Kafka Uuid: 16 random bytes, URL-safe base64 without padding, never starting with '-'. */
function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function readMetaProperties(logDir) {
  const file = path.join(logDir, 'meta.properties');
  if (!fs.existsSync(file)) return null;
  const meta = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([^#=]+)=(.*)$/.exec(line.trim());
    if (match) meta[match[1]] = match[2];
  }
  return meta;
}

function brokerProperties({ nodeId, port, controllerPort, logDir, quorumVoters, extraProperties }) {
  const props = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    // Static voters: no --standalone at format time, and the same shape scales to 3 nodes.
    'controller.quorum.voters': quorumVoters || `${nodeId}@127.0.0.1:${controllerPort}`,
    // 127.0.0.1, never localhost: Node may resolve localhost to ::1 first.
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,

    // One node: every internal topic must fit on it.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,

    // Test speed on a small machine.
    'group.initial.rebalance.delay.ms': 0, // default 3000: each new group waits 3 s before its first assignment
    'offsets.topic.num.partitions': 1, // default 50: the first group use would create 50 partitions
    'transaction.state.log.num.partitions': 1, // default 50
    'auto.create.topics.enable': false, // topics are created on purpose, with explicit settings
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024, // default 128 MiB of heap when the cleaner starts
    ...extraProperties,
  };
  return Object.entries(props)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

function log4jProperties(logFile, level = 'INFO') {
  // reload4j reads log4j 1.x properties; everything goes to one file, nothing to the terminal.
  return [
    `log4j.rootLogger=${level}, file`,
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${logFile}`,
    'log4j.appender.file.Append=true',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    // The controller's per-request chatter buries what matters when start-up fails.
    'log4j.logger.kafka.controller=WARN',
    'log4j.logger.org.apache.kafka.controller=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    '',
  ].join('\n');
}

function jvmArgs({ heapMb, logsDir, log4jFile }) {
  return [
    `-Xms${Math.min(MIN_HEAP_MB, heapMb)}m`,
    `-Xmx${heapMb}m`,
    // Kafka's own KAFKA_JVM_PERFORMANCE_OPTS.
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
    '-XX:+ExitOnOutOfMemoryError',
    `-Dkafka.logs.dir=${logsDir}`,
    `-Dlog4j.configuration=file:${log4jFile}`,
    // log4j2's core jar is on the class path too (Kafka's log-level MBean probes it); it has no
    // config and would print a "No configuration found" error on every start.
    '-Dlog4j2.statusLoggerLevel=OFF',
  ];
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Process start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or null when gone. */
function processStartTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and ')': fields 3.. follow the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return null;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/**
 * Stops a broker by pid: SIGTERM (controlled shutdown), SIGKILL after `timeoutMs`. `startTime`
 * (from processStartTime) guards against signalling a process that reused the pid.
 */
async function stopPid(pid, { startTime, timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) {
  const sameProcess = () => isAlive(pid) && (startTime === undefined || processStartTime(pid) === String(startTime));
  if (!sameProcess()) return { stopped: false, killed: false };
  process.kill(pid, 'SIGTERM');
  if (await waitForExit(pid, timeoutMs)) return { stopped: true, killed: false };
  if (sameProcess()) process.kill(pid, 'SIGKILL');
  await waitForExit(pid, 10_000);
  return { stopped: true, killed: true };
}

function kafkaClient(brokers, clientId) {
  const { Kafka, logLevel } = require('kafkajs');
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    // Explicit: jest sets NODE_ENV=test, which changes kafkajs's defaults.
    retry: { initialRetryTime: 50, maxRetryTime: 200, retries: 0 },
  });
}

/** Resolves to the cluster id once the broker answers an admin request, or null if not (yet). */
async function describeClusterOnce(brokers) {
  const admin = kafkaClient(brokers, 'cairn-broker-probe').admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 ? cluster.clusterId : null;
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Resolves to the cluster id once `brokers` answer describeCluster, or null after `timeoutMs`. */
async function waitForBroker(brokers, { timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const clusterId = await describeClusterOnce(brokers);
    if (clusterId || Date.now() > deadline) return clusterId;
    await sleep(READY_POLL_INTERVAL_MS);
  }
}

/** Writes `$CAIRN_TEST_RUN_DIR/pids/<name>.json` so the test runner can sweep a leaked broker. */
function recordPidForSweep(pid) {
  const runDir = process.env.CAIRN_TEST_RUN_DIR;
  if (!runDir) return null;
  const file = path.join(runDir, 'pids', `kafka-broker-${pid}.json`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const record = { pid, pgid: pid, startTime: Number(processStartTime(pid)), cmd: 'java kafka.Kafka' };
    fs.writeFileSync(file, JSON.stringify(record));
    return file;
  } catch {
    return null;
  }
}

/**
 * Starts a single-node KRaft broker on 127.0.0.1 and resolves once it answers describeCluster.
 * Formats `dataDir` when it holds no Kafka storage yet, else restarts on the existing data.
 * The JVM runs in its own process group (a terminal's Ctrl-C goes to the caller, which stops it in
 * order); `detached: true` also lets it outlive the caller (npm run kafka:start).
 */
async function startBroker({
  dataDir,
  port,
  controllerPort,
  heapMb = DEFAULT_HEAP_MB,
  logFile,
  nodeId = 1,
  startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
  extraProperties = {},
  detached = false,
  log = defaultLog,
  // A node of a multi-node cluster (startCluster): every node formats with the same cluster id and
  // lists the same static voters.
  clusterId: formatClusterId,
  quorumVoters,
} = {}) {
  if (!dataDir || !port || !controllerPort) {
    throw new KafkaInfraError('startBroker needs dataDir, port and controllerPort', { dataDir, port, controllerPort });
  }
  await ensureJars({ log });
  requireJava();
  dataDir = path.resolve(dataDir);
  logFile = path.resolve(logFile || path.join(dataDir, 'broker.log'));
  const logDir = path.join(dataDir, 'kraft');
  const propsFile = path.join(dataDir, 'server.properties');
  const log4jFile = path.join(dataDir, 'log4j.properties');
  const brokers = `127.0.0.1:${port}`;
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  for (const p of [port, controllerPort]) {
    if (!(await portIsFree(p))) {
      throw new KafkaInfraError(`port 127.0.0.1:${p} is already in use (another broker? try \`npm run kafka:stop\`)`, {
        port: p,
      });
    }
  }

  fs.writeFileSync(
    propsFile,
    brokerProperties({ nodeId, port, controllerPort, logDir, quorumVoters, extraProperties }) + '\n',
  );
  fs.writeFileSync(log4jFile, log4jProperties(logFile));

  const deadline = Date.now() + startTimeoutMs;
  let meta = readMetaProperties(logDir);
  if (!meta) {
    const format = await runCaptured(
      'java',
      [
        `-Xmx${MIN_HEAP_MB}m`,
        `-Dlog4j.configuration=file:${log4jFile}`,
        '-Dlog4j2.statusLoggerLevel=OFF',
        '-cp',
        classpath(),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        formatClusterId || newClusterId(),
        '-c',
        propsFile,
      ],
      { timeoutMs: Math.max(1, deadline - Date.now()) },
    );
    meta = readMetaProperties(logDir);
    if (format.code !== 0 || !meta) {
      const how = format.timedOut ? `timed out after ${startTimeoutMs} ms` : `exit ${format.code}`;
      throw new KafkaInfraError(`formatting Kafka storage in ${logDir} failed (${how}):\n${tail(format.output)}`, {
        dataDir,
      });
    }
  }
  const clusterId = meta['cluster.id'];

  const startedAt = Date.now();
  const out = fs.openSync(logFile, 'a'); // JVM crashes and stray prints land beside the broker log
  const child = spawn(
    'java',
    [...jvmArgs({ heapMb, logsDir: dataDir, log4jFile }), '-cp', classpath(), 'kafka.Kafka', propsFile],
    { stdio: ['ignore', out, out], detached: true },
  );
  fs.closeSync(out);
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (sweepFile) fs.rmSync(sweepFile, { force: true });
      resolve(exited);
    }),
  );
  if (detached) child.unref();
  const pid = child.pid;
  const startTime = pid ? processStartTime(pid) : null;
  // A broker meant to outlive its caller (kafka:start) is not the test run's to sweep.
  const sweepFile = pid && !detached ? recordPidForSweep(pid) : null;

  const stop = async ({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) => {
    if (!exited && pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      let timer;
      const done = await Promise.race([
        exitPromise,
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!done && !exited) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exitPromise;
      }
    }
    if (sweepFile) fs.rmSync(sweepFile, { force: true });
    return exited;
  };

  /** Sends `signal` (SIGKILL: a crash; SIGTERM: a controlled shutdown) and resolves once the JVM exited. */
  const kill = async (signal = 'SIGKILL') => {
    if (!exited && pid) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
      await exitPromise;
    }
    return exited;
  };

  const fail = async (reason) => {
    await stop({ timeoutMs: 5000 });
    const message = `Kafka broker on ${brokers} did not come up: ${reason}`;
    const context = { brokers, logFile, dataDir };
    throw new KafkaInfraError(`${message}\n--- ${logFile} (tail) ---\n${readTail(logFile)}`, context);
  };

  try {
    await Promise.race([spawnError, sleep(0)]);
    if (!pid) throw new Error('no pid');
  } catch (error) {
    return fail(`could not spawn java: ${error.message}`);
  }
  for (;;) {
    if (exited) return fail(`the JVM exited (code ${exited.code}, signal ${exited.signal})`);
    if (Date.now() > deadline) return fail(`no answer to describeCluster within ${startTimeoutMs} ms`);
    const answeredClusterId = await describeClusterOnce(brokers);
    if (answeredClusterId === clusterId) break;
    if (answeredClusterId) return fail(`another Kafka cluster (${answeredClusterId}) answers on ${brokers}`);
    await sleep(READY_POLL_INTERVAL_MS);
  }
  const startMs = Date.now() - startedAt;
  return { brokers, pid, startTime, clusterId, dataDir, logFile, startMs, stop, kill, exited: exitPromise };
}

/**
 * Broker settings of the multi-node cluster: every internal topic replicated to 3 with a minimum
 * ISR of 2 (a write survives the loss of any one broker), and a broker that stops heartbeating is
 * fenced by the controller quorum after CLUSTER_BROKER_SESSION_TIMEOUT_MS: its partitions move and
 * it leaves every ISR, so writes with acks=all resume.
 */
const CLUSTER_BROKER_SESSION_TIMEOUT_MS = 4000;
const CLUSTER_BROKER_HEARTBEAT_INTERVAL_MS = 500;

function clusterProperties(nodes) {
  const replicas = Math.min(3, nodes);
  const minIsr = Math.max(1, replicas - 1);
  return {
    'offsets.topic.replication.factor': replicas,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'default.replication.factor': replicas,
    'min.insync.replicas': minIsr,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minIsr,
    'broker.session.timeout.ms': CLUSTER_BROKER_SESSION_TIMEOUT_MS,
    'broker.heartbeat.interval.ms': CLUSTER_BROKER_HEARTBEAT_INTERVAL_MS,
    // A follower that stops fetching leaves the ISR after this long even if it still heartbeats.
    'replica.lag.time.max.ms': 6000,
    // Quorum (KRaft controllers, one per node here): a dead active controller is replaced fast.
    'controller.quorum.election.timeout.ms': 1000,
    'controller.quorum.fetch.timeout.ms': 2000,
    // Leadership goes back to the preferred replica only when we say so: a broker that comes back
    // must not move the log's leader again in the middle of a test.
    'auto.leader.rebalance.enable': false,
  };
}

/**
 * Starts an `nodes`-node KRaft cluster on 127.0.0.1, each node a combined broker + controller JVM
 * with its own data dir (`<dataDir>/node-<id>`), its own two ports (from `ports`, or `freePorts`),
 * all formatted with one cluster id and listing the same static voters. Resolves once every node
 * answers describeCluster. Each node's handle can be killed (SIGKILL by default) and restarted on
 * the same data dir and ports. `stop()` stops every node still running.
 */
async function startCluster({
  dataDir,
  nodes = 3,
  ports,
  heapMb = 384,
  startTimeoutMs = 2 * DEFAULT_START_TIMEOUT_MS,
  extraProperties = {},
  detached = false,
  log = defaultLog,
} = {}) {
  if (!dataDir) throw new KafkaInfraError('startCluster needs dataDir', {});
  if (!Number.isInteger(nodes) || nodes < 1) throw new KafkaInfraError(`cannot start ${nodes} nodes`, { nodes });
  if (!ports || ports.length < 2 * nodes) {
    throw new KafkaInfraError(`startCluster needs ${2 * nodes} ports (a client and a controller port per node)`, {
      ports,
    });
  }
  dataDir = path.resolve(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  await ensureJars({ log });
  // A restart of `npm run kafka:start -- --nodes 3` reuses the data: keep its cluster id.
  const known = readMetaProperties(path.join(dataDir, 'node-1', 'kraft'));
  const clusterId = (known && known['cluster.id']) || newClusterId();
  const specs = Array.from({ length: nodes }, (_, i) => ({
    nodeId: i + 1,
    port: ports[2 * i],
    controllerPort: ports[2 * i + 1],
    dataDir: path.join(dataDir, `node-${i + 1}`),
  }));
  const quorumVoters = specs.map((s) => `${s.nodeId}@127.0.0.1:${s.controllerPort}`).join(',');
  const brokers = specs.map((s) => `127.0.0.1:${s.port}`).join(',');
  const properties = { ...clusterProperties(nodes), ...extraProperties };

  const launch = (spec) =>
    startBroker({
      ...spec,
      heapMb,
      startTimeoutMs,
      extraProperties: properties,
      detached,
      log,
      clusterId,
      quorumVoters,
    });

  const handles = specs.map((spec) => {
    let current = null;
    const handle = {
      nodeId: spec.nodeId,
      port: spec.port,
      controllerPort: spec.controllerPort,
      address: `127.0.0.1:${spec.port}`,
      dataDir: spec.dataDir,
      get pid() {
        return current ? current.pid : null;
      },
      get logFile() {
        return path.join(spec.dataDir, 'broker.log');
      },
      get running() {
        return current !== null && !current.hasExited;
      },
      /** Starts the node (again): same data, ports and settings. */
      async start() {
        if (handle.running) {
          throw new KafkaInfraError(`node ${spec.nodeId} is already running`, { nodeId: spec.nodeId });
        }
        const node = await launch(spec);
        node.hasExited = false;
        void node.exited.then(() => (node.hasExited = true));
        current = node;
        return node;
      },
      /** Kills the JVM (SIGKILL: a crash) and resolves once it exited. */
      async kill(signal = 'SIGKILL') {
        const node = current;
        current = null;
        if (node) await node.kill(signal);
      },
      /** SIGTERM (controlled shutdown), SIGKILL after the timeout. */
      async stop(options) {
        const node = current;
        current = null;
        if (node) await node.stop(options);
      },
      async restart(signal = 'SIGKILL') {
        await handle.kill(signal);
        return handle.start();
      },
    };
    return handle;
  });

  const startedAt = Date.now();
  const results = await Promise.allSettled(handles.map((h) => h.start()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(handles.map((h) => h.stop({ timeoutMs: 5000 }).catch(() => undefined)));
    throw failed.reason;
  }
  const stopAll = async (options) => {
    await Promise.all(handles.map((h) => h.stop(options)));
  };
  return { brokers, clusterId, dataDir, nodes: handles, startMs: Date.now() - startedAt, stop: stopAll };
}

function consoleConsumerLog4j(dir) {
  const file = path.join(dir, `console-consumer-log4j-${process.pid}.properties`);
  fs.writeFileSync(
    file,
    [
      'log4j.rootLogger=WARN, stderr',
      'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stderr.Target=System.err',
      'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Reads `topic` from the beginning with Kafka's own Java console consumer (read_committed): a client
 * that is not kafkajs. Stops after `maxMessages`, or once no message arrived for `timeoutMs`.
 * Resolves to `{ key, value }` records in log order (`key` null for a null key). One record per
 * printed line, so values must not contain a newline (JSON events do not).
 */
async function consoleConsumeRecords({ brokers, topic, timeoutMs = 10_000, maxMessages, groupId } = {}) {
  if (!brokers || !topic) throw new KafkaInfraError('consoleConsume needs brokers and topic', { brokers, topic });
  await ensureJars();
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-console-consumer-'));
  try {
    const args = [
      `-Xmx${CONSOLE_CONSUMER_HEAP_MB}m`,
      '-XX:TieredStopAtLevel=1', // a short-lived client: start fast, peak speed does not matter
      `-Dlog4j.configuration=file:${consoleConsumerLog4j(tmpDir)}`,
      '-cp',
      classpath(),
      CONSOLE_CONSUMER_CLASS,
      '--bootstrap-server',
      brokers,
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--timeout-ms',
      String(timeoutMs),
      '--property',
      'print.key=true',
      '--property',
      `key.separator=${KEY_SEPARATOR}`,
      '--property',
      `null.literal=${NULL_LITERAL}`,
    ];
    if (maxMessages !== undefined) args.push('--max-messages', String(maxMessages));
    if (groupId) args.push('--group', groupId);
    const run = await runCaptured('java', args, { timeoutMs: timeoutMs + CONSOLE_CONSUMER_STARTUP_ALLOWANCE_MS });
    if (run.code !== 0) {
      throw new KafkaInfraError(
        `Kafka's console consumer failed on ${topic} (${run.timedOut ? 'killed after timeout' : `exit ${run.code}`}):\n${tail(run.stderr)}`,
        { brokers, topic },
      );
    }
    return run.stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const at = line.indexOf(KEY_SEPARATOR);
        const key = line.slice(0, at);
        return { key: key === NULL_LITERAL ? null : key, value: line.slice(at + KEY_SEPARATOR.length) };
      });
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Like consoleConsumeRecords, resolving to the printed values only, one per message. */
async function consoleConsume(options) {
  return (await consoleConsumeRecords(options)).map((record) => record.value);
}

module.exports = {
  KAFKA_VERSION,
  LIBS_DIR,
  CONSOLE_CONSUMER_CLASS,
  KafkaInfraError,
  ensureJars,
  startBroker,
  startCluster,
  CLUSTER_BROKER_SESSION_TIMEOUT_MS,
  waitForBroker,
  stopPid,
  processStartTime,
  isAlive,
  portIsFree,
  consoleConsume,
  consoleConsumeRecords,
};
