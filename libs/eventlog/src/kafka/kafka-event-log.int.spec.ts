import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { AppendRecord, LogRecord } from '../event-log';
import { EventLogError, LogConfigurationError, WriterFencedError } from '../errors';
import { describeEventLogContract, type EventLogFixture } from '../testing/contract';
import { isFencingError } from './fencing-error';
import { KafkaEventLog } from './kafka-event-log';
import { KAFKA_RETRY } from './kafka-options';
import type { KafkaEventLogOptions } from './kafka-options';

// A real broker is required: these tests fail, never skip, without one (`npm test` starts one).
const BROKERS = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (BROKERS.length === 0) {
  throw new Error(
    'KAFKA_BROKERS is not set: the Kafka integration tests need a broker (npm run kafka:start, or npm test)',
  );
}

jest.setTimeout(60_000);

const openLogs: KafkaEventLog[] = [];
const rawClients: { disconnect(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(openLogs.splice(0).map((log) => log.close()));
  await Promise.all(rawClients.splice(0).map((client) => client.disconnect().catch(() => undefined)));
});

let clusterSeq = 0;
/** Every test gets its own cluster name, so its own topic and transactional id. */
function uniqueCluster(label: string): string {
  return `it-${label}-${Date.now().toString(36)}-${clusterSeq++}-${randomBytes(3).toString('hex')}`;
}

async function openLog(cluster: string, over: Partial<KafkaEventLogOptions> = {}): Promise<KafkaEventLog> {
  const log = new KafkaEventLog({ brokers: BROKERS, cluster, writer: true, instance: 'int', ...over });
  openLogs.push(log);
  await log.open();
  return log;
}

const rawKafka = new Kafka({
  brokers: BROKERS,
  clientId: 'int-raw',
  logLevel: logLevel.NOTHING,
  retry: { ...KAFKA_RETRY },
});

async function rawAdmin(): Promise<Admin> {
  const admin = rawKafka.admin();
  rawClients.push(admin);
  await admin.connect();
  return admin;
}

async function rawTransactionalProducer(transactionalId: string): Promise<Producer> {
  const producer = rawKafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { ...KAFKA_RETRY },
  });
  rawClients.push(producer);
  await producer.connect();
  return producer;
}

function records(prefix: string, n: number): AppendRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}/${i}`,
    value: Buffer.from(JSON.stringify({ prefix, i })),
    headers: { ce_type: 'Test', ce_id: `${prefix}-${i}` },
  }));
}

async function collect(iterable: AsyncIterable<LogRecord[]>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const batch of iterable) out.push(...batch);
  return out;
}

function expectStrictlyIncreasing(offsets: number[]): void {
  for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1]);
}

/** One admin for the contract's fixtures (created on first use, closed after the file). */
let sharedAdmin: Promise<Admin> | null = null;
function contractAdmin(): Promise<Admin> {
  sharedAdmin ??= (async () => {
    const admin = rawKafka.admin();
    await admin.connect();
    return admin;
  })();
  return sharedAdmin;
}
afterAll(async () => {
  if (sharedAdmin) await (await sharedAdmin).disconnect();
});

interface KafkaFixture extends EventLogFixture {
  readonly topic: string;
  readonly cluster: string;
}

describeEventLogContract<KafkaFixture>('kafka', {
  secondWriter: 'fences-incumbent',
  caseTimeoutMs: 60_000,
  followLatencyMs: 5_000,
  async create() {
    const cluster = uniqueCluster('contract');
    const topic = `${cluster}.events`;
    return {
      cluster,
      topic,
      writer: () => new KafkaEventLog({ brokers: BROKERS, cluster, writer: true, instance: 'contract-writer' }),
      reader: () => new KafkaEventLog({ brokers: BROKERS, cluster, writer: false, instance: 'contract-reader' }),
      dispose: async () => {
        await (await contractAdmin()).deleteTopics({ topics: [topic] }).catch(() => undefined);
      },
    };
  },
  // Another transactional producer (not the writer's id, which would fence it) sends, then aborts.
  appendAborted: async ({ cluster, topic }, batch) => {
    const producer = await rawTransactionalProducer(`${cluster}.aborter`);
    const transaction = await producer.transaction();
    await transaction.send({
      topic,
      messages: batch.map((r) => ({ key: r.key, value: r.value, headers: r.headers ? { ...r.headers } : undefined })),
    });
    await transaction.abort();
    await producer.disconnect();
  },
});

describe('KafkaEventLog (integration)', () => {
  describe('open', () => {
    it('creates <cluster>.events with one partition, infinite retention and no compaction', async () => {
      const cluster = uniqueCluster('create');
      await openLog(cluster);
      const admin = await rawAdmin();
      const metadata = await admin.fetchTopicMetadata({ topics: [`${cluster}.events`] });
      expect(metadata.topics[0].partitions).toHaveLength(1);
      const config = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: 2, name: `${cluster}.events`, configNames: ['retention.ms', 'retention.bytes', 'cleanup.policy'] },
        ],
      });
      const entries = Object.fromEntries(config.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
      expect(entries).toEqual({ 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' });
    });

    it('reopens an existing topic it created', async () => {
      const cluster = uniqueCluster('reopen');
      const first = await openLog(cluster);
      await first.append(records('a', 2));
      await first.close();
      const second = await openLog(cluster);
      expect((await collect(second.read({ from: 0 }))).map((r) => r.key)).toEqual(['a/0', 'a/1']);
    });

    const refused: { name: string; partitions: number; config: Record<string, string>; message: RegExp }[] = [
      { name: 'three partitions', partitions: 3, config: {}, message: /3 partitions/ },
      {
        name: 'two partitions (even with the right retention)',
        partitions: 2,
        config: { 'retention.ms': '-1', 'retention.bytes': '-1' },
        message: /it has 2 partitions; the event log needs exactly 1.*To fix: Kafka cannot reduce a topic's partitions/,
      },
      {
        name: 'a one-day retention.ms',
        partitions: 1,
        config: { 'retention.ms': '86400000' },
        message: /retention\.ms is 86400000; it must be -1.*To fix: kafka-configs\.sh .*--add-config retention\.ms=-1 /,
      },
      {
        name: 'the broker default retention (7 days)',
        partitions: 1,
        config: {},
        message: /retention\.ms is 604800000/,
      },
      {
        name: 'a size limit',
        partitions: 1,
        config: { 'retention.ms': '-1', 'retention.bytes': '1073741824' },
        message: /retention\.bytes is 1073741824/,
      },
      {
        name: 'compaction',
        partitions: 1,
        config: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'compact' },
        message: /cleanup\.policy is 'compact'; compaction would delete events.*--add-config cleanup\.policy=delete /,
      },
    ];

    it.each(refused)('refuses an existing topic with $name', async ({ partitions, config, message }) => {
      const cluster = uniqueCluster('refuse');
      const admin = await rawAdmin();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: `${cluster}.events`,
            numPartitions: partitions,
            replicationFactor: 1,
            configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      const log = new KafkaEventLog({ brokers: BROKERS, cluster, writer: true });
      openLogs.push(log);
      const error = await log.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogConfigurationError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(`${cluster}.events`);
    });

    it('a reader (a standby, cairn replay) refuses an unfit topic too, before reading anything', async () => {
      const cluster = uniqueCluster('refuse-reader');
      const admin = await rawAdmin();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: `${cluster}.events`, numPartitions: 1, replicationFactor: 1, configEntries: [] }],
      });
      const log = new KafkaEventLog({ brokers: BROKERS, cluster, writer: false });
      openLogs.push(log);
      const error = await log.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogConfigurationError);
      expect((error as Error).message).toMatch(/retention\.ms is 604800000.*Cairn will neither read nor write it/);
    });
  });

  describe('append and read', () => {
    it('returns one offset per record and an end offset that endOffset() agrees with', async () => {
      const log = await openLog(uniqueCluster('append'));
      expect(await log.endOffset()).toBe(0);
      const first = await log.append(records('a', 3));
      expect(first.offsets).toEqual([0, 1, 2]);
      expect(first.endOffset).toBe(4); // 3 records + the commit marker
      expect(await log.endOffset()).toBe(first.endOffset);
      const second = await log.append(records('b', 2));
      expect(second.offsets).toEqual([4, 5]);
      expect(await log.endOffset()).toBe(second.endOffset);
    });

    it('reads back keys, values, headers and offsets exactly as appended', async () => {
      const log = await openLog(uniqueCluster('roundtrip'));
      const appended = [...records('a', 2), { key: 'bare', value: Buffer.from([0, 1, 2, 255]) }];
      const { offsets } = await log.append(appended);
      const read = await collect(log.read({ from: 0 }));
      expect(read).toEqual(appended.map((r, i) => ({ ...r, offset: offsets[i] })));
    });

    it('reads [from, to): from the middle of a batch, up to an offset, and nothing from the end', async () => {
      const log = await openLog(uniqueCluster('range'));
      await log.append(records('a', 5)); // 0..4, marker 5
      const { endOffset } = await log.append(records('b', 3)); // 6..8, marker 9
      const offsetsOf = async (from: number, to?: number) =>
        (await collect(log.read({ from, to }))).map((r) => r.offset);
      expect(await offsetsOf(2)).toEqual([2, 3, 4, 6, 7, 8]);
      expect(await offsetsOf(5)).toEqual([6, 7, 8]); // 5 is a commit marker
      expect(await offsetsOf(1, 7)).toEqual([1, 2, 3, 4, 6]);
      expect(await offsetsOf(endOffset)).toEqual([]);
      expect(await offsetsOf(3, 3)).toEqual([]);
    });

    it('reads an empty log as nothing', async () => {
      const log = await openLog(uniqueCluster('empty'));
      expect(await collect(log.read({ from: 0 }))).toEqual([]);
    });

    it('stops at the end as of the call, not at records appended while reading', async () => {
      const log = await openLog(uniqueCluster('tonow'));
      await log.append(records('a', 2));
      const reading = log.read({ from: 0 });
      await log.append(records('b', 2));
      expect((await collect(reading)).map((r) => r.key)).toEqual(['a/0', 'a/1']);
    });

    it('yields batches no larger than maxBatchRecords, in order, with backpressure on a slow consumer', async () => {
      const log = await openLog(uniqueCluster('batches'));
      for (let i = 0; i < 10; i++) await log.append(records(`t${i}`, 200));
      const sizes: number[] = [];
      const offsets: number[] = [];
      for await (const batch of log.read({ from: 0, maxBatchRecords: 50 })) {
        sizes.push(batch.length);
        offsets.push(...batch.map((r) => r.offset));
        if (sizes.length % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(offsets).toHaveLength(2000);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
      expectStrictlyIncreasing(offsets);
    });

    it('keeps a large append atomic across several sends, with contiguous offsets', async () => {
      const log = await openLog(uniqueCluster('large'));
      const big = Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, value: randomBytes(1024) })); // ~3 MB
      const { offsets, endOffset } = await log.append(big);
      expect(offsets).toEqual(big.map((_, i) => i));
      expect(endOffset).toBe(3001);
      const read = await collect(log.read({ from: 0 }));
      expect(read).toHaveLength(3000);
      expect(read[2999].value).toEqual(big[2999].value);
    });

    it('serialises concurrent appends: every offset distinct, in call order', async () => {
      const log = await openLog(uniqueCluster('concurrent'));
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(records(`c${i}`, 2))));
      const all = results.flatMap((r) => r.offsets);
      expectStrictlyIncreasing(all);
      const read = await collect(log.read({ from: 0 }));
      expect(read.map((r) => r.offset)).toEqual(all);
      expect(read.map((r) => r.key)).toEqual(Array.from({ length: 20 }, (_, i) => [`c${i}/0`, `c${i}/1`]).flat());
    });

    it('appends nothing for an empty batch', async () => {
      const log = await openLog(uniqueCluster('nothing'));
      await log.append(records('a', 1));
      const end = await log.endOffset();
      expect(await log.append([])).toEqual({ offsets: [], endOffset: end });
      expect(await log.endOffset()).toBe(end);
    });
  });

  describe('follow', () => {
    it('delivers existing and new records, then stops on abort', async () => {
      const log = await openLog(uniqueCluster('follow'));
      await log.append(records('a', 2));
      const abort = new AbortController();
      const iterator = log.follow({ from: 1, signal: abort.signal })[Symbol.asyncIterator]();
      expect((await iterator.next()).value.map((r: LogRecord) => r.key)).toEqual(['a/1']);
      await log.append(records('b', 2));
      const seen: string[] = [];
      while (seen.length < 2) seen.push(...(await iterator.next()).value.map((r: LogRecord) => r.key));
      expect(seen).toEqual(['b/0', 'b/1']);
      const pending = iterator.next();
      abort.abort();
      expect(await pending).toEqual({ done: true, value: undefined });
    });

    it('ends when the log is closed', async () => {
      const log = await openLog(uniqueCluster('followclose'));
      const iterator = log.follow({ from: 0, signal: new AbortController().signal })[Symbol.asyncIterator]();
      const pending = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the consumer join and fetch
      await log.close();
      expect(await pending).toEqual({ done: true, value: undefined });
    });

    it('returns at once for an already aborted signal', async () => {
      const log = await openLog(uniqueCluster('followaborted'));
      const abort = new AbortController();
      abort.abort();
      expect(await collect(log.follow({ from: 0, signal: abort.signal }))).toEqual([]);
    });
  });

  describe('single writer', () => {
    it('a second writer fences the incumbent: its next append and every later one fail', async () => {
      const cluster = uniqueCluster('fence');
      const incumbent = await openLog(cluster);
      await incumbent.append(records('old', 1));
      const successor = await openLog(cluster, { instance: 'successor' });
      await expect(incumbent.append(records('zombie', 1))).rejects.toBeInstanceOf(WriterFencedError);
      await expect(incumbent.append(records('zombie', 1))).rejects.toBeInstanceOf(WriterFencedError);
      await successor.append(records('new', 1));
      const keys = (await collect(successor.read({ from: 0 }))).map((r) => r.key);
      expect(keys).toEqual(['old/0', 'new/0']);
    });

    it('a fenced writer still reads, and writes again only after close() and open()', async () => {
      const cluster = uniqueCluster('refence');
      const first = await openLog(cluster);
      await first.append(records('a', 1));
      const second = await openLog(cluster, { instance: 'second' });
      await second.append(records('b', 1));
      await expect(first.append(records('zombie', 1))).rejects.toBeInstanceOf(WriterFencedError);
      expect((await collect(first.read({ from: 0 }))).map((r) => r.key)).toEqual(['a/0', 'b/0']);
      await first.close();
      await first.open(); // the caller's decision, e.g. after winning an election: fences `second`
      await first.append(records('c', 1));
      await expect(second.append(records('late', 1))).rejects.toBeInstanceOf(WriterFencedError);
      expect((await collect(first.read({ from: 0 }))).map((r) => r.key)).toEqual(['a/0', 'b/0', 'c/0']);
    });

    it('a reader does not fence the writer and cannot append', async () => {
      const cluster = uniqueCluster('reader');
      const writer = await openLog(cluster);
      const reader = await openLog(cluster, { writer: false, instance: 'reader' });
      await writer.append(records('a', 1));
      await expect(reader.append(records('r', 1))).rejects.toBeInstanceOf(EventLogError);
      expect((await collect(reader.read({ from: 0 }))).map((r) => r.key)).toEqual(['a/0']);
    });

    it('opening a writer aborts a fenced zombie’s open transaction, which readers never see', async () => {
      const cluster = uniqueCluster('zombie');
      const first = await openLog(cluster);
      await first.append(records('before', 1));
      // A zombie with our transactional id, mid-transaction: it holds the LSO back.
      const zombie = await rawTransactionalProducer(`${cluster}.leader`);
      const transaction = await zombie.transaction();
      await transaction.send({ topic: `${cluster}.events`, messages: [{ key: 'zombie', value: 'z' }] });
      const held = await first.endOffset();
      expect(held).toBe(2);
      const startedAt = Date.now();
      const successor = await openLog(cluster, { instance: 'successor' });
      const takeoverMs = Date.now() - startedAt;
      const commitError = await transaction.commit().catch((e: unknown) => e);
      expect(isFencingError(commitError)).toBe(true);
      await successor.append(records('after', 1));
      const keys = (await collect(successor.read({ from: 0 }))).map((r) => r.key);
      expect(keys).toEqual(['before/0', 'after/0']);
      console.log(`takeover of a writer with an open transaction: open() took ${takeoverMs} ms`);
    });

    it('an aborted transaction is never read, and offsets stay strictly increasing around it', async () => {
      const cluster = uniqueCluster('aborted');
      const log = await openLog(cluster);
      const before = await log.append(records('before', 2));
      const abort = new AbortController();
      const followed: LogRecord[] = [];
      const following = (async () => {
        for await (const batch of log.follow({ from: 0, signal: abort.signal })) {
          followed.push(...batch);
          if (followed.length >= 4) abort.abort();
        }
      })();
      const other = await rawTransactionalProducer(`${cluster}.other`);
      const transaction = await other.transaction();
      const sent = await transaction.send({
        topic: `${cluster}.events`,
        messages: [
          { key: 'aborted', value: 'a' },
          { key: 'aborted', value: 'b' },
        ],
      });
      await transaction.abort();
      const abortedBase = Number(sent[0].baseOffset);
      const after = await log.append(records('after', 2));
      expect(abortedBase).toBeGreaterThan(before.offsets[1]);
      expect(after.offsets[0]).toBeGreaterThan(abortedBase + 1);

      const read = await collect(log.read({ from: 0 }));
      expect(read.map((r) => r.key)).toEqual(['before/0', 'before/1', 'after/0', 'after/1']);
      expectStrictlyIncreasing(read.map((r) => r.offset));
      expect(await collect(log.read({ from: abortedBase }))).toEqual(read.slice(2));
      await following;
      expect(followed).toEqual(read);
    });

    it('endOffset() is the last stable offset: it stays below an open transaction', async () => {
      const cluster = uniqueCluster('lso');
      const log = await openLog(cluster);
      const { endOffset } = await log.append(records('a', 1));
      const other = await rawTransactionalProducer(`${cluster}.other`);
      const transaction = await other.transaction();
      await transaction.send({ topic: `${cluster}.events`, messages: [{ key: 'open', value: 'o' }] });
      expect(await log.endOffset()).toBe(endOffset);
      await transaction.commit();
      let end = await log.endOffset();
      for (let i = 0; i < 100 && end === endOffset; i++) end = await log.endOffset();
      expect(end).toBe(endOffset + 2);
    });
  });

  describe('latency and throughput (printed; bounds are loose sanity checks)', () => {
    it('measures one small append, batched appends and a replay', async () => {
      const log = await openLog(uniqueCluster('perf'));
      const small = records('s', 1);
      const latenciesMs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t0 = process.hrtime.bigint();
        await log.append(small);
        latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      latenciesMs.sort((a, b) => a - b);
      const p = (q: number) => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))];

      const batch = records('b', 100);
      const batchedStart = Date.now();
      for (let i = 0; i < 50; i++) await log.append(batch);
      const batchedMs = Date.now() - batchedStart;
      const batchedPerSecond = Math.round((50 * 100 * 1000) / batchedMs);

      const readLatenciesMs: number[] = [];
      const tail = (await log.endOffset()) - 20;
      for (let i = 0; i < 20; i++) {
        const t0 = process.hrtime.bigint();
        await collect(log.read({ from: tail }));
        readLatenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      readLatenciesMs.sort((a, b) => a - b);

      const replayStart = Date.now();
      const replayed = await collect(log.read({ from: 0 }));
      const replayMs = Date.now() - replayStart;

      console.log(
        [
          `one-record append (200 sequential): p50 ${p(0.5).toFixed(1)} ms, p90 ${p(0.9).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${latenciesMs[latenciesMs.length - 1].toFixed(1)} ms`,
          `100 records per transaction (50 transactions): ${batchedMs} ms, ${batchedPerSecond} records/s, ${(batchedMs / 50).toFixed(1)} ms per transaction`,
          `small read (a fresh consumer group each): p50 ${readLatenciesMs[10].toFixed(1)} ms, max ${readLatenciesMs[19].toFixed(1)} ms`,
          `replay of ${replayed.length} records: ${replayMs} ms (${Math.round((replayed.length * 1000) / replayMs)} records/s)`,
        ].join('\n'),
      );
      expect(replayed).toHaveLength(200 + 5000);
      expect(p(0.5)).toBeLessThan(100);
      expect(batchedPerSecond).toBeGreaterThan(1000);
    });
  });
});
