import { describe, expect, it } from '@jest/globals';
import { mkdtemp, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventLogContract, records, type EventLogFixture } from '../testing/contract';
import { spawnLockHolder } from '../testing/lock-holder';
import { FileEventLog } from './file-event-log';
import { segmentName } from './segment-files';

interface FileFixture extends EventLogFixture {
  readonly dir: string;
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cairn-file-log-'));
}

describeEventLogContract<FileFixture>('file', {
  secondWriter: 'refused',
  async create() {
    const dir = await tempDir();
    return {
      dir,
      writer: () => new FileEventLog({ dir }),
      reader: () => new FileEventLog({ dir, readOnly: true, pollIntervalMs: 5 }),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
  bytes: ({ dir }) => {
    const path = join(dir, segmentName(0));
    return {
      segment: segmentName(0),
      size: async () => (await stat(path)).size,
      truncate: (size) => truncate(path, size),
      flipByte: async (position) => {
        const file = await open(path, 'r+');
        try {
          const byte = Buffer.alloc(1);
          await file.read(byte, 0, 1, position);
          byte[0] ^= 0xff;
          await file.write(byte, 0, 1, position);
        } finally {
          await file.close();
        }
      },
    };
  },
  spawnLockHolder: ({ dir }) => spawnLockHolder(dir),
});

describe('FileEventLog on real files', () => {
  it('rolls segments at the size bound and reads across them, from a writer and a reader', async () => {
    const dir = await tempDir();
    const writer = new FileEventLog({ dir, segmentMaxBytes: 4096 });
    const reader = new FileEventLog({ dir, readOnly: true });
    try {
      await writer.open();
      for (let i = 0; i < 40; i++) await writer.append(records(`r${i}`, 3));
      const segments = (await readdir(dir)).filter((n) => n.endsWith('.log'));
      expect(segments.length).toBeGreaterThanOrEqual(3);
      await reader.open();
      for (const log of [writer, reader]) {
        const offsets: number[] = [];
        for await (const batch of log.read({ from: 0 })) offsets.push(...batch.map((r) => r.offset));
        expect(offsets).toEqual(Array.from({ length: 120 }, (_, i) => i));
      }
      await writer.close();
      const reopened = new FileEventLog({ dir, segmentMaxBytes: 4096 });
      await reopened.open();
      expect(await reopened.endOffset()).toBe(120);
      expect((await reopened.append(records('z', 1))).offsets).toEqual([120]);
      await reopened.close();
    } finally {
      await writer.close();
      await reader.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a reader follows a writer across a segment roll', async () => {
    const dir = await tempDir();
    const writer = new FileEventLog({ dir, segmentMaxBytes: 2048 });
    const reader = new FileEventLog({ dir, readOnly: true, pollIntervalMs: 5 });
    const controller = new AbortController();
    try {
      await writer.open();
      await reader.open();
      const seen: number[] = [];
      const following = (async () => {
        for await (const batch of reader.follow({ from: 0, signal: controller.signal })) {
          seen.push(...batch.map((r) => r.offset));
          if (seen.length >= 60) controller.abort();
        }
      })();
      for (let i = 0; i < 30; i++) await writer.append(records(`r${i}`, 2));
      await following;
      expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i));
    } finally {
      controller.abort();
      await writer.close();
      await reader.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
