#!/usr/bin/env node
'use strict';
// Proves what patches/kafkajs+2.2.4.patch changes, against a real broker, without touching the
// shared node_modules: copies kafkajs into a temp dir, applies the patch there, and times the
// takeover InitProducerId (a new producer's first transaction() while the old producer's
// transaction is still open, as after a leader crash mid-transaction) with the original and the
// patched copy, NODE_ENV=production, retry = Cairn's KAFKA_RETRY.
// Usage: node patches/verify-kafkajs-eos-retry.js   (starts and stops its own broker)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = 5;
const RETRY = { initialRetryTime: 5, maxRetryTime: 200, retries: 30, factor: 0.2, multiplier: 2 };

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function patchedCopy(dir) {
  const target = path.join(dir, 'node_modules', 'kafkajs');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(path.join(ROOT, 'node_modules', 'kafkajs'), target, { recursive: true, dereference: true });
  execFileSync('patch', ['-p1', '-s', '-i', path.join(__dirname, 'kafkajs+2.2.4.patch')], { cwd: dir });
  return target;
}

async function takeoverTimes(kafkajsDir, brokers, label) {
  const { Kafka, logLevel, Partitioners } = require(kafkajsDir);
  const kafka = new Kafka({ brokers, clientId: `verify-${label}`, retry: RETRY, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `verify-eos-${label}-${Date.now()}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const transactionalId = `${topic}-${i}`;
    const make = () =>
      kafka.producer({
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: RETRY,
      });
    const dying = make();
    await dying.connect();
    const tx = await dying.transaction();
    await tx.send({ topic, messages: [{ value: 'left open' }] }); // never committed: the "crash"
    const successor = make();
    await successor.connect();
    const start = process.hrtime.bigint();
    const fence = await successor.transaction(); // InitProducerId: fences and aborts the open one
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    await fence.commit();
    await successor.disconnect();
    await dying.disconnect().catch(() => undefined);
  }
  await admin.disconnect();
  return times;
}

async function main() {
  process.env.NODE_ENV = 'production'; // kafkajs's test-mode retry defaults would hide the bug
  const { startBroker } = require(path.join(ROOT, 'infra', 'kafka', 'broker'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-kafkajs-patch-'));
  const broker = await startBroker({
    dataDir: path.join(dir, 'kafka'),
    port: await freePort(),
    controllerPort: await freePort(),
    log: () => undefined,
  });
  try {
    const brokers = broker.brokers.split(',');
    const original = await takeoverTimes(path.join(ROOT, 'node_modules', 'kafkajs'), brokers, 'original');
    const patched = await takeoverTimes(patchedCopy(path.join(dir, 'patched')), brokers, 'patched');
    const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
    process.stdout.write(`takeover InitProducerId, ms (${ROUNDS} rounds)\n`);
    process.stdout.write(`  kafkajs 2.2.4 as installed: ${fmt(original)}\n`);
    process.stdout.write(`  with the patch:             ${fmt(patched)}\n`);
  } finally {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
