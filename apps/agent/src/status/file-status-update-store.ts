import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { healthReportSchema, readinessReportSchema, TASK_STATE_SCHEMA } from '../protocol/agent-protocol';
import type { StatusUpdateStore, StoredUpdate } from './status-update-store';

export const STATUS_UPDATES_DIR = 'status-updates';
const TEMP_SUFFIX = '.tmp';
const SET_ASIDE_SUFFIX = '.unreadable';
/** Zero-padded so that a directory listing sorts like the numbers. */
const SEQ_DIGITS = 12;
const FILE_PATTERN = /^(\d+)-([A-Za-z0-9-]+)\.json$/;

const storedUpdateSchema = z.object({
  updateId: z.string().min(1),
  taskId: z.string().min(1),
  state: TASK_STATE_SCHEMA,
  reason: z.string().nullable(),
  message: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  at: z.string(),
  // A check transition must come back with its verdict, or it would be resent as a bare RUNNING.
  health: healthReportSchema.optional(),
  readiness: readinessReportSchema.optional(),
});

/**
 * One file per update, `<workDir>/status-updates/<seq>-<updateId>.json`: written to a temporary
 * name, fsynced, renamed into place, then the directory fsynced, so after a crash a file is
 * either whole or absent (a leftover `.tmp` is deleted on load). Acked updates are deleted.
 *
 * The directory fsyncs of concurrent writes are shared (group commit): a burst of launches makes
 * a burst of RUNNING updates, and one fsync per update kept libuv's four threads busy while the
 * executor's own file work waited behind them (issue 12, launch-real).
 */
export class FileStatusUpdateStore implements StatusUpdateStore {
  readonly dir: string;
  private ready?: Promise<unknown>;
  /** The directory fsync under way, and the next one, which every write that asks meanwhile shares. */
  private dirSyncRunning: Promise<void> | null = null;
  private dirSyncNext: Promise<void> | null = null;

  constructor(workDir: string) {
    this.dir = join(workDir, STATUS_UPDATES_DIR);
  }

  async load(): Promise<{ updates: StoredUpdate[]; setAside: string[] }> {
    await this.ensureDir();
    const updates: StoredUpdate[] = [];
    const setAside: string[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      if (name.endsWith(TEMP_SUFFIX)) {
        await rm(join(this.dir, name), { force: true }); // never renamed into place: never acknowledged as written
        continue;
      }
      if (name.endsWith(SET_ASIDE_SUFFIX)) continue;
      const stored = await this.read(name);
      if (stored) {
        updates.push(stored);
      } else {
        // Kept for a person to look at, out of the way of later loads.
        await rename(join(this.dir, name), join(this.dir, name + SET_ASIDE_SUFFIX));
        setAside.push(name);
      }
    }
    return { updates: updates.sort((a, b) => a.seq - b.seq), setAside };
  }

  async write(stored: StoredUpdate): Promise<void> {
    await this.ensureDir();
    const target = join(this.dir, fileName(stored));
    const file = await open(target + TEMP_SUFFIX, 'w');
    try {
      await file.writeFile(JSON.stringify(stored.update));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(target + TEMP_SUFFIX, target);
    await this.syncDir();
  }

  async remove(stored: StoredUpdate): Promise<void> {
    // No directory fsync: an update that reappears after a crash is resent with its id, and the
    // master acks a duplicate without recording it again.
    await rm(join(this.dir, fileName(stored)), { force: true });
  }

  private async read(name: string): Promise<StoredUpdate | undefined> {
    const match = FILE_PATTERN.exec(name);
    if (!match) return undefined;
    try {
      const parsed = storedUpdateSchema.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
      if (!parsed.success || parsed.data.updateId !== match[2]) return undefined;
      return { seq: Number(match[1]), update: parsed.data };
    } catch {
      return undefined;
    }
  }

  private ensureDir(): Promise<unknown> {
    this.ready ??= mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /**
   * Resolves once a directory fsync that began after this call has ended: one under way may have
   * begun before the caller's rename, so a caller that finds one waits for the next.
   */
  private syncDir(): Promise<void> {
    if (this.dirSyncRunning === null) {
      this.dirSyncRunning = this.fsyncDir().finally(() => {
        this.dirSyncRunning = null;
      });
      return this.dirSyncRunning;
    }
    this.dirSyncNext ??= this.dirSyncRunning.then(
      () => this.startNextDirSync(),
      () => this.startNextDirSync(),
    );
    return this.dirSyncNext;
  }

  private startNextDirSync(): Promise<void> {
    this.dirSyncNext = null;
    return this.syncDir();
  }

  /** One fsync of the directory (its own method: the spec counts them). */
  protected async fsyncDir(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function fileName(stored: StoredUpdate): string {
  return `${String(stored.seq).padStart(SEQ_DIGITS, '0')}-${stored.update.updateId}.json`;
}
