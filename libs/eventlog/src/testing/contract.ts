/**
 * The EventLog contract: one suite that every adapter runs (memory, file, kafka), in the manner
 * of emmett's `emmett-tests/src/eventStore/features.ts`. Adapter differences are capabilities,
 * not copies of the suite.
 *
 * HOW TO RUN IT FOR AN ADAPTER (e.g. libs/eventlog/src/kafka/kafka-event-log.int.spec.ts):
 *
 *   import { describeEventLogContract } from '../testing/contract';
 *
 *   describeEventLogContract<KafkaFixture>('kafka', {
 *     secondWriter: 'fences-incumbent',
 *     caseTimeoutMs: 60_000,
 *     followLatencyMs: 5_000,
 *     async create() {
 *       const topic = `contract-${unique()}.events`;        // a fresh, empty log per call
 *       return {
 *         topic,
 *         writer: () => new KafkaEventLog({ ...config, topic }),                 // NOT opened
 *         reader: () => new KafkaEventLog({ ...config, topic, readOnly: true }), // NOT opened
 *         dispose: async () => deleteTopic(topic),
 *       };
 *     },
 *     appendAborted: async (fixture, records) => { ...send them to fixture.topic in a transaction
 *       with another transactional id, then abort it... },
 *   });
 *
 * What the factory must provide (`EventLogContractFactory<F>`):
 * - `create()`: a fresh, empty log per call, as a fixture `F extends EventLogFixture` (add what
 *   your hooks need, e.g. the topic or directory). Cases never share a log. `writer()` and
 *   `reader()` return NEW, UNOPENED instances on that log at each call; each writer() is a
 *   "process restart". The suite opens and closes them itself, closes everything it opened even
 *   when a case fails, stops any process it started, and then calls `dispose()`.
 * - `secondWriter`: what happens when a second writer opens while one is open.
 *   'refused': its open() rejects with LogLockedError and the incumbent keeps working (file).
 *   'fences-incumbent': it opens; once it has appended, the incumbent's next append rejects with
 *   WriterFencedError and never becomes visible (Kafka's transactional id; the memory log too).
 * - Optional hooks. A case group whose hook is absent is not registered for that adapter (its
 *   absence is a declared capability, like Kafka having no bytes to tear):
 *   `bytes` (file): the log's bytes as one sequence (keep the log in one segment): size,
 *     truncate, flip a byte; the torn-tail and corruption properties use it.
 *   `spawnLockHolder` (file): a real child process holding the writer lock; the suite SIGKILLs it.
 *   `appendAborted` (kafka): appends records in a transaction that is then aborted; readers must
 *     never see them.
 *
 * Offsets: the suite never does arithmetic on them (they may have gaps); it uses the offsets
 * append() returns and compares them. It does read from offset 0 to mean "from the beginning",
 * so offsets must be non-negative.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { AppendRecord, EventLog, LogRecord, Offset } from '../event-log';
import { CorruptLogError, LogLockedError, WriterFencedError } from '../errors';
import type { LockHolderProcess } from './lock-holder';

export interface EventLogContractFactory<F extends EventLogFixture = EventLogFixture> {
  readonly secondWriter: 'refused' | 'fences-incumbent';
  create(): Promise<F>;
  readonly bytes?: (fixture: F) => LogBytesHook;
  readonly spawnLockHolder?: (fixture: F) => Promise<LockHolderProcess>;
  readonly appendAborted?: (fixture: F, records: readonly AppendRecord[]) => Promise<void>;
  /** Per-case jest timeout; default 20 s. */
  readonly caseTimeoutMs?: number;
  /** How long an append may take to reach another instance's follow; default 2 s. */
  readonly followLatencyMs?: number;
  /** fast-check runs for the property cases; default 15. */
  readonly propertyRuns?: number;
}

export interface EventLogFixture {
  /** A new, unopened writer on this log. */
  writer(): EventLog;
  /** A new, unopened read-only instance on this log. */
  reader(): EventLog;
  /** Removes what create() made. Called once per case, after every instance was closed. */
  dispose(): Promise<void>;
}

/** The log's bytes as one sequence (the file adapter: its only segment). */
export interface LogBytesHook {
  /** The segment name CorruptLogError must report. */
  readonly segment: string;
  size(): Promise<number>;
  truncate(size: number): Promise<void>;
  flipByte(position: number): Promise<void>;
}

const CASE_TIMEOUT_MS_DEFAULT = 20_000;
const FOLLOW_LATENCY_MS_DEFAULT = 2_000;
const PROPERTY_RUNS_DEFAULT = 15;

export function describeEventLogContract<F extends EventLogFixture>(
  name: string,
  factory: EventLogContractFactory<F>,
): void {
  const timeoutMs = factory.caseTimeoutMs ?? CASE_TIMEOUT_MS_DEFAULT;
  const suite: Suite<F> = {
    factory,
    timeoutMs,
    latencyMs: factory.followLatencyMs ?? FOLLOW_LATENCY_MS_DEFAULT,
    runs: factory.propertyRuns ?? PROPERTY_RUNS_DEFAULT,
    test: (title, body) => it(title, () => withHarness(factory, body), timeoutMs),
  };
  describe(`EventLog contract: ${name}`, () => {
    batchesAndOffsets(suite);
    readRanges(suite);
    following(suite);
    endOffsets(suite);
    restartAndReaders(suite);
    secondWriters(suite);
    if (factory.bytes) crashRecovery(suite, factory.bytes);
    if (factory.spawnLockHolder) staleLock(suite, factory.spawnLockHolder);
    if (factory.appendAborted) abortedTransactions(suite, factory.appendAborted);
  });
}

interface Suite<F extends EventLogFixture> {
  readonly factory: EventLogContractFactory<F>;
  /** Registers a case that runs on a fresh log, cleaned up even when it fails. */
  readonly test: (title: string, body: (h: Harness<F>) => Promise<void>) => void;
  readonly timeoutMs: number;
  readonly latencyMs: number;
  readonly runs: number;
}

function batchesAndOffsets<F extends EventLogFixture>(suite: Suite<F>): void {
  const { test, runs } = suite;
  describe('batches and offsets', () => {
    test('gives one offset per record, strictly increasing within and across batches', async (h) => {
      const log = await h.writer();
      const first = await log.append(records('a', 3));
      const second = await log.append(records('b', 2));
      expect(first.offsets).toHaveLength(3);
      expect(second.offsets).toHaveLength(2);
      expectStrictlyIncreasing([...first.offsets, ...second.offsets]);
    });

    test('reads back each batch whole, in order, at the offsets append returned', async (h) => {
      const log = await h.writer();
      const a = await log.append(records('a', 3));
      const b = await log.append(records('b', 4));
      const read = await readAll(log, a.offsets[0]);
      expect(read.map((r) => r.offset)).toEqual([...a.offsets, ...b.offsets]);
      expect(read.map(comparable)).toEqual([...records('a', 3), ...records('b', 4)].map(comparable));
    });

    test('reports an end offset after the batch that is above its last offset', async (h) => {
      const log = await h.writer();
      const result = await log.append(records('a', 2));
      expect(result.endOffset).toBeGreaterThan(result.offsets[1]);
      expect(await log.endOffset()).toBeGreaterThanOrEqual(result.endOffset);
    });

    test('orders concurrent appends by call order, each batch contiguous', async (h) => {
      const log = await h.writer();
      const batches = Array.from({ length: 40 }, (_, i) => records(`c${i}`, 1 + (i % 3)));
      const results = await Promise.all(batches.map((batch) => log.append(batch)));
      expectStrictlyIncreasing(results.flatMap((r) => r.offsets));
      const read = await readAll(log, results[0].offsets[0]);
      expect(read.map(comparable)).toEqual(batches.flat().map(comparable));
    });

    test('round-trips keys, headers and binary values, empty ones included', async (h) => {
      const log = await h.writer();
      const odd: AppendRecord[] = [
        { key: 'app/ünïcode/🚀', value: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
        { key: '', value: Buffer.alloc(0) },
        { key: 'k', value: Buffer.from('{"type":"AppScaled"}'), headers: { ce_type: 'AppScaled', 'x-é': 'ü ✓' } },
      ];
      const { offsets } = await log.append(odd);
      expect((await readAll(log, offsets[0])).map(comparable)).toEqual(odd.map(comparable));
    });

    test('property: whatever batches are appended, reading returns them exactly', async (h) => {
      const log = await h.writer();
      await fc.assert(
        fc.asyncProperty(fc.array(arbitraryBatch(), { minLength: 1, maxLength: 6 }), async (batches) => {
          const results = [];
          for (const batch of batches) results.push(await log.append(batch));
          const read = await readAll(log, results[0].offsets[0]);
          expect(read.map((r) => r.offset)).toEqual(results.flatMap((r) => r.offsets));
          expect(read.map(comparable)).toEqual(batches.flat().map(comparable));
        }),
        { numRuns: runs },
      );
    });
  });
}

function readRanges<F extends EventLogFixture>(suite: Suite<F>): void {
  const { test } = suite;
  describe('read ranges', () => {
    test('reads [from, to) exactly, starting mid-batch if asked', async (h) => {
      const log = await h.writer();
      const { offsets } = await log.append(records('a', 8));
      const read = await readAll(log, offsets[2], offsets[6]);
      expect(read.map((r) => r.offset)).toEqual(offsets.slice(2, 6));
    });

    test('an empty range yields nothing', async (h) => {
      const log = await h.writer();
      const { offsets } = await log.append(records('a', 3));
      expect(await readAll(log, offsets[1], offsets[1])).toEqual([]);
    });

    test('reading from the end offset yields nothing; a `to` past the end stops at the end', async (h) => {
      const log = await h.writer();
      const { offsets } = await log.append(records('a', 3));
      const end = await log.endOffset();
      expect(await readAll(log, end)).toEqual([]);
      const read = await readAll(log, offsets[0], end + 1_000);
      expect(read.map((r) => r.offset)).toEqual(offsets);
    });

    test('`to` defaults to the end offset when the read starts', async (h) => {
      const log = await h.writer();
      const { offsets } = await log.append(records('a', 4));
      const iterator = log.read({ from: offsets[0], maxBatchRecords: 1 })[Symbol.asyncIterator]();
      const seen: LogRecord[] = [];
      const first = await iterator.next();
      if (!first.done) seen.push(...first.value);
      await log.append(records('late', 2));
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(...next.value);
      expect(seen.map((r) => r.offset)).toEqual(offsets);
    });

    test('maxBatchRecords bounds every yielded batch', async (h) => {
      const log = await h.writer();
      const { offsets } = await log.append(records('a', 10));
      const sizes: number[] = [];
      let total = 0;
      for await (const batch of log.read({ from: offsets[0], maxBatchRecords: 3 })) {
        sizes.push(batch.length);
        total += batch.length;
      }
      expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
      expect(total).toBe(10);
    });
  });
}

function following<F extends EventLogFixture>(suite: Suite<F>): void {
  const { test, latencyMs } = suite;
  describe('follow', () => {
    test('yields what exists, then new appends, and stops when the signal aborts', async (h) => {
      const log = await h.writer();
      const before = await log.append(records('old', 2));
      const follower = startFollow(log, before.offsets[0]);
      await follower.until(2, latencyMs);
      const after = await log.append(records('new', 3));
      const seen = await follower.until(5, latencyMs);
      expect(seen.map((r) => r.offset)).toEqual([...before.offsets, ...after.offsets]);
      await follower.stop(latencyMs);
    });

    test('from the end offset, yields only later appends', async (h) => {
      const log = await h.writer();
      await log.append(records('old', 2));
      const follower = startFollow(log, await log.endOffset());
      const later = await log.append(records('new', 1));
      expect((await follower.until(1, latencyMs)).map((r) => r.offset)).toEqual(later.offsets);
      await follower.stop(latencyMs);
    });

    test('abort ends a follow that is waiting, with nothing appended', async (h) => {
      const log = await h.writer();
      const follower = startFollow(log, await log.endOffset());
      await sleep(20);
      await follower.stop(latencyMs);
      expect(follower.seen).toEqual([]);
    });

    test('a reader instance follows what the writer appends', async (h) => {
      const writer = await h.writer();
      const first = await writer.append(records('a', 1));
      const reader = await h.reader();
      const follower = startFollow(reader, first.offsets[0]);
      await follower.until(1, latencyMs);
      const second = await writer.append(records('b', 2));
      const seen = await follower.until(3, latencyMs);
      expect(seen.map((r) => r.offset)).toEqual([...first.offsets, ...second.offsets]);
      await follower.stop(latencyMs);
    });
  });
}

function endOffsets<F extends EventLogFixture>(suite: Suite<F>): void {
  const { test } = suite;
  describe('end offset', () => {
    test('an empty log: reading from its end offset yields nothing', async (h) => {
      const log = await h.writer();
      expect(await readAll(log, await log.endOffset())).toEqual([]);
    });

    test('is after the last record: reading from it yields nothing, and it grows with appends', async (h) => {
      const log = await h.writer();
      const empty = await log.endOffset();
      const { offsets } = await log.append(records('a', 3));
      const end = await log.endOffset();
      expect(end).toBeGreaterThan(empty);
      expect(end).toBeGreaterThan(offsets[2]);
      expect(await readAll(log, end)).toEqual([]);
      expect((await readAll(log, offsets[2])).map((r) => r.offset)).toEqual([offsets[2]]);
      expect(await log.endOffset()).toBe(end);
    });
  });
}

function restartAndReaders<F extends EventLogFixture>(suite: Suite<F>): void {
  const { test } = suite;
  describe('restart and readers', () => {
    test('a reopened writer sees every record and appends after them', async (h) => {
      const first = await h.writer();
      const a = await first.append(records('a', 3));
      const endBefore = await first.endOffset();
      await h.close(first);
      const second = await h.writer();
      expect(await second.endOffset()).toBe(endBefore);
      const b = await second.append(records('b', 2));
      expect(b.offsets[0]).toBeGreaterThan(a.offsets[2]);
      const read = await readAll(second, a.offsets[0]);
      expect(read.map(comparable)).toEqual([...records('a', 3), ...records('b', 2)].map(comparable));
    });

    test('a reader sees what the writer committed and cannot append', async (h) => {
      const writer = await h.writer();
      const { offsets } = await writer.append(records('a', 2));
      const reader = await h.reader();
      expect(await reader.endOffset()).toBe(await writer.endOffset());
      expect((await readAll(reader, offsets[0])).map((r) => r.offset)).toEqual(offsets);
      await expect(reader.append(records('r', 1))).rejects.toThrow();
    });
  });
}

function secondWriters<F extends EventLogFixture>(suite: Suite<F>): void {
  const { factory, test } = suite;
  describe('second writer', () => {
    if (factory.secondWriter === 'refused') {
      test('is refused with LogLockedError while the first is open; the first keeps working', async (h) => {
        const first = await h.writer();
        const a = await first.append(records('a', 1));
        await expect(h.writer()).rejects.toBeInstanceOf(LogLockedError);
        await first.append(records('b', 1));
        await h.close(first);
        const next = await h.writer();
        expect((await readAll(next, a.offsets[0])).map(comparable)).toEqual(
          [...records('a', 1), ...records('b', 1)].map(comparable),
        );
      });
    } else {
      test('fences the incumbent: its next append fails with WriterFencedError and is never read', async (h) => {
        const first = await h.writer();
        const a = await first.append(records('a', 1));
        const second = await h.writer();
        await second.append(records('b', 1));
        await expect(first.append(records('zombie', 1))).rejects.toBeInstanceOf(WriterFencedError);
        const keys = (await readAll(second, a.offsets[0])).map((r) => r.key);
        expect(keys).toEqual(['a/0', 'b/0']);
      });
    }
  });
}

function crashRecovery<F extends EventLogFixture>(
  suite: Suite<F>,
  bytes: NonNullable<EventLogContractFactory<F>['bytes']>,
): void {
  const { factory, timeoutMs, runs } = suite;
  describe('crash recovery (adapters with byte access)', () => {
    it(
      'property: a tail torn at any byte brings back exactly the batches before the tear',
      () =>
        fc.assert(
          fc.asyncProperty(
            fc.array(arbitraryBatch(), { minLength: 1, maxLength: 5 }),
            fc.double({ min: 0, max: 1, noNaN: true }),
            (batches, where) =>
              withHarness(factory, async (h) => {
                const log = await h.writer();
                const ends: number[] = [];
                for (const batch of batches) {
                  await log.append(batch);
                  ends.push(await bytes(h.fixture).size());
                }
                await h.close(log);
                const cut = Math.floor(where * ends[ends.length - 1]);
                await bytes(h.fixture).truncate(cut);
                const reopened = await h.writer();
                const kept = batches.filter((_, i) => ends[i] <= cut).flat();
                expect((await readAll(reopened, 0)).map(comparable)).toEqual(kept.map(comparable));
                await reopened.append(records('after', 1));
                const all = [...kept, ...records('after', 1)];
                expect((await readAll(reopened, 0)).map(comparable)).toEqual(all.map(comparable));
              }),
          ),
          { numRuns: runs },
        ),
      timeoutMs,
    );

    it(
      'property: a damaged frame followed by a valid one stops the open, naming segment and position',
      () =>
        fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 2, max: 5 }),
            fc.nat(),
            fc.double({ min: 0, max: 1, noNaN: true }),
            (count, pick, where) =>
              withHarness(factory, async (h) => {
                const hook = bytes(h.fixture);
                const log = await h.writer();
                const starts: number[] = [];
                for (let i = 0; i < count; i++) {
                  starts.push(await hook.size());
                  await log.append(records(`b${i}`, 1 + (i % 3)));
                }
                await h.close(log);
                // Never the last frame: damage there is indistinguishable from a torn tail.
                const damaged = pick % (count - 1);
                const length = starts[damaged + 1] - starts[damaged];
                await hook.flipByte(starts[damaged] + Math.floor(where * (length - 1)));
                for (const open of [() => h.writer(), () => h.reader()]) {
                  const error = await open().then(
                    () => undefined,
                    (e: unknown) => e,
                  );
                  expect(error).toBeInstanceOf(CorruptLogError);
                  const details = (error as CorruptLogError).details;
                  expect(details).toMatchObject({ segment: hook.segment, position: starts[damaged] });
                }
              }),
          ),
          { numRuns: runs },
        ),
      timeoutMs,
    );
  });
}

function staleLock<F extends EventLogFixture>(
  suite: Suite<F>,
  spawnLockHolder: NonNullable<EventLogContractFactory<F>['spawnLockHolder']>,
): void {
  const { test } = suite;
  describe('stale lock (adapters with a lock file)', () => {
    test('a lock left by a SIGKILLed process is taken over; while it lives, the log is locked', async (h) => {
      const holder = h.track(await spawnLockHolder(h.fixture));
      const error = await h.writer().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LogLockedError);
      expect((error as LogLockedError).details.pid).toBe(holder.pid);
      await holder.kill();
      const log = await h.writer();
      const { offsets } = await log.append(records('a', 1));
      expect((await readAll(log, offsets[0])).map(comparable)).toEqual(records('a', 1).map(comparable));
    });
  });
}

function abortedTransactions<F extends EventLogFixture>(
  suite: Suite<F>,
  appendAborted: NonNullable<EventLogContractFactory<F>['appendAborted']>,
): void {
  const { test, latencyMs } = suite;
  describe('aborted transactions (adapters with transactions)', () => {
    test('readers never see an aborted batch, in read or follow', async (h) => {
      const log = await h.writer();
      const a = await log.append(records('a', 2));
      await appendAborted(h.fixture, records('aborted', 2));
      const b = await log.append(records('b', 1));
      const expected = [...records('a', 2), ...records('b', 1)].map(comparable);
      expect((await readAll(log, a.offsets[0])).map(comparable)).toEqual(expected);
      const reader = await h.reader();
      const follower = startFollow(reader, a.offsets[0]);
      const seen = await follower.until(3, latencyMs);
      expect(seen.map((r) => r.offset)).toEqual([...a.offsets, ...b.offsets]);
      await sleep(50);
      expect(follower.seen.map(comparable)).toEqual(expected);
      await follower.stop(latencyMs);
    });
  });
}

// ---- the harness: every instance and process a case starts is stopped, even when it fails ------

class Harness<F extends EventLogFixture> {
  private readonly opened: EventLog[] = [];
  private readonly processes: LockHolderProcess[] = [];

  constructor(readonly fixture: F) {}

  async writer(): Promise<EventLog> {
    return this.openTracked(this.fixture.writer());
  }

  async reader(): Promise<EventLog> {
    return this.openTracked(this.fixture.reader());
  }

  track(holder: LockHolderProcess): LockHolderProcess {
    this.processes.push(holder);
    return holder;
  }

  async close(log: EventLog): Promise<void> {
    const i = this.opened.indexOf(log);
    if (i >= 0) this.opened.splice(i, 1);
    await log.close();
  }

  async cleanup(): Promise<void> {
    for (const holder of this.processes.splice(0)) await holder.kill();
    for (const log of this.opened.splice(0).reverse()) await log.close().catch(() => undefined);
    await this.fixture.dispose();
  }

  private async openTracked(log: EventLog): Promise<EventLog> {
    await log.open();
    this.opened.push(log);
    return log;
  }
}

async function withHarness<F extends EventLogFixture>(
  factory: EventLogContractFactory<F>,
  body: (h: Harness<F>) => Promise<void>,
): Promise<void> {
  const harness = new Harness(await factory.create());
  try {
    await body(harness);
  } finally {
    await harness.cleanup();
  }
}

// ---- helpers ------------------------------------------------------------------------------------

/** `count` records keyed `${prefix}/${i}` with JSON-ish values, deterministic so reads compare. */
export function records(prefix: string, count: number): AppendRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}/${i}`,
    value: Buffer.from(JSON.stringify({ type: 'ContractEvent', prefix, i, pad: 'x'.repeat(i * 7) })),
  }));
}

function arbitraryBatch(): fc.Arbitrary<AppendRecord[]> {
  const record = fc.record({
    key: fc.string({ maxLength: 12 }),
    value: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    headers: fc.option(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
      {
        nil: undefined,
      },
    ),
  });
  return fc
    .array(record, { minLength: 1, maxLength: 4 })
    .map((rs) =>
      rs.map((r) =>
        r.headers === undefined ? { key: r.key, value: r.value } : { key: r.key, value: r.value, headers: r.headers },
      ),
    );
}

/** What the suite compares: key, value bytes, headers (absent and empty are the same). */
function comparable(record: AppendRecord): { key: string; value: string; headers: Record<string, string> } {
  return { key: record.key, value: record.value.toString('hex'), headers: { ...(record.headers ?? {}) } };
}

async function readAll(log: EventLog, from: Offset, to?: Offset): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const batch of log.read({ from, to })) out.push(...batch);
  return out;
}

function expectStrictlyIncreasing(offsets: readonly Offset[]): void {
  for (let i = 1; i < offsets.length; i++) {
    if (!(offsets[i] > offsets[i - 1])) {
      throw new Error(
        `offsets not strictly increasing at ${i}: ${offsets[i - 1]} then ${offsets[i]} in ${offsets.join(',')}`,
      );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Follower {
  readonly seen: LogRecord[];
  /** Resolves with everything seen once at least `count` records arrived; rejects after `timeoutMs`. */
  until(count: number, timeoutMs: number): Promise<LogRecord[]>;
  /** Aborts and waits for the iteration to end; rejects if it does not end within `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

function startFollow(log: EventLog, from: Offset): Follower {
  const controller = new AbortController();
  const seen: LogRecord[] = [];
  let wake: () => void = () => undefined;
  let failure: unknown;
  const done = (async () => {
    try {
      for await (const batch of log.follow({ from, signal: controller.signal })) {
        seen.push(...batch);
        wake();
      }
    } catch (error) {
      failure = error;
      wake();
    }
  })();
  const within = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms (seen ${seen.length})`)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };
  return {
    seen,
    until(count, timeoutMs) {
      const reached = new Promise<LogRecord[]>((resolve, reject) => {
        const check = (): void => {
          if (failure) reject(failure);
          else if (seen.length >= count) resolve([...seen]);
          else wake = check;
        };
        check();
      });
      return within(reached, timeoutMs, `follow did not yield ${count} records`).catch((error) => {
        controller.abort();
        throw error;
      });
    },
    async stop(timeoutMs) {
      controller.abort();
      await within(done, timeoutMs, 'follow did not end after abort');
      if (failure) throw failure;
    },
  };
}
