import { execFile } from 'node:child_process';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * Writes a candidate configuration beside `path`, has HAProxy check it (`haproxy -c -f`), and
 * only then renames it over `path`: the file HAProxy reloads from is always whole and valid,
 * also if the bridge dies half-way.
 */
export async function installConfig(binary: string, path: string, text: string): Promise<void> {
  const candidate = `${path}.next`;
  const fd = openSync(candidate, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    await checkConfig(binary, candidate);
  } catch (error) {
    rmSync(candidate, { force: true });
    throw error;
  }
  renameSync(candidate, path);
}

export function checkConfig(binary: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-c', '-q', '-f', path], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (error)
        reject(new Error(`haproxy -c -f ${path} refused the configuration: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}
