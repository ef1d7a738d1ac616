#!/usr/bin/env node
'use strict';
// `npm test`: builds dist/ when missing or older than its sources, starts a Kafka broker unless
// KAFKA_BROKERS is set (Kafka tests are never skipped: no broker means a failed run), runs the unit
// tier in parallel, then the int and e2e tiers in band, then the fault suite (test/faults, in band,
// with a time budget: CAIRN_FAULTS_BUDGET_S, default 480 s; its 3-broker tests start their own
// cluster), and always cleans up: the broker it
// started, and any process the test harness recorded under $CAIRN_TEST_RUN_DIR/pids/ still alive.
// Extra arguments go to jest: `npm test -- libs/eventlog`, `node test/run-tests.js --listTests`.
// CAIRN_SKIP_BUILD=1 skips the build check (e.g. running int tests while dist/ cannot be rebuilt).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { startBroker, waitForBroker, processStartTime, KafkaInfraError } = require('../infra/kafka/broker');

const ROOT = path.resolve(__dirname, '..');
const JEST_BIN = require.resolve('jest/bin/jest', { paths: [ROOT] });
const BROKER_START_ATTEMPTS = 3; // free ports are found before the JVM binds them: another process may win the race
const SWEEP_GRACE_MS = 3000;
const EXTERNAL_BROKER_TIMEOUT_MS = 10_000;
const BUILD_SOURCES = ['apps', 'libs', 'test/harness', 'bench']; // what tsconfig.build.json compiles
const UNIT_WORKERS = Math.max(2, os.availableParallelism());
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };
/** The fault suite's budget on a 2-core CI machine; going over it is reported loudly (not a failure: timing noise). */
const FAULTS_BUDGET_MS = Number(process.env.CAIRN_FAULTS_BUDGET_S || 480) * 1000;

const say = (line) => process.stderr.write(`[test] ${line}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const jestArgs = process.argv.slice(2);
const hasArg = (...names) => jestArgs.some((arg) => names.some((name) => arg === name || arg.startsWith(`${name}=`)));
const listingOnly = hasArg('--listTests', '--showConfig');
// We read jest's JSON results to catch a run that found no test at all; a caller's own --json wins.
const countTests = !listingOnly && !hasArg('--json', '--outputFile');

let runDir = null;
let broker = null;
let brokerStarting = null;
let currentChild = null;
let interrupted = null;
const timings = [];

async function timed(name, fn) {
  const startedAt = Date.now();
  try {
    return await fn();
  } finally {
    const ms = Date.now() - startedAt;
    timings.push([name, ms]);
    say(`${name}: ${seconds(ms)}`);
  }
}

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
    currentChild = child;
    child.on('error', (error) => {
      say(`could not run ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      currentChild = null;
      resolve(code ?? SIGNAL_EXIT_CODES[signal] ?? 1);
    });
  });
}

/** Distinct free ports: all listeners stay open until every port is known. */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
      });
      servers.push(server);
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

async function startTestBroker() {
  const dataDir = path.join(runDir, 'kafka');
  for (let attempt = 1; ; attempt++) {
    const [port, controllerPort] = await freePorts(2);
    try {
      return await startBroker({ dataDir, port, controllerPort, logFile: path.join(dataDir, 'broker.log'), log: say });
    } catch (error) {
      const portTaken = error instanceof KafkaInfraError && error.context && error.context.port;
      if (!portTaken || attempt >= BROKER_START_ATTEMPTS) throw error;
    }
  }
}

function jestPhase(name, projectArgs, env) {
  const outputFile = path.join(runDir, `jest-${name}.json`);
  // A phase may legitimately select no test (e.g. `npm test -- some.int.spec.ts` has no unit test);
  // a run that finds no test in any phase fails below instead.
  const extra = countTests ? ['--passWithNoTests', '--json', `--outputFile=${outputFile}`] : ['--passWithNoTests'];
  return timed(`jest ${name}`, async () => {
    const code = await run(process.execPath, [JEST_BIN, ...projectArgs, ...extra, ...jestArgs], env);
    let total = 0;
    try {
      total = JSON.parse(fs.readFileSync(outputFile, 'utf8')).numTotalTests;
    } catch {
      /* listing, interrupted, or jest failed before writing results */
    }
    return { code, total };
  });
}

function newestMtimeMs(dir, include) {
  let newest = 0;
  const walk = (current) => {
    let entries;
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (include(entry.name)) {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  walk(dir);
  return newest;
}

/** Why dist/ must be (re)built before the e2e tests, or null when it is current. */
function whyBuild() {
  const cli = path.join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');
  if (!fs.existsSync(cli)) return 'dist/ is missing';
  // The build's last step makes the CLI executable: a build that failed half-way did not.
  if ((fs.statSync(cli).mode & 0o111) === 0) return 'the last build did not finish';
  const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts');
  const newestSource = Math.max(...BUILD_SOURCES.map((dir) => newestMtimeMs(path.join(ROOT, dir), isSource)));
  const newestBuilt = newestMtimeMs(path.join(ROOT, 'dist'), (name) => name.endsWith('.js'));
  return newestSource > newestBuilt ? 'sources changed since the last build' : null;
}

/** Parses `$CAIRN_TEST_RUN_DIR/pids/*.json` records: `{ pid, pgid?, startTime }`. */
function recordedProcesses(runDir) {
  const dir = path.join(runDir, 'pids');
  const records = [];
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    try {
      const record = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      if (Number.isInteger(record.pid) && record.pid > 1) records.push({ ...record, file: name });
    } catch (error) {
      say(`ignoring unreadable pid record ${name}: ${error.message}`);
    }
  }
  return records;
}

function ownProcessGroup() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

function groupExists(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
  } catch {
    return '?';
  }
}

/**
 * A recorded process to kill, or null. A pid is only trusted while its start time (field 22 of
 * /proc/<pid>/stat) matches the record, so a reused pid is never signalled. A group is swept when
 * its leader is the recorded process or is gone (members may outlive it); never our own group.
 */
function sweepTarget(record, ownGroup, excludePids) {
  if (excludePids.has(record.pid)) return null;
  const current = processStartTime(record.pid);
  const pidIsOurs = current !== null && current === String(record.startTime);
  const pidReused = current !== null && !pidIsOurs;
  const pgid = Number.isInteger(record.pgid) && record.pgid > 1 ? record.pgid : null;
  const label = `${pgid ? `group ${pgid}` : `pid ${record.pid}`} (${commandLine(record.pid)})`;
  // The group leader's pid reused by another process means the recorded group is long gone.
  const groupReused = pgid === record.pid && pidReused;
  if (pgid && pgid !== ownGroup && !groupReused && groupExists(pgid)) return { label, target: -pgid };
  return pidIsOurs ? { label, target: record.pid } : null;
}

function signal(target, name) {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false;
  }
}

const targetAlive = (target) => signal(target, 0);

/** Stops every process recorded under `<runDir>/pids/` that is still alive; resolves to how many. */
async function sweep(runDir, excludePids = new Set()) {
  const ownGroup = ownProcessGroup();
  const targets = recordedProcesses(runDir)
    .map((record) => sweepTarget(record, ownGroup, excludePids))
    .filter(Boolean);
  if (targets.length === 0) return 0;
  const why = interrupted ? 'interrupted' : 'a test did not stop what it started';
  say(`stopping ${targets.length} leftover process(es) recorded under ${path.join(runDir, 'pids')} (${why})`);
  for (const { label, target } of targets) {
    say(`  SIGTERM ${label}`);
    signal(target, 'SIGTERM');
  }
  const deadline = Date.now() + SWEEP_GRACE_MS;
  while (Date.now() < deadline && targets.some(({ target }) => targetAlive(target))) await sleep(100);
  for (const { label, target } of targets) {
    if (targetAlive(target)) {
      say(`  SIGKILL ${label}`);
      signal(target, 'SIGKILL');
    }
  }
  return targets.length;
}

let cleanedUp = null;
function cleanup() {
  if (!runDir) return Promise.resolve();
  cleanedUp ??= timed('cleanup', async () => {
    // On a signal the broker may still be starting: broker.js recorded its pid, so the sweep stops it.
    if (brokerStarting && !interrupted) await brokerStarting.catch(() => null);
    await sweep(runDir, new Set(broker ? [broker.pid] : []));
    if (broker) await broker.stop();
    await sweep(runDir); // anything still recorded, the broker included if it did not stop
  });
  return cleanedUp;
}

function stopOnSignals() {
  for (const name of Object.keys(SIGNAL_EXIT_CODES)) {
    process.on(name, () => {
      if (interrupted) return;
      interrupted = name;
      say(`${name}: stopping`);
      if (currentChild) currentChild.kill(name);
      cleanup()
        .then(() => fs.rmSync(runDir, { recursive: true, force: true }))
        .finally(() => process.exit(SIGNAL_EXIT_CODES[name]));
    });
  }
}

async function main() {
  const startedAt = Date.now();
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-test-run-'));
  fs.mkdirSync(path.join(runDir, 'pids'));
  process.env.CAIRN_TEST_RUN_DIR = runDir; // broker.js records the broker here too, so the sweep catches it
  stopOnSignals();

  const buildReason = listingOnly || process.env.CAIRN_SKIP_BUILD === '1' ? null : whyBuild();
  if (buildReason) {
    say(`building first: ${buildReason} (e2e tests run the compiled processes)`);
    const code = await timed('build', () => run('npm', ['run', 'build'], process.env));
    if (code !== 0) return code;
  }

  const env = { ...process.env, CAIRN_TEST_RUN_DIR: runDir };
  if (env.KAFKA_BROKERS) {
    if (!(await waitForBroker(env.KAFKA_BROKERS, { timeoutMs: EXTERNAL_BROKER_TIMEOUT_MS }))) {
      say(
        `KAFKA_BROKERS=${env.KAFKA_BROKERS} does not answer (describeCluster, ${seconds(EXTERNAL_BROKER_TIMEOUT_MS)}).`,
      );
      say('Start one (`npm run kafka:start`) or unset KAFKA_BROKERS to let npm test start its own.');
      return 1;
    }
    say(`using the Kafka broker(s) at KAFKA_BROKERS=${env.KAFKA_BROKERS}`);
  } else {
    // The JVM starts while the unit tests (which need no broker) run.
    const kafkaStartedAt = Date.now();
    brokerStarting = startTestBroker().then((started) => {
      broker = started;
      const ms = Date.now() - kafkaStartedAt;
      timings.push(['kafka start', ms]);
      say(`Kafka broker on ${started.brokers} (pid ${started.pid}) answered after ${seconds(ms)}`);
      return started;
    });
    brokerStarting.catch(() => {}); // handled when awaited below
  }

  // jest's default is one worker per core minus one: a single worker on a 2-core CI machine.
  const workers = hasArg('--maxWorkers', '-w', '--runInBand', '-i') ? [] : [`--maxWorkers=${UNIT_WORKERS}`];
  const unit = await jestPhase('unit', ['--selectProjects', 'unit', ...workers], env);
  if (interrupted) return SIGNAL_EXIT_CODES[interrupted];

  if (brokerStarting) {
    try {
      await brokerStarting;
    } catch (error) {
      if (interrupted) return SIGNAL_EXIT_CODES[interrupted];
      say(`cannot start a Kafka broker for the int/e2e tests, so the run fails (Kafka tests are never skipped).`);
      say(error.message);
      say('Fix: install Java 17+ and Maven 3.6+ (the jars come from Maven Central), or point KAFKA_BROKERS at a');
      say('running broker, e.g. `npm run kafka:start` then `KAFKA_BROKERS=127.0.0.1:9092 npm test`.');
      return 1;
    }
    env.KAFKA_BROKERS = broker.brokers;
  }

  // --forceExit: a client socket left open by a failed test must not hang CI for its 90 minutes;
  // every process the tests started is swept below either way.
  const integration = await jestPhase('int+e2e', ['--selectProjects', 'int', 'e2e', '--runInBand', '--forceExit'], env);
  if (interrupted) return SIGNAL_EXIT_CODES[interrupted];

  // Last, and on its own clock: failover and broker faults (real brokers killed) are slow and noisy.
  const faultsStartedAt = Date.now();
  const faults = await jestPhase('faults', ['--selectProjects', 'faults', '--runInBand', '--forceExit'], env);
  if (interrupted) return SIGNAL_EXIT_CODES[interrupted];
  const faultsMs = Date.now() - faultsStartedAt;
  const overBudget = faults.total > 0 && faultsMs > FAULTS_BUDGET_MS;
  if (faults.total > 0) {
    say(
      `fault suite: ${faults.total} tests in ${seconds(faultsMs)} of its ${seconds(FAULTS_BUDGET_MS)} budget` +
        (overBudget ? ': OVER BUDGET, look at the slowest fault tests above' : ''),
    );
  }

  const failed = [unit, integration, faults].find((phase) => phase.code !== 0);
  if (failed) return failed.code;
  if (countTests && unit.total + integration.total + faults.total === 0) {
    say('no test ran: check the path or pattern given to jest');
    return 1;
  }
  const counts = countTests ? `: ${unit.total} unit, ${integration.total} int+e2e, ${faults.total} fault tests` : '';
  say(`done in ${seconds(Date.now() - startedAt)}${counts}`);
  return 0;
}

if (require.main === module) {
  main()
    .catch((error) => {
      say(`test runner failed: ${error.stack || error}`);
      return 1;
    })
    .then(async (code) => {
      if (interrupted) return; // the signal handler finishes and exits
      await cleanup();
      say(`phases: ${timings.map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ')}`);
      const evidence = runDir ? fs.readdirSync(runDir).filter((name) => name !== 'pids') : [];
      if (runDir && (code === 0 || evidence.length === 0)) fs.rmSync(runDir, { recursive: true, force: true });
      else if (runDir) say(`run directory kept for inspection (broker log under kafka/): ${runDir}`);
      process.exit(code);
    });
}

module.exports = { sweep, whyBuild, freePorts };
