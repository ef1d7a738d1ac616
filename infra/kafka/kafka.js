#!/usr/bin/env node
'use strict';
// `npm run kafka:start` / `npm run kafka:stop` / `node infra/kafka/kafka.js status`: a development
// broker on 127.0.0.1:9092 that keeps running after the command returns, with data kept in
// infra/kafka/.cache/data (or $KAFKA_DATA_DIR) across restarts.
// `npm run kafka:start -- --nodes 3`: a 3-node KRaft cluster instead (combined broker + controller
// per node, replication factor 3, min.insync.replicas 2) on 127.0.0.1:9092,9094,9096 (controllers
// on the next port of each), data in infra/kafka/.cache/cluster-3 (or $KAFKA_DATA_DIR).
const fs = require('node:fs');
const path = require('node:path');
const { startBroker, startCluster, stopPid, processStartTime, isAlive, KAFKA_VERSION } = require('./broker');

const CACHE_DIR = path.join(__dirname, '.cache');
const PID_FILE = path.join(CACHE_DIR, 'broker.json');
const DEFAULT_PORT = 9092;
const DEFAULT_CONTROLLER_PORT = 9093;

function envPort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name}=${raw} is not a TCP port`);
  return port;
}

/** The broker(s) recorded in the pid file whose processes (same pid and start time) still run. */
function runningBroker() {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(PID_FILE, 'utf8'));
  } catch {
    return null;
  }
  const processes = (record.nodes || [record]).filter(
    (node) => isAlive(node.pid) && processStartTime(node.pid) === String(node.startTime),
  );
  if (processes.length === 0) return null;
  return { ...record, processes, pid: processes.map((p) => p.pid).join(',') };
}

function nodesArgument() {
  const at = process.argv.indexOf('--nodes');
  const raw = at >= 0 ? process.argv[at + 1] : (process.argv.find((a) => a.startsWith('--nodes=')) || '').slice(8);
  if (!raw) return 1;
  const nodes = Number(raw);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`--nodes ${raw}: expected 1 to 9`);
  return nodes;
}

async function startMany(nodes) {
  const dataDir = path.resolve(process.env.KAFKA_DATA_DIR || path.join(CACHE_DIR, `cluster-${nodes}`));
  const base = envPort('KAFKA_PORT', DEFAULT_PORT);
  const ports = Array.from({ length: 2 * nodes }, (_, i) => base + i);
  const startedAt = Date.now();
  const cluster = await startCluster({ dataDir, nodes, ports, detached: true });
  const record = {
    brokers: cluster.brokers,
    dataDir: cluster.dataDir,
    nodes: cluster.nodes.map((n) => ({
      nodeId: n.nodeId,
      pid: n.pid,
      startTime: processStartTime(n.pid),
      address: n.address,
      logFile: n.logFile,
    })),
  };
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(PID_FILE, JSON.stringify(record, null, 2) + '\n');
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`Kafka ${KAFKA_VERSION}: ${nodes} nodes running on ${cluster.brokers} (up in ${seconds} s).`);
  for (const n of record.nodes) console.log(`  node ${n.nodeId}: ${n.address}, pid ${n.pid}, log ${n.logFile}`);
  console.log(
    `  use it: KAFKA_BROKERS=${cluster.brokers} CAIRN_KAFKA_REPLICATION_FACTOR=3; stop it: npm run kafka:stop`,
  );
}

async function start() {
  const running = runningBroker();
  if (running) {
    console.log(`Kafka is already running on ${running.brokers} (pid ${running.pid}).`);
    return;
  }
  const nodes = nodesArgument();
  if (nodes > 1) return startMany(nodes);
  const dataDir = path.resolve(process.env.KAFKA_DATA_DIR || path.join(CACHE_DIR, 'data'));
  const startedAt = Date.now();
  const broker = await startBroker({
    dataDir,
    port: envPort('KAFKA_PORT', DEFAULT_PORT),
    controllerPort: envPort('KAFKA_CONTROLLER_PORT', DEFAULT_CONTROLLER_PORT),
    detached: true,
  });
  const record = {
    pid: broker.pid,
    startTime: broker.startTime,
    brokers: broker.brokers,
    dataDir: broker.dataDir,
    logFile: broker.logFile,
  };
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(PID_FILE, JSON.stringify(record, null, 2) + '\n');
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`Kafka ${KAFKA_VERSION} is running on ${broker.brokers} (pid ${broker.pid}, up in ${seconds} s).`);
  console.log(`  data: ${broker.dataDir}\n  log:  ${broker.logFile}`);
  console.log(`  use it: KAFKA_BROKERS=${broker.brokers}; stop it: npm run kafka:stop`);
}

async function stop() {
  const running = runningBroker();
  if (!running) {
    fs.rmSync(PID_FILE, { force: true });
    console.log('No Kafka broker started by `npm run kafka:start` is running.');
    return;
  }
  const results = await Promise.all(running.processes.map((p) => stopPid(p.pid, { startTime: p.startTime })));
  const killed = results.some((r) => r.killed);
  fs.rmSync(PID_FILE, { force: true });
  console.log(
    `Kafka on ${running.brokers} (pid ${running.pid}) stopped${killed ? ' (killed after the timeout)' : ''}.`,
  );
}

function status() {
  const running = runningBroker();
  console.log(running ? `Kafka is running on ${running.brokers} (pid ${running.pid}).` : 'Kafka is not running.');
  process.exitCode = running ? 0 : 1;
}

const commands = { start, stop, status };
const command = commands[process.argv[2]];
if (!command) {
  console.error('usage: node infra/kafka/kafka.js start|stop|status');
  process.exit(2);
}
Promise.resolve(command()).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
