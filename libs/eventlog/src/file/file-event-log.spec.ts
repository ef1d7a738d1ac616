import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { AppendRecord, EventLog, LogRecord } from '../event-log';
import { CorruptLogError, LogConfigurationError, LogLockedError, WriterFailedError } from '../errors';
import { MemFs } from '../fs/mem-fs';
import { records } from '../testing/contract';
import { BatchTooLargeError, LogNotOpenError, LogReadOnlyError } from '../errors';
import { FileEventLog, type FileEventLogOptions } from './file-event-log';
import { MAX_FRAME_BYTES } from './frame-format';
import { encodeLockRecord } from './lock-file';
import type { ProcessIdentity, ProcessProbe } from './process-probe';
import { segmentName } from './segment-files';

const DIR = '/data/log';

/** Processes are fake: each lock attempt is a new "process"; `crashAll()` kills them. */
class FakeProbe implements ProcessProbe {
  private nextPid = 1000;
  readonly alive = new Set<number>();
  onJudge?: () => Promise<void>;

  async self(): Promise<ProcessIdentity> {
    const pid = this.nextPid++;
    this.alive.add(pid);
    return { pid, startTicks: 1, hostname: 'test' };
  }

  async isAlive(identity: ProcessIdentity): Promise<boolean> {
    await this.onJudge?.();
    return this.alive.has(identity.pid);
  }

  crashAll(): void {
    this.alive.clear();
  }
}

function setup(options: Partial<FileEventLogOptions> = {}) {
  const fs = new MemFs();
  const probe = new FakeProbe();
  const make = (extra: Partial<FileEventLogOptions> = {}) =>
    new FileEventLog({ dir: DIR, fs, processProbe: probe, ...options, ...extra });
  const open = async (extra: Partial<FileEventLogOptions> = {}) => {
    const log = make(extra);
    await log.open();
    return log;
  };
  /** A power cut: unsynced bytes are lost (or, with keep, partly kept) and every process dies. */
  const crash = (keepUnsyncedBytes: number | 'all' = 0) => {
    fs.crash({ keepUnsyncedBytes });
    probe.crashAll();
  };
  return { fs, probe, make, open, crash, segment0: `${DIR}/${segmentName(0)}` };
}

async function readAll(log: EventLog, from = 0): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const batch of log.read({ from })) out.push(...batch);
  return out;
}

const keys = (rs: readonly { key: string }[]) => rs.map((r) => r.key);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('FileEventLog write failures (MemFs)', () => {
  it('an fsync error kills the writer: in-flight batches are outcome-unknown, the rest not written, no fsync retry', async () => {
    const { fs, open } = setup({ groupCommit: { maxBatches: 1 } });
    const log = await open();
    await log.append(records('a', 1));
    fs.failNextSync();
    const syncsBefore = fs.syncCalls;
    const inFlight = rejection(log.append(records('b', 1)));
    const queued = rejection(log.append(records('c', 1)));
    const [inFlightError, queuedError] = await Promise.all([inFlight, queued]);
    expect(inFlightError).toBeInstanceOf(WriterFailedError);
    expect((inFlightError as WriterFailedError).context).toMatchObject({ outcome: 'unknown' });
    expect(queuedError).toBeInstanceOf(WriterFailedError);
    expect((queuedError as WriterFailedError).context).toMatchObject({ outcome: 'not-written' });
    await expect(log.append(records('d', 1))).rejects.toBeInstanceOf(WriterFailedError);
    expect(fs.syncCalls).toBe(syncsBefore + 1);
    expect(keys(await readAll(log))).toEqual(['a/0']);
    expect(await log.endOffset()).toBe(1);
    await log.close();
  });

  it('after an fsync error, reopening settles the outcome: the batch is there unless a crash lost it', async () => {
    for (const crashed of [false, true]) {
      const { fs, open, crash } = setup();
      const log = await open();
      await log.append(records('a', 1));
      fs.failNextSync();
      await expect(log.append(records('b', 1))).rejects.toBeInstanceOf(WriterFailedError);
      await log.close();
      if (crashed) crash();
      const reopened = await open();
      expect(keys(await readAll(reopened))).toEqual(crashed ? ['a/0'] : ['a/0', 'b/0']);
      await reopened.close();
    }
  });

  it('a write error that tore the frame: reopening cuts the torn tail and reports it', async () => {
    const { fs, open, segment0 } = setup();
    const log = await open();
    await log.append(records('a', 2));
    const sizeBefore = (await fs.sizeOf(segment0))!;
    fs.failNextWrite(undefined, 17);
    await expect(log.append(records('b', 2))).rejects.toBeInstanceOf(WriterFailedError);
    await log.close();
    expect(await fs.sizeOf(segment0)).toBe(sizeBefore + 17);
    const reopened = await open();
    expect(reopened.lastRecovery).toMatchObject({ segment: segmentName(0), position: sizeBefore, bytesCut: 17 });
    expect(await fs.sizeOf(segment0)).toBe(sizeBefore);
    expect((await reopened.append(records('c', 1))).offsets).toEqual([2]);
    expect(keys(await readAll(reopened))).toEqual(['a/0', 'a/1', 'c/0']);
    await reopened.close();
  });
});

describe('FileEventLog group commit (MemFs)', () => {
  it('appends made while a write is in flight share the next fsync, each with its own offsets', async () => {
    const { fs, open } = setup();
    const log = await open();
    const syncsBefore = fs.syncCalls;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(records(`r${i}`, 2))));
    expect(fs.syncCalls - syncsBefore).toBeLessThanOrEqual(2);
    expect(results.map((r) => r.offsets)).toEqual(Array.from({ length: 200 }, (_, i) => [2 * i, 2 * i + 1]));
    expect(results[199].endOffset).toBe(400);
    await log.close();
  });

  it('a group holds at most maxBatches frames and maxBytes bytes (one oversized frame goes alone)', async () => {
    const byCount = setup({ groupCommit: { maxBatches: 10 } });
    const log = await byCount.open();
    const before = byCount.fs.syncCalls;
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(records(`r${i}`, 1))));
    expect(byCount.fs.syncCalls - before).toBe(10);
    await log.close();

    const byBytes = setup({ groupCommit: { maxBytes: 1 } });
    const small = await byBytes.open();
    const start = byBytes.fs.syncCalls;
    await Promise.all(Array.from({ length: 5 }, (_, i) => small.append(records(`s${i}`, 1))));
    expect(byBytes.fs.syncCalls - start).toBe(5);
    await small.close();
  });

  it('property: every acknowledged append survives a crash at any moment, across segment rolls', async () => {
    const outcomes = { crashedMidFlight: 0, tornTailsCut: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }),
        fc.nat({ max: 1500 }),
        fc.oneof(fc.constant<'all'>('all'), fc.nat({ max: 1200 })),
        async (sizes, microtasksBeforeCrash, keep) => {
          const { open, crash, fs } = setup({ segmentMaxBytes: 600, groupCommit: { maxBatches: 4 } });
          fs.syncDelayMicrotasks = 25;
          const log = await open();
          const batches = sizes.map((n, i) => records(`b${i}`, n));
          const acknowledged = new Set<number>();
          const settled = batches.map((batch, i) =>
            log.append(batch).then(
              () => acknowledged.add(i),
              () => undefined,
            ),
          );
          for (let t = 0; t < microtasksBeforeCrash; t++) await Promise.resolve();
          const ackedAtCrash = new Set(acknowledged);
          crash(keep);
          await Promise.all(settled);
          await log.close().catch(() => undefined);
          const reopened = await open();
          const got = keys(await readAll(reopened));
          const all = batches.flat().map((r) => r.key);
          // What came back is a prefix of what was appended that holds every acknowledged batch.
          expect(all.slice(0, got.length)).toEqual(got);
          const lastAcked = Math.max(-1, ...ackedAtCrash);
          expect(got.length).toBeGreaterThanOrEqual(batches.slice(0, lastAcked + 1).flat().length);
          if (ackedAtCrash.size < batches.length) outcomes.crashedMidFlight++;
          if (reopened.lastRecovery) outcomes.tornTailsCut++;
          await reopened.append(records('after', 1));
          expect(keys(await readAll(reopened)).slice(-1)).toEqual(['after/0']);
          await reopened.close();
        },
      ),
      { numRuns: 200 },
    );
    // The property is only worth something if crashes land mid-flight and tear frames.
    expect(outcomes.crashedMidFlight).toBeGreaterThan(25);
    expect(outcomes.tornTailsCut).toBeGreaterThan(0);
  });
});

describe('FileEventLog lock (MemFs)', () => {
  it('a second writer is refused while the first lives; a reader takes no lock; close releases it', async () => {
    const { open, fs } = setup();
    const first = await open();
    await expect(open()).rejects.toBeInstanceOf(LogLockedError);
    const reader = await open({ readOnly: true });
    await first.close();
    expect(fs.exists(`${DIR}/LOCK`)).toBe(false);
    const second = await open();
    await second.close();
    await reader.close();
  });

  it("a dead owner's lock is taken over", async () => {
    const { open, probe } = setup();
    const first = await open();
    probe.crashAll(); // its process is gone, its LOCK file stays
    const second = await open();
    await second.append(records('a', 1));
    await second.close();
    void first;
  });

  it('a live lock that replaced the stale one during takeover is put back and reported', async () => {
    const { fs, open, probe } = setup();
    const stale = await open();
    probe.crashAll();
    const live = { format: 1, pid: 4242, startTicks: 9, hostname: 'test', nonce: 'live' };
    probe.alive.add(4242);
    probe.onJudge = async () => {
      // Another process takes the stale lock over between our judgement and our rename.
      probe.onJudge = undefined;
      await fs.unlink(`${DIR}/LOCK`);
      await fs.writeFile(`${DIR}/LOCK`, encodeLockRecord(live));
    };
    const error = await rejection(open());
    expect(error).toBeInstanceOf(LogLockedError);
    expect((error as LogLockedError).details.pid).toBe(4242);
    expect(JSON.parse((await fs.readFile(`${DIR}/LOCK`)).toString()).nonce).toBe('live');
    void stale;
  });

  it('a lock file that is not a Cairn lock stops the open', async () => {
    const { fs, open } = setup();
    await fs.mkdirp(DIR);
    await fs.writeFile(`${DIR}/LOCK`, Buffer.from('not json'));
    await expect(open()).rejects.toBeInstanceOf(LogConfigurationError);
  });
});

describe('FileEventLog reads and misuse (MemFs)', () => {
  it('a reader steps around a torn tail without cutting it; the writer cuts it', async () => {
    const { fs, open, segment0 } = setup();
    const writer = await open();
    await writer.append(records('a', 1));
    await writer.close();
    fs.appendBytes(segment0, Buffer.from([1, 0, 0, 0, 200, 0, 0, 0, 9]));
    const size = await fs.sizeOf(segment0);
    const reader = await open({ readOnly: true });
    expect(keys(await readAll(reader))).toEqual(['a/0']);
    expect(await fs.sizeOf(segment0)).toBe(size);
    const reopened = await open();
    expect(await fs.sizeOf(segment0)).toBeLessThan(size!);
    await reopened.close();
    await reader.close();
  });

  it('a reader opened on an empty directory follows a writer that starts later', async () => {
    const { fs, open } = setup();
    await fs.mkdirp(DIR);
    const reader = await open({ readOnly: true, pollIntervalMs: 1 });
    expect(await reader.endOffset()).toBe(0);
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const batch of reader.follow({ from: 0, signal: controller.signal })) {
        seen.push(...keys(batch));
        if (seen.length === 2) controller.abort();
      }
    })();
    const writer = await open();
    await writer.append(records('a', 2));
    await following;
    expect(seen).toEqual(['a/0', 'a/1']);
    await writer.close();
    await reader.close();
  });

  it('a reader refuses a directory that does not exist', async () => {
    const { open } = setup();
    await expect(open({ readOnly: true })).rejects.toBeInstanceOf(LogConfigurationError);
  });

  it('damage in an earlier segment is found by read, naming the segment and position', async () => {
    const { fs, open } = setup({ segmentMaxBytes: 500 });
    const log = await open();
    for (let i = 0; i < 12; i++) await log.append(records(`r${i}`, 2));
    await log.close();
    const names = (await fs.readdir(DIR)).filter((n) => n.endsWith('.log'));
    expect(names.length).toBeGreaterThan(2);
    fs.flipByte(`${DIR}/${names[1]}`, 5);
    const reopened = await open();
    const error = await rejection(readAll(reopened));
    expect(error).toBeInstanceOf(CorruptLogError);
    expect((error as CorruptLogError).details).toMatchObject({ segment: names[1], position: 0 });
    await reopened.close();
  });

  it('a missing segment is found by read', async () => {
    const { fs, open } = setup({ segmentMaxBytes: 500 });
    const log = await open();
    for (let i = 0; i < 12; i++) await log.append(records(`r${i}`, 2));
    await log.close();
    const names = (await fs.readdir(DIR)).filter((n) => n.endsWith('.log'));
    await fs.unlink(`${DIR}/${names[1]}`);
    const reopened = await open();
    await expect(readAll(reopened)).rejects.toBeInstanceOf(CorruptLogError);
    await reopened.close();
  });

  it('property: any [from, to) over many segments and tiny read chunks returns exactly those records', async () => {
    const { open } = setup({ segmentMaxBytes: 700, readChunkBytes: 50 });
    const log = await open();
    const all: AppendRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const batch = records(`r${i}`, 1 + (i % 4));
      all.push(...batch);
      await log.append(batch);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: all.length }),
        fc.nat({ max: all.length }),
        fc.integer({ min: 1, max: 7 }),
        async (a, b, max) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const got: LogRecord[] = [];
          for await (const batch of log.read({ from, to, maxBatchRecords: max })) {
            expect(batch.length).toBeLessThanOrEqual(max);
            got.push(...batch);
          }
          expect(got.map((r) => r.offset)).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
          expect(keys(got)).toEqual(keys(all.slice(from, to)));
        },
      ),
      { numRuns: 100 },
    );
    await log.close();
  });

  it('refuses a batch above MAX_FRAME_BYTES, writing nothing', async () => {
    const { open } = setup();
    const log = await open();
    const error = await rejection(log.append([{ key: 'k', value: Buffer.alloc(MAX_FRAME_BYTES) }]));
    expect(error).toBeInstanceOf(BatchTooLargeError);
    expect((await log.append(records('a', 1))).offsets).toEqual([0]);
    await log.close();
  });

  it('refuses appends to a reader, calls on a closed log, and malformed records', async () => {
    const { open } = setup();
    const writer = await open();
    const reader = await open({ readOnly: true });
    await expect(reader.append(records('a', 1))).rejects.toBeInstanceOf(LogReadOnlyError);
    await expect(writer.append([{ key: 'k', value: 'text' as unknown as Buffer }])).rejects.toBeInstanceOf(TypeError);
    expect(await writer.append([])).toEqual({ offsets: [], endOffset: 0 });
    await writer.close();
    await expect(writer.append(records('a', 1))).rejects.toBeInstanceOf(LogNotOpenError);
    await reader.close();
  });

  it('close waits for appends in flight and ends followers', async () => {
    const { open } = setup();
    const log = await open();
    const iterator = log.follow({ from: 0, signal: new AbortController().signal })[Symbol.asyncIterator]();
    const appended = log.append(records('a', 3));
    expect((await iterator.next()).value).toHaveLength(3);
    const waiting = iterator.next();
    await log.close();
    await expect(appended).resolves.toMatchObject({ offsets: [0, 1, 2] });
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  });
});
