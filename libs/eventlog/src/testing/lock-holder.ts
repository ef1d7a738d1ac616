import { spawn } from 'node:child_process';
import { LOCK_FILE_NAME, LOCK_FORMAT_VERSION } from '../file/lock-file';

/** A live process holding a log directory's writer lock (for the stale-lock contract case). */
export interface LockHolderProcess {
  readonly pid: number;
  /** SIGKILLs the process (no chance to release the lock) and waits until it is reaped. */
  kill(): Promise<void>;
}

/** How long the child may take to start and write the lock. */
const LOCK_HOLDER_START_TIMEOUT_MS = 10_000;

/**
 * Starts `node -e` with a script that takes the lock exactly as DirectoryLock does (same file
 * name, same record, same link-based create) and then idles. It is plain JS so it needs no
 * build; the contract case checks compatibility by expecting LogLockedError naming its pid
 * while it lives.
 */
export function lockHolderScript(): string {
  return `
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const dir = process.argv[1];
const stat = fs.readFileSync('/proc/self/stat', 'utf8');
const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\\s+/);
const record = {
  format: ${LOCK_FORMAT_VERSION},
  pid: process.pid,
  startTicks: Number(fields[22 - 3]),
  hostname: os.hostname(),
  nonce: process.pid + '-holder',
};
const temp = path.join(dir, ${JSON.stringify(LOCK_FILE_NAME)} + '.' + record.nonce + '.tmp');
fs.writeFileSync(temp, JSON.stringify(record) + '\\n');
fs.linkSync(temp, path.join(dir, ${JSON.stringify(LOCK_FILE_NAME)}));
fs.unlinkSync(temp);
process.stdout.write('locked\\n');
setInterval(() => {}, 60000);
`;
}

export function spawnLockHolder(dir: string): Promise<LockHolderProcess> {
  const child = spawn(process.execPath, ['-e', lockHolderScript(), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise<LockHolderProcess>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => fail(new Error('lock holder did not start in time')), LOCK_HOLDER_START_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      void kill().then(() => reject(error));
    };
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('locked')) return;
      clearTimeout(timer);
      resolve({ pid: child.pid!, kill });
    });
    child.once('exit', (code) => fail(new Error(`lock holder exited (${code}) before taking the lock: ${stderr}`)));
    child.once('error', fail);
  });
}
