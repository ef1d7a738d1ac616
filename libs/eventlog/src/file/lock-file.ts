import { posix } from 'node:path';
import { LogConfigurationError, LogLockedError } from '../errors';
import { hasErrorCode, type Fs } from '../fs/fs.port';
import type { ProcessIdentity, ProcessProbe } from './process-probe';

/**
 * One writer per directory: the lock file (FORMAT.md, "Lock file").
 *
 * The lock is created complete and atomically: its content is written to a private temporary
 * file, which is then hard-linked to LOCK (link fails if LOCK exists). A lock whose owner is dead
 * (no such process, a zombie, or the pid now belongs to a process started at another time) is
 * taken over by renaming it aside and checking that what was renamed is the stale lock we judged.
 */
export const LOCK_FILE_NAME = 'LOCK';
/** Rounds of "create, else judge the holder" before giving up on a contended lock. */
const LOCK_ATTEMPTS_MAX = 3;
export const LOCK_FORMAT_VERSION = 1;

export interface LockRecord extends ProcessIdentity {
  readonly format: number;
  /** Tells apart two lock attempts of one process (two log instances on one directory). */
  readonly nonce: string;
}

let nonceSequence = 0;

export function encodeLockRecord(record: LockRecord): Buffer {
  return Buffer.from(JSON.stringify(record) + '\n');
}

export function decodeLockRecord(bytes: Buffer): LockRecord | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<LockRecord>;
    const valid =
      parsed.format === LOCK_FORMAT_VERSION &&
      Number.isSafeInteger(parsed.pid) &&
      (parsed.startTicks === null || Number.isSafeInteger(parsed.startTicks)) &&
      typeof parsed.hostname === 'string' &&
      typeof parsed.nonce === 'string';
    return valid ? (parsed as LockRecord) : undefined;
  } catch {
    return undefined;
  }
}

export class DirectoryLock {
  private constructor(
    private readonly fs: Fs,
    private readonly path: string,
    private readonly record: LockRecord,
  ) {}

  static async acquire(fs: Fs, dir: string, probe: ProcessProbe): Promise<DirectoryLock> {
    const self = await probe.self();
    const record: LockRecord = { format: LOCK_FORMAT_VERSION, ...self, nonce: `${self.pid}-${++nonceSequence}` };
    const lockPath = posix.join(dir, LOCK_FILE_NAME);
    const tempPath = posix.join(dir, `${LOCK_FILE_NAME}.${record.nonce}.tmp`);
    await fs.writeFile(tempPath, encodeLockRecord(record));
    try {
      for (let attempt = 0; attempt < LOCK_ATTEMPTS_MAX; attempt++) {
        try {
          await fs.link(tempPath, lockPath);
          return new DirectoryLock(fs, lockPath, record);
        } catch (error) {
          if (!hasErrorCode(error, 'EEXIST')) throw error;
        }
        const holder = await readLock(fs, lockPath);
        if (holder === undefined) continue; // released meanwhile: try again
        if (await probe.isAlive(holder)) throw lockedError(dir, holder);
        await takeOverStale(fs, dir, lockPath, holder, record.nonce);
      }
      throw new LogConfigurationError(
        `could not take the lock of ${dir}: it changed hands ${LOCK_ATTEMPTS_MAX} times`,
        {
          dir,
        },
      );
    } finally {
      await fs.unlink(tempPath).catch(() => undefined);
    }
  }

  /** Removes the lock if it is still ours (it always should be). */
  async release(): Promise<void> {
    const current = await readLock(this.fs, this.path).catch(() => undefined);
    if (current?.nonce === this.record.nonce) await this.fs.unlink(this.path).catch(() => undefined);
  }
}

async function readLock(fs: Fs, lockPath: string): Promise<LockRecord | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(lockPath);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const record = decodeLockRecord(bytes);
  if (!record) {
    throw new LogConfigurationError(
      `lock file ${lockPath} is not a Cairn lock; remove it only if no process uses this directory`,
      { lockPath, content: bytes.toString('utf8', 0, 200) },
    );
  }
  return record;
}

/**
 * Moves a dead owner's lock aside. Two processes may judge the same stale lock at once; the
 * rename lets one of them move it, and whoever finds that it moved a different (live) lock puts
 * it back and reports it as the holder.
 */
async function takeOverStale(fs: Fs, dir: string, lockPath: string, stale: LockRecord, nonce: string): Promise<void> {
  const asidePath = posix.join(dir, `${LOCK_FILE_NAME}.stale.${nonce}`);
  try {
    await fs.rename(lockPath, asidePath);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return;
    throw error;
  }
  const moved = decodeLockRecord(await fs.readFile(asidePath));
  if (moved?.nonce !== stale.nonce) {
    await fs.link(asidePath, lockPath).catch(() => undefined);
    await fs.unlink(asidePath).catch(() => undefined);
    if (moved) throw lockedError(dir, moved);
    return;
  }
  await fs.unlink(asidePath);
}

function lockedError(dir: string, holder: LockRecord): LogLockedError {
  const startedAt =
    holder.startTicks === null
      ? `unknown time (no /proc) on ${holder.hostname}`
      : `at clock tick ${holder.startTicks} after boot on ${holder.hostname}`;
  return new LogLockedError({ dir, pid: holder.pid, startedAt });
}
