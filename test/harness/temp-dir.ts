import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLEANUP_ORDER, onFileEnd, testFileFailed } from './test-run';

const created: string[] = [];

/**
 * A fresh directory under the OS temp dir, removed after this test file, except when a test
 * failed and CAIRN_KEEP_TMP is set (then its path is printed for a post-mortem).
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cairn-${prefix.replace(/[^a-zA-Z0-9_-]/g, '_')}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  const keep = Boolean(process.env.CAIRN_KEEP_TMP) && testFileFailed();
  for (const dir of created.splice(0)) {
    if (keep) {
      process.stderr.write(`[harness] kept ${dir} (a test failed and CAIRN_KEEP_TMP is set)\n`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

onFileEnd(CLEANUP_ORDER.tempDirs, removeTempDirs);
