import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { baseChildEnv } from './child-env';
import { ExitStatus, spawnTracked, TrackedProcess } from './process-registry';
import { REPO_ROOT } from './repo-paths';
import { tempDir } from './temp-dir';

export const HAPROXY_BRIDGE_MAIN = join(REPO_ROOT, 'dist', 'apps', 'haproxy-bridge', 'src', 'main.js');

/** Debian's haproxy, or a loud failure: this test is never skipped for want of it. */
export function requireHaproxy(): string {
  try {
    return execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    throw new Error(
      "haproxy is not installed: the HAProxy bridge e2e test needs Debian's haproxy on the PATH. " +
        '.ci/run installs it; by hand: `apt-get install -y haproxy`.',
    );
  }
}

/** One JSON line the bridge logged, with the time this process read it. */
export interface BridgeLogLine {
  readonly seenAt: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface StartBridgeOptions {
  readonly brokers: string;
  readonly cluster: string;
  readonly bindAddress?: string;
  readonly debounceMs?: number;
}

/** The compiled bridge (dist/apps/haproxy-bridge), its stdout parsed line by line as it comes. */
export class HaproxyBridgeHandle {
  readonly lines: BridgeLogLine[] = [];
  private stderrText = '';
  private partial = '';

  constructor(
    readonly process: TrackedProcess,
    readonly workDir: string,
  ) {
    process.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    process.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
  }

  /** The lines with this `msg`. */
  logged(msg: string): BridgeLogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  describeLogs(): string {
    const tail = this.lines.slice(-40).map((line) => JSON.stringify(line));
    return [
      '--- haproxy bridge stdout (last 40 lines) ---',
      ...tail,
      '--- stderr ---',
      this.stderrText.slice(-4000),
    ].join('\n');
  }

  /** SIGTERM, and the bridge's exit (it stops its HAProxy first). */
  async stop(timeoutMs = 15_000): Promise<ExitStatus> {
    if (!this.process.exitStatus()) this.process.child.kill('SIGTERM');
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
    const status = await Promise.race([this.process.exited, timer]);
    if (!status)
      throw new Error(`the haproxy bridge did not exit within ${timeoutMs} ms of SIGTERM\n${this.describeLogs()}`);
    return status;
  }

  private onStdout(chunk: string): void {
    const seenAt = Date.now();
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        this.lines.push({ ...(JSON.parse(line) as { msg: string }), seenAt });
      } catch {
        this.lines.push({ msg: 'unparsed', text: line, seenAt }); // haproxy's own output goes here too
      }
    }
  }
}

export function startHaproxyBridge(options: StartBridgeOptions): HaproxyBridgeHandle {
  if (!existsSync(HAPROXY_BRIDGE_MAIN)) {
    throw new Error(`${HAPROXY_BRIDGE_MAIN} does not exist: run \`npm run build\` before the e2e tests`);
  }
  const workDir = tempDir('hab');
  const args = [
    HAPROXY_BRIDGE_MAIN,
    '--brokers',
    options.brokers,
    '--cluster',
    options.cluster,
    '--bind-address',
    options.bindAddress ?? '127.0.0.1',
    '--work-dir',
    workDir,
    '--debounce-ms',
    String(options.debounceMs ?? 100),
  ];
  const child = spawnTracked(process.execPath, args, { env: baseChildEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return new HaproxyBridgeHandle(child, workDir);
}
