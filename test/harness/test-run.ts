import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentTestFailed, registerAfterAll, registerAfterEach } from './jest-hooks';

/**
 * The directory shared by one whole test run: test/run-tests.js sets CAIRN_TEST_RUN_DIR and sweeps
 * what is left in it at the end. A developer running one file with `npx jest` has no such
 * directory, so each jest worker makes its own under the OS temp dir.
 */
let runDir: string | undefined;
let ownRunDir = false;

export function testRunDir(): string {
  if (runDir === undefined) {
    ownRunDir = !process.env.CAIRN_TEST_RUN_DIR;
    runDir = process.env.CAIRN_TEST_RUN_DIR || mkdtempSync(join(tmpdir(), 'cairn-jest-run-'));
    mkdirSync(runDir, { recursive: true });
  }
  return runDir;
}

/** One pid file per live process this run started: `<run dir>/pids/<pid>.json`. */
export function pidsDir(): string {
  const dir = join(testRunDir(), 'pids');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Whether a test in this file failed, so temp dirs can be kept for a post-mortem (CAIRN_KEEP_TMP).
// Only a failure jest reports counts (when it cannot tell, the dirs are removed: they would pile up).
let failureSeen = false;

registerAfterEach(() => {
  if (currentTestFailed() === true) failureSeen = true;
}, 5_000);

export function testFileFailed(): boolean {
  return failureSeen;
}

/** Marks the file as failed (e.g. a start in beforeAll that threw before any test ran). */
export function markFailed(): void {
  failureSeen = true;
}

/** Cleanup steps run once at the end of the test file, lowest `order` first. */
/**
 * Processes (masters, agents) stop first; then the logs they wrote are verified (verify-logs.ts)
 * while the brokers that hold them still run; then brokers stop; temp dirs go last.
 */
export const CLEANUP_ORDER = { processes: 0, verifyLogs: 1, brokers: 2, tempDirs: 3 } as const;
const CLEANUP_TIMEOUT_MS = 120_000;
const cleanups: { order: number; fn: () => unknown | Promise<unknown> }[] = [];

export function onFileEnd(order: number, fn: () => unknown | Promise<unknown>): void {
  cleanups.push({ order, fn });
}

// Registered when the harness is first imported, i.e. at the top level of the test file, so it
// is a file-level afterAll and runs after the file's own describe-level afterAll hooks.
registerAfterAll(async () => {
  const errors: unknown[] = [];
  for (const { fn } of [...cleanups].sort((a, b) => a.order - b.order)) {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  }
  removeOwnRunDirIfEmpty();
  if (errors.length > 0) throw errors[0];
}, CLEANUP_TIMEOUT_MS);

/** Our own run dir goes once no pid file is left in it (a leftover pid file keeps it, as evidence). */
function removeOwnRunDirIfEmpty(): void {
  if (!ownRunDir || runDir === undefined) return;
  const pids = join(runDir, 'pids');
  let left: string[] = [];
  try {
    left = readdirSync(pids);
  } catch {
    // no pid dir: nothing was spawned
  }
  if (left.length === 0) {
    rmSync(runDir, { recursive: true, force: true });
    runDir = undefined;
  }
}
