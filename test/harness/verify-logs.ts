import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { CLI_MAIN } from './repo-paths';
import { CLEANUP_ORDER, markFailed, onFileEnd } from './test-run';

/**
 * Every log a test file's masters wrote is verified when the file ends (docs/verify.md): the hash
 * chain, checksums, and that a replay folds the state hashes its leaders recorded. The verifier
 * runs in this process from the compiled master (dist/, like the masters the tests started), not
 * as a `cairn verify` process per log, to keep the suite's time down. A failure fails the file.
 *
 * A test that damages a log on purpose opts out: skipLogVerification(master, why).
 * CAIRN_TEST_VERIFY_LOGS=0 turns it off (e.g. to time the suite without it).
 */

/** What identifies a log and how a master was configured to reach it. */
export interface VerifiableLog {
  readonly backend: 'file' | 'kafka';
  readonly dataDir: string;
  readonly cluster: string;
  /** The master's CAIRN_* / KAFKA_* variables (brokers, TLS, SASL). */
  readonly env: Record<string, string | undefined>;
}

interface Tracked {
  readonly log: VerifiableLog;
  /** Only logs a master served from are verified (a master that never started wrote nothing). */
  served: boolean;
  skipped: string | null;
  verified: boolean;
}

/** Per log, a bound: a verify of a test's small log takes well under a second. */
const VERIFY_TIMEOUT_MS = 60_000;
const tracked = new Map<string, Tracked>();

function keyOf(log: VerifiableLog): string {
  return log.backend === 'file' ? `file:${resolve(log.dataDir)}` : `kafka:${log.env.KAFKA_BROKERS}:${log.cluster}`;
}

/** Called for every master a test starts; a log shared by several masters is verified once. */
export function trackLogForVerification(log: VerifiableLog): { markServed(): void } {
  const key = keyOf(log);
  const entry = tracked.get(key) ?? { log, served: false, skipped: null, verified: false };
  tracked.set(key, entry);
  return { markServed: () => void (entry.served = true) };
}

/** For a test that damages or hand-writes its log on purpose: not verified at the end. */
export function skipLogVerification(master: Pick<VerifiableLog, 'backend' | 'dataDir' | 'cluster'>, why: string): void {
  for (const entry of tracked.values()) {
    const { log } = entry;
    const same =
      log.backend === master.backend &&
      (log.backend === 'file' ? resolve(log.dataDir) === resolve(master.dataDir) : log.cluster === master.cluster);
    if (same) entry.skipped = why;
  }
}

interface VerifierModules {
  loadConfig(env: NodeJS.ProcessEnv): unknown;
  verifyConfiguredLog(config: unknown): Promise<VerifyReport>;
}

interface VerifyReport {
  readonly records: number;
  readonly events: number;
  readonly checkpoints: readonly { matches: boolean | null }[];
  readonly failure: { kind: string; offset: number | null; message: string } | null;
}

/** The compiled master next to the CLI the tests run (CAIRN_TEST_CLI may point at another build). */
function verifier(): VerifierModules {
  const outDir = resolve(dirname(CLI_MAIN), '..', '..', '..');
  const load = createRequire(join(outDir, 'package.json'));
  const verifyPath = join(outDir, 'apps', 'master', 'src', 'verify', 'verify.js');
  if (!existsSync(verifyPath)) throw new Error(`${verifyPath} does not exist: run \`npm run build\``);
  const { verifyConfiguredLog } = load(verifyPath) as Pick<VerifierModules, 'verifyConfiguredLog'>;
  const { loadConfig } = load(join(outDir, 'apps', 'master', 'src', 'config', 'cairn-config.js')) as Pick<
    VerifierModules,
    'loadConfig'
  >;
  return { verifyConfiguredLog, loadConfig };
}

/**
 * Verifies every log tracked so far that is not verified yet. Call it from an afterAll that stops
 * a broker the file started itself (before stopping it); the file's end runs it for the rest.
 */
export async function verifyStartedLogs(): Promise<void> {
  if (process.env.CAIRN_TEST_VERIFY_LOGS === '0') return;
  const due = [...tracked.values()].filter((t) => t.served && !t.skipped && !t.verified);
  if (due.length === 0) return;
  const { verifyConfiguredLog, loadConfig } = verifier();
  const failures: string[] = [];
  const startedAt = Date.now();
  for (const entry of due) {
    entry.verified = true;
    const { log } = entry;
    const where = log.backend === 'file' ? log.dataDir : `topic ${log.cluster}.events`;
    const config = loadConfig({
      ...log.env,
      CAIRN_LOG: log.backend,
      CAIRN_DATA_DIR: log.dataDir,
      CAIRN_CLUSTER: log.cluster,
    } as NodeJS.ProcessEnv);
    const report = await withTimeout(verifyConfiguredLog(config), VERIFY_TIMEOUT_MS, `verify of ${where}`).catch(
      (error: Error) => ({ failure: { kind: 'error', offset: null, message: error.message } }) as VerifyReport,
    );
    if (report.failure) {
      const { kind, offset, message } = report.failure;
      failures.push(`${where}: ${kind} at offset ${offset ?? '?'}: ${message}`);
    }
  }
  // The suite's cost of verifying, for CI timing (docs/verify.md has the measured figures).
  process.stderr.write(`[harness] verified ${due.length} log(s) in ${Date.now() - startedAt} ms\n`);
  if (failures.length > 0) {
    markFailed(); // keep the temp dirs with CAIRN_KEEP_TMP: the log is the evidence
    throw new Error(`cairn verify failed on a log this test file wrote:\n  ${failures.join('\n  ')}`);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

onFileEnd(CLEANUP_ORDER.verifyLogs, verifyStartedLogs);
