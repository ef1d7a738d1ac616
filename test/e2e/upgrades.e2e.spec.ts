import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { KAFKA_RETRY } from '@cairn/eventlog/kafka/kafka-options';
import { KafkaEventLog } from '@cairn/eventlog/kafka/kafka-event-log';
import { encodeEvent, EVENT_FORMAT_LEVEL, type CairnEvent } from '@cairn/events';
import {
  Json,
  MasterHandle,
  requireKafkaBrokers,
  requireWriteOffset,
  sleep,
  skipLogVerification,
  startMaster,
  uniqueCluster,
  waitFor,
} from '../harness';

jest.setTimeout(180_000);

/** docs/operations.md, "Upgrades": what a master does when the log holds an event it cannot read. */

const HA_ENV = { CAIRN_ELECTION_HEARTBEAT_MS: '300', CAIRN_ELECTION_TIMEOUT_MS: '3000' };
const ELECTION_TIMEOUT_MS = 3_000;

/** A record as a newer Cairn would write it: a valid envelope of a type this release does not know. */
function futureEvent(): Buffer {
  const id = randomUUID();
  return Buffer.from(
    JSON.stringify({
      id,
      type: 'AppTeleported',
      v: 1,
      at: new Date().toISOString(),
      actor: 'future-release',
      correlationId: id,
      causationId: null,
      data: { appId: '/somewhere' },
    }),
  );
}

const UNKNOWN_RECORD =
  'is AppTeleported v1, an event type this release does not know (it reads event format level ' +
  `${EVENT_FORMAT_LEVEL}): the log was written by a newer Cairn. Upgrade this master`;
/** A standby that met it while following. */
const HALTED_MESSAGE =
  /this master \(Cairn [^)]+\) stopped following the log and will not lead: the record at offset \d+ /;
/** A master that met it while starting. */
const START_MESSAGE = /this master \(Cairn [^)]+\) cannot start: the record at offset \d+ /;

/**
 * A log a previous release started (it holds events, none at a newer level), so the cluster is at
 * version 1: a fresh log starts at the newest level its first leader reads, which would leave
 * nothing to raise.
 */
async function seedPreviousReleaseLog(cluster: string): Promise<void> {
  const log = new KafkaEventLog({
    brokers: requireKafkaBrokers().split(','),
    cluster,
    writer: true,
    instance: 'previous-release',
  });
  await log.open();
  const id = randomUUID();
  const elected: CairnEvent = {
    id,
    type: 'LeaderElected',
    v: 1,
    at: new Date().toISOString(),
    actor: 'system',
    correlationId: id,
    causationId: null,
    data: { instance: '127.0.0.1:1', epoch: 1 },
  };
  await log.append([encodeEvent(elected)]);
  await log.close();
}

async function infoOf(master: MasterHandle): Promise<{ status: number; body: Json }> {
  const res = await master.http.get('/v1/info', { timeoutMs: 2_000 });
  return { status: res.status, body: res.body };
}

describe('upgrades: a master never reads past an event it does not know', () => {
  const masters: MasterHandle[] = [];
  const track = (m: MasterHandle) => (masters.push(m), m);

  afterEach(async () => {
    for (const m of masters.splice(0)) if (!m.process.exitStatus()) await m.kill();
  });

  it('[file] a master whose log holds an unknown event type refuses to start, with the message', async () => {
    const master = track(await startMaster({ backend: 'file' }));
    const created = await master.http.post('/v2/apps', { id: '/up/before', cmd: 'sleep 1', instances: 0 });
    expect(created.status).toBe(201);
    await master.stop();

    skipLogVerification(master, 'it holds an event of a newer release, written on purpose');
    const log = new FileEventLog({ dir: join(master.dataDir, 'log') });
    await log.open();
    const { offsets } = await log.append([{ key: 'future', value: futureEvent() }]);
    await log.close();

    await master.start({ waitUntilReady: false });
    const status = await master.exited;
    expect(status.code).not.toBe(0);
    const output = master.stderr() + master.stdout();
    expect(output).toMatch(START_MESSAGE);
    expect(output).toContain(`the record at offset ${offsets[0]} ${UNKNOWN_RECORD}`);
  });

  it('[kafka] a standby meeting one halts: stays up, 503 with the reason, and never leads; a new master refuses to start', async () => {
    const cluster = uniqueCluster();
    await seedPreviousReleaseLog(cluster);
    const a = track(await startMaster({ backend: 'kafka', cluster, env: HA_ENV }));
    await waitFor(async () => (await infoOf(a)).body?.role === 'leader', { describe: 'A leads' });
    const b = track(await startMaster({ backend: 'kafka', cluster: a.cluster, env: HA_ENV }));
    await waitFor(async () => (await infoOf(b)).body?.role === 'standby', { describe: 'B follows' });

    // The cluster version, raised through the standby (forwarded to the leader), reaches both.
    expect((await b.http.get('/v1/cluster/version')).body).toMatchObject({
      clusterVersion: 1,
      formatLevel: EVENT_FORMAT_LEVEL,
    });
    const tooHigh = await b.http.post('/v1/cluster/version', { version: EVENT_FORMAT_LEVEL + 1 });
    expect(tooHigh.status).toBe(409);
    expect(tooHigh.body.message).toMatch(/reads event format level \d+ at most/);
    const raised = await b.http.post('/v1/cluster/version', {});
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ clusterVersion: EVENT_FORMAT_LEVEL, changed: true });
    await b.waitForOffset(requireWriteOffset(raised));
    expect((await b.info()).clusterVersion).toBe(EVENT_FORMAT_LEVEL);
    expect((await a.info()).clusterVersion).toBe(EVENT_FORMAT_LEVEL);

    // A newer release's event lands in the log (raw, as another writer would put it).
    skipLogVerification(a, 'it holds an event of a newer release, written on purpose');
    const kafka = new Kafka({
      brokers: requireKafkaBrokers().split(','),
      clientId: 'upgrades-e2e',
      logLevel: logLevel.NOTHING,
      retry: { ...KAFKA_RETRY },
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const [sent] = await producer.send({
      topic: `${a.cluster}.events`,
      acks: -1,
      messages: [{ key: 'future', value: futureEvent(), partition: 0 }],
    });
    await producer.disconnect();
    const unknownOffset = Number(sent.baseOffset);

    // B stops following at that record: 503 everywhere, /v1/info included, with the reason.
    const halted = await waitFor(
      async () => {
        const info = await infoOf(b);
        return info.status === 503 && info.body?.halted ? info.body : undefined;
      },
      { describe: 'B to halt at the unknown record', onTimeout: () => b.describeLogs() },
    );
    expect(halted.message).toMatch(HALTED_MESSAGE);
    expect(halted.message).toContain(`the record at offset ${unknownOffset} ${UNKNOWN_RECORD}`);
    expect(halted.halted).toMatchObject({
      type: 'AppTeleported',
      v: 1,
      offset: unknownOffset,
      readerLevel: EVENT_FORMAT_LEVEL,
    });
    const read = await b.http.get('/v2/apps');
    expect(read.status).toBe(503);
    expect(read.body.message).toBe(halted.message);
    const write = await b.http.post('/v2/apps', { id: '/up/after', cmd: 'sleep 1', instances: 0 });
    expect(write.status).toBe(503);
    expect(write.body.message).toBe(halted.message);
    expect(b.stderr() + b.stdout()).toMatch(HALTED_MESSAGE);

    // The leader stops (SIGTERM resigns): B must not take over, however long it waits.
    await a.stop();
    await sleep(3 * ELECTION_TIMEOUT_MS);
    expect(b.process.exitStatus()).toBeUndefined(); // still running
    const after = await infoOf(b);
    expect(after.status).toBe(503);
    expect(after.body.halted).toMatchObject({ offset: unknownOffset });
    expect(await typesAfter(a.cluster, unknownOffset)).not.toContain('LeaderElected');
    // Nor did it claim a term on the election topic (a claim without leading would stall the cluster).
    const bName = new URL(b.url).host;
    const election = await topicValues(kafka, `${a.cluster}.leader`);
    expect(election.some((r) => r.candidate === new URL(a.url).host && r.type === 'claim')).toBe(true);
    expect(election.filter((r) => r.candidate === bName && r.type === 'claim')).toEqual([]);

    // A master of this release started on that log fails its start with the message.
    const c = track(await startMaster({ backend: 'kafka', cluster: a.cluster, env: HA_ENV, waitUntilReady: false }));
    const status = await c.exited;
    expect(status.code).not.toBe(0);
    expect(c.stderr() + c.stdout()).toMatch(START_MESSAGE);
    expect(c.stderr() + c.stdout()).toContain(`the record at offset ${unknownOffset} ${UNKNOWN_RECORD}`);
  });
});

/** The types of the records after `offset`, read as a standby would (read-committed), to the end. */
async function typesAfter(cluster: string, offset: number): Promise<string[]> {
  const log = new KafkaEventLog({
    brokers: requireKafkaBrokers().split(','),
    cluster,
    writer: false,
    instance: 'upgrades-e2e',
  });
  await log.open();
  try {
    const types: string[] = [];
    for await (const batch of log.read({ from: offset + 1 })) {
      for (const record of batch) types.push(JSON.parse(record.value.toString('utf8')).type);
    }
    return types;
  } finally {
    await log.close();
  }
}

/** Every record value of a one-partition topic, as JSON, up to its end when called. */
async function topicValues(kafka: Kafka, topic: string): Promise<Record<string, unknown>[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [{ high }] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const end = Number(high);
  const values: Record<string, unknown>[] = [];
  let position = 0;
  const consumer = kafka.consumer({ groupId: `upgrades-e2e-${randomUUID()}`, readUncommitted: true });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        position = Number(message.offset) + 1;
        if (position <= end) values.push(JSON.parse(message.value!.toString('utf8')));
      },
    });
    await waitFor(async () => position >= end || undefined, { describe: `reading ${topic} to offset ${end}` });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
