import { describe, expect, it } from '@jest/globals';
import { AppendOutcomeUnknownError, WriterFencedError } from '../errors';
import { LogNotOpenError, LogReadOnlyError } from '../errors';
import { describeEventLogContract, records } from '../testing/contract';
import { MemoryEventLog } from './memory-event-log';
import { MemoryLogStore } from './memory-log-store';

for (const offsetGap of [0, 3]) {
  describeEventLogContract(`memory (offsetGap ${offsetGap})`, {
    secondWriter: 'fences-incumbent',
    async create() {
      const store = new MemoryLogStore();
      return {
        writer: () => new MemoryEventLog({ store, offsetGap }),
        reader: () => new MemoryEventLog({ store, offsetGap, readOnly: true }),
        dispose: async () => undefined,
      };
    },
  });
}

async function openLog(options: ConstructorParameters<typeof MemoryEventLog>[0] = {}): Promise<MemoryEventLog> {
  const log = new MemoryEventLog(options);
  await log.open();
  return log;
}

describe('MemoryEventLog', () => {
  it('leaves offsetGap offsets between batches, so offset + 1 is never assumed', async () => {
    const log = await openLog({ offsetGap: 2 });
    const a = await log.append(records('a', 2));
    const b = await log.append(records('b', 1));
    expect(a.offsets).toEqual([0, 1]);
    expect(a.endOffset).toBe(4);
    expect(b.offsets).toEqual([4]);
    expect(await log.endOffset()).toBe(7);
  });

  it('failNextAppend: the next append fails and appends nothing; the one after succeeds', async () => {
    const log = await openLog();
    const injected = new Error('disk on fire');
    log.failNextAppend(injected);
    await expect(log.append(records('a', 2))).rejects.toBe(injected);
    expect(await log.endOffset()).toBe(0);
    expect((await log.append(records('b', 1))).offsets).toEqual([0]);
  });

  it('failNextAppend with committed: the batch is in the log although the append failed', async () => {
    const log = await openLog();
    log.failNextAppend(new AppendOutcomeUnknownError('commit timed out'), { committed: true });
    await expect(log.append(records('a', 1))).rejects.toBeInstanceOf(AppendOutcomeUnknownError);
    expect(log.store.records.map((r) => r.key)).toEqual(['a/0']);
  });

  it('copies appended values, so a reused buffer cannot rewrite history', async () => {
    const log = await openLog();
    const value = Buffer.from('before');
    await log.append([{ key: 'k', value }]);
    value.write('after!');
    expect(log.store.records[0].value.toString()).toBe('before');
  });

  it('refuses appends when read-only, when not open, and after being fenced', async () => {
    const store = new MemoryLogStore();
    const reader = await openLog({ store, readOnly: true });
    await expect(reader.append(records('r', 1))).rejects.toBeInstanceOf(LogReadOnlyError);
    await expect(new MemoryEventLog({ store }).append(records('x', 1))).rejects.toBeInstanceOf(LogNotOpenError);
    const old = await openLog({ store });
    await openLog({ store });
    await expect(old.append(records('o', 1))).rejects.toBeInstanceOf(WriterFencedError);
  });

  it('an empty batch appends nothing and reports the end offset', async () => {
    const log = await openLog();
    await log.append(records('a', 1));
    expect(await log.append([])).toEqual({ offsets: [], endOffset: 1 });
  });

  it('closing ends its followers', async () => {
    const log = await openLog();
    const iterator = log.follow({ from: 0, signal: new AbortController().signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    await log.close();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
  });
});
