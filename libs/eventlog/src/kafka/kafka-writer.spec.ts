import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Kafka } from 'kafkajs';
import { AppendOutcomeUnknownError, WriterFailedError, WriterFencedError } from '../errors';
import { KafkaAppendFailedError } from './kafka-append-failed.error';
import { KafkaWriter } from './kafka-writer';

// What kafkajs throws when a newer producer fenced ours: INVALID_PRODUCER_EPOCH (47) as the
// cause of a non-retriable error (the typings omit both constructors' object forms).
const ProtocolError = KafkaJSProtocolError as unknown as new (entry: object) => Error;
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, meta: { cause: unknown }) => Error;
const epochError = () =>
  new ProtocolError({ type: 'INVALID_PRODUCER_EPOCH', code: 47, retriable: false, message: 'old epoch' });
const fencedError = () => new NonRetriable(epochError(), { cause: epochError() });
const TOPIC = 'c1.events';

/** Per-producer behaviour, in creation order; a producer beyond the script behaves well. */
interface ProducerScript {
  initError?: Error;
  sendError?: Error;
  commitError?: Error;
}

/**
 * A fake kafkajs: one partition whose offsets advance like Kafka's (records, then one commit
 * or abort marker per ended transaction), and producers that fail where the script says.
 */
class FakeKafka {
  nextOffset = 0;
  lso = 0;
  /** How many LSO reads still return the old value after a commit (marker not written yet). */
  markerLagReads = 0;
  /** A transaction with records that neither committed nor aborted (its commit failed). */
  private openTransaction = false;
  readonly producers: {
    disconnected: boolean;
    transactions: number;
    sends: number[];
    aborted: number;
    committed: number;
  }[] = [];
  readonly events: string[] = [];

  constructor(private readonly scripts: ProducerScript[] = []) {}

  /** The live script of producer `index`: change it to make a later call fail. */
  script(index: number): ProducerScript {
    return (this.scripts[index] ??= {});
  }

  readonly kafka = {
    producer: () => {
      const index = this.producers.length;
      const script = this.script(index);
      const state = { disconnected: false, transactions: 0, sends: [] as number[], aborted: 0, committed: 0 };
      this.producers.push(state);
      let initialised = false;
      return {
        connect: async () => undefined,
        disconnect: async () => {
          state.disconnected = true;
        },
        transaction: async () => {
          if (!initialised) {
            if (script.initError) throw script.initError;
            initialised = true;
            this.events.push(`init p${index}`);
            // InitProducerId settles a transaction left open (a failed commit): its marker lands.
            if (this.openTransaction) {
              this.openTransaction = false;
              this.nextOffset += 1;
            }
          }
          state.transactions += 1;
          let sent = false;
          return {
            send: async ({ messages }: { messages: unknown[] }) => {
              this.events.push(`send p${index} ${messages.length}`);
              await new Promise((resolve) => setImmediate(resolve));
              if (script.sendError) throw script.sendError;
              const baseOffset = this.nextOffset;
              this.nextOffset += messages.length;
              state.sends.push(messages.length);
              sent = true;
              this.openTransaction = true;
              return [{ topicName: TOPIC, partition: 0, errorCode: 0, baseOffset: String(baseOffset) }];
            },
            commit: async () => {
              await new Promise((resolve) => setImmediate(resolve));
              // Like kafkajs, an empty transaction's commit sends nothing (so cannot fail).
              if (sent && script.commitError) throw script.commitError;
              if (sent) {
                this.events.push(`commit p${index}`);
                this.nextOffset += 1; // the commit marker
                this.openTransaction = false;
              }
              state.committed += 1;
            },
            abort: async () => {
              if (sent) this.nextOffset += 1;
              this.openTransaction = false;
              state.aborted += 1;
            },
          };
        },
      };
    },
  } as unknown as Kafka;

  /** How many LSO reads still fail (the admin's broker went away). */
  lsoReadFailures = 0;

  readonly lastStableOffset = async () => {
    if (this.lsoReadFailures > 0) {
      this.lsoReadFailures -= 1;
      throw new Error('Connection error: read ECONNRESET');
    }
    if (this.markerLagReads > 0) {
      this.markerLagReads -= 1;
      return this.lso;
    }
    this.lso = this.nextOffset;
    return this.lso;
  };
}

function writerOn(fake: FakeKafka): KafkaWriter {
  return new KafkaWriter({
    kafka: fake.kafka,
    cluster: 'c1',
    topic: TOPIC,
    transactionalId: 'c1.leader',
    transactionTimeoutMs: 10_000,
    lastStableOffset: fake.lastStableOffset,
  });
}

const records = (n: number, bytes = 8) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(bytes) }));

describe('KafkaWriter', () => {
  it('fences on start with an empty first transaction', async () => {
    const fake = new FakeKafka();
    await writerOn(fake).start();
    expect(fake.events).toEqual(['init p0']);
    expect(fake.producers[0]).toMatchObject({ transactions: 1, committed: 1, sends: [] });
  });

  it('gives each record base + i and returns once the LSO passes the commit marker', async () => {
    const fake = new FakeKafka();
    const writer = writerOn(fake);
    await writer.start();
    fake.markerLagReads = 2;
    const result = await writer.append(records(3));
    expect(result).toEqual({ offsets: [0, 1, 2], endOffset: 4 });
  });

  it('splits a large append into several sends of one transaction, offsets contiguous', async () => {
    const fake = new FakeKafka();
    const writer = writerOn(fake);
    await writer.start();
    const result = await writer.append(records(4, 300 * 1024));
    expect(fake.producers[0].sends).toEqual([1, 1, 1, 1]);
    expect(fake.producers[0].transactions).toBe(2);
    expect(result.offsets).toEqual([0, 1, 2, 3]);
  });

  it('runs concurrent appends one transaction at a time, in call order', async () => {
    const fake = new FakeKafka();
    const writer = writerOn(fake);
    await writer.start();
    const results = await Promise.all([
      writer.append(records(2)),
      writer.append(records(1)),
      writer.append(records(3)),
    ]);
    expect(results.map((r) => r.offsets)).toEqual([[0, 1], [3], [5, 6, 7]]);
    expect(fake.events.slice(1)).toEqual([
      'send p0 2',
      'commit p0',
      'send p0 1',
      'commit p0',
      'send p0 3',
      'commit p0',
    ]);
  });

  it('turns fencing during a send into WriterFencedError and refuses every later append', async () => {
    const fake = new FakeKafka([{ sendError: fencedError() }]);
    const writer = writerOn(fake);
    await writer.start();
    await expect(writer.append(records(1))).rejects.toBeInstanceOf(WriterFencedError);
    await expect(writer.append(records(1))).rejects.toBeInstanceOf(WriterFencedError);
    expect(fake.producers).toHaveLength(1); // never re-initialised
    expect(writer.isFenced).toBe(true);
  });

  it('turns fencing at commit into WriterFencedError', async () => {
    const fake = new FakeKafka([{}]);
    const writer = writerOn(fake);
    await writer.start();
    fake.script(0).commitError = fencedError();
    await expect(writer.append(records(1))).rejects.toBeInstanceOf(WriterFencedError);
    await expect(writer.append(records(1))).rejects.toBeInstanceOf(WriterFencedError);
    expect(fake.producers).toHaveLength(1);
  });

  it('aborts after a failed send, says the batch was not recorded, and uses a new producer next', async () => {
    const fake = new FakeKafka([{ sendError: new Error('Request timed out') }]);
    const writer = writerOn(fake);
    await writer.start();
    await expect(writer.append(records(2))).rejects.toBeInstanceOf(KafkaAppendFailedError);
    expect(fake.producers[0]).toMatchObject({ aborted: 1, disconnected: true });
    const next = await writer.append(records(1));
    expect(fake.producers).toHaveLength(2);
    expect(fake.events).toContain('init p1');
    expect(next.offsets).toHaveLength(1);
  });

  it('settles an ambiguous commit with a new producer, then reports the outcome as unknown', async () => {
    const fake = new FakeKafka([{}, {}]);
    const writer = writerOn(fake);
    await writer.start();
    // Only the append's commit fails, not the empty fencing one.
    fake.script(0).commitError = new Error('Connection closed');
    const error = await writer.append(records(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendOutcomeUnknownError);
    expect((error as AppendOutcomeUnknownError).context).toMatchObject({
      settled: true,
      firstOffset: 0,
      lastOffset: 1,
    });
    expect(fake.events.at(-1)).toBe('init p1'); // settled before the error was thrown
  });

  it('after settling an ambiguous commit, waits until the LSO passes its marker before saying so', async () => {
    // The race: settled, but the marker is not visible yet. Reading the log to the LSO now would
    // miss a batch that did commit, and the batch would appear later, never applied.
    const fake = new FakeKafka([{}, {}]);
    const writer = writerOn(fake);
    await writer.start();
    fake.script(0).commitError = new Error('Request timed out');
    fake.markerLagReads = 3;
    const error = await writer.append(records(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendOutcomeUnknownError);
    // Records at 0..1, the settling marker at 2: the end the caller reads to is past it.
    expect(await fake.lastStableOffset()).toBeGreaterThanOrEqual(3);
    expect(fake.lso).toBeGreaterThanOrEqual(3);
    expect(fake.markerLagReads).toBe(0);
  });

  it('a committed append stays a success when reading the LSO fails for a while (fault suite: it was reported as not recorded)', async () => {
    const fake = new FakeKafka();
    const writer = writerOn(fake);
    await writer.start();
    fake.markerLagReads = 1;
    fake.lsoReadFailures = 3;
    const result = await writer.append(records(2));
    expect(result).toEqual({ offsets: [0, 1], endOffset: 3 });
    expect(fake.lsoReadFailures).toBe(0);
  });

  it('after settling an ambiguous commit, a failing LSO read means waiting, not a raw error', async () => {
    const fake = new FakeKafka([{}, {}]);
    const writer = writerOn(fake);
    await writer.start();
    fake.script(0).commitError = new Error('Request timed out');
    fake.lsoReadFailures = 2;
    const error = await writer.append(records(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendOutcomeUnknownError);
    expect(fake.lsoReadFailures).toBe(0);
  });

  it('asks for a reopen when an ambiguous commit cannot be settled', async () => {
    const fake = new FakeKafka([{}, { initError: new Error('ECONNREFUSED') }]);
    const writer = writerOn(fake);
    await writer.start();
    fake.script(0).commitError = new Error('Request timed out');
    const error = await writer.append(records(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriterFailedError);
    expect((error as WriterFailedError).context).toMatchObject({ outcome: 'unknown' });
  });

  it('reports fencing found while settling an ambiguous commit', async () => {
    const fake = new FakeKafka([{}, { initError: fencedError() }]);
    const writer = writerOn(fake);
    await writer.start();
    fake.script(0).commitError = new Error('Request timed out');
    await expect(writer.append(records(1))).rejects.toBeInstanceOf(WriterFencedError);
    await expect(writer.append(records(1))).rejects.toBeInstanceOf(WriterFencedError);
  });
});
