import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SeededIdSource } from '@cairn/common';
import type { Command } from '@cairn/domain';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { damageRecordValue, rewriteRecordValue } from '@cairn/eventlog/testing/file-log-surgery';
import { ProjectionRunner } from '../../../master/src/core/projection-runner';
import { Sequencer } from '../../../master/src/core/sequencer';
import { SNAPSHOT_FORMAT } from '../../../master/src/snapshots/snapshot-codec';
import { TestCommands } from '../../../master/src/testing/test-commands';
import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';

const SEGMENT = '00000000000000000000.log';
const clock = new ManualClock(Date.UTC(2026, 0, 1));
const commands = new TestCommands(clock);
const meta = () => commands.meta();
const scale = (appId: string, instances: number) => commands.scale(appId, instances);

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A data dir whose file log a leader wrote (one frame per command): an app scaled 1 → 3 → 4, a
 * snapshot recorded, more scales. Returns the offset of each AppScaled and where each frame starts.
 */
async function writtenDataDir(): Promise<{ dataDir: string; scaled: number[]; frames: number[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-verify-'));
  dirs.push(dataDir);
  const log = new FileEventLog({ dir: join(dataDir, 'log') });
  await log.open();
  const projection = new ProjectionRunner();
  const sequencer = new Sequencer({ log, projection, ids: new SeededIdSource('v'), onFatal: () => undefined });
  const scaled: number[] = [];
  const frames: number[] = []; // the first offset of each command's frame
  const submit = async (command: Command) => {
    const outcome = await sequencer.submit(command);
    frames.push(outcome.events[0].offset);
    scaled.push(...outcome.events.filter((e) => e.type === 'AppScaled').map((e) => e.offset));
  };
  await submit({ kind: 'ElectLeader', instance: 'm1', meta: meta() });
  await submit({ kind: 'RaiseClusterVersion', version: 2, instance: 'm1', meta: meta() });
  await submit({ kind: 'CreateApp', force: true, app: { id: '/web', cmd: 'sleep 1' }, meta: meta() });
  await submit(scale('/web', 3));
  await submit(scale('/web', 4));
  const hash = projection.hash();
  await submit(commands.recordSnapshot(projection.appliedOffset, hash, SNAPSHOT_FORMAT));
  await submit(scale('/web', 2));
  await log.close();
  return { dataDir, scaled, frames };
}

async function verify(dataDir: string, ...extra: string[]) {
  const io = captureIo({ env: { CAIRN_LOG: 'file' } });
  const code = await run(['verify', '--data-dir', dataDir, ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

describe('cairn verify on a file log', () => {
  it('passes on a log as its leader wrote it, and says what it checked', async () => {
    const { dataDir } = await writtenDataDir();
    const result = await verify(dataDir);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/CHAIN:\s+from offset 0 \(\d+ chained\)/);
    expect(result.out).toMatch(/SNAPSHOTS:\s+1 of 1 compared, 1 match/);
    expect(result.out).toMatch(/RESULT:\s+ok/);
  });

  it('names the offset of an AppScaled rewritten with another count, a valid schema and a recomputed CRC', async () => {
    const { dataDir, scaled } = await writtenDataDir();
    const target = scaled[0];
    rewriteRecordValue(join(dataDir, 'log', SEGMENT), target, (value) => {
      expect(value).toContain('"instances":3');
      return value.replace('"instances":3', '"instances":5');
    });
    const result = await verify(dataDir, '--json');
    expect(result.code).toBe(ExitCode.VerifyFailed);
    const report = JSON.parse(result.out) as { failure: { kind: string; offset: number } };
    expect(report.failure).toMatchObject({ kind: 'chain', offset: target });
    expect(result.err).toContain(`verify failed at offset ${target} (chain)`);
  });

  it('names the first offset of the frame holding a damaged byte (the frame fails its CRC)', async () => {
    const { dataDir, scaled, frames } = await writtenDataDir();
    const target = scaled[1]; // a frame in the middle: a damaged last frame reads as a torn write
    damageRecordValue(join(dataDir, 'log', SEGMENT), target);
    // The CRC covers the frame (one batch), so the failure is named at the frame's first record.
    const frame = Math.max(...frames.filter((first) => first <= target));
    const result = await verify(dataDir);
    expect(result.code).toBe(ExitCode.VerifyFailed);
    expect(result.out).toMatch(new RegExp(`RESULT:\\s+FAILED at offset ${frame} \\(corrupt\\)`));
    expect(result.err).toContain(`segment ${SEGMENT}, byte`);
  });
});
