import { ChildProcess, spawn } from 'node:child_process';
import { Logger } from '../log';
import { unixSocketCommand } from './unix-socket-command';

export interface HaproxyProcessOptions {
  readonly binary: string;
  readonly configPath: string;
  /** The master CLI (`-S`): the bridge asks it whether a reload has finished. */
  readonly masterSocket: string;
  readonly log: Logger;
  /** Called when HAProxy's master exits without stop() having been called. */
  readonly onUnexpectedExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const START_TIMEOUT_MS = 10_000;
const RELOAD_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 20;

interface MasterView {
  readonly reloads: number;
  readonly failed: number;
  readonly workers: number[];
}

/**
 * HAProxy in master-worker mode (`-W`), owned by the bridge. A reload is SIGUSR2 to the master:
 * it re-reads the configuration and starts new workers, which take the listening sockets over
 * from the old ones (no refused connection: measured with HAProxy 2.6), while old workers finish
 * their connections. The bridge waits for the master CLI's reload count to move, so "reloaded"
 * means new workers serve the new configuration.
 */
export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private exited: Promise<void> | undefined;

  constructor(private readonly options: HaproxyProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const { binary, configPath, masterSocket } = this.options;
    // Same process group as the bridge: whoever kills the bridge's group kills HAProxy too.
    const child = spawn(binary, ['-W', '-db', '-S', masterSocket, '-f', configPath], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        if (!this.stopping) this.options.onUnexpectedExit(code, signal);
      });
    });
    child.once('error', (error) => this.options.log.error('haproxy could not be started', { error: error.message }));
    const view = await this.waitForMaster((v) => v.workers.length > 0, START_TIMEOUT_MS, 'start');
    this.options.log.info('haproxy started', { pid: child.pid, workers: view.workers });
  }

  /** Reloads the configuration file; resolves once new workers run it, throws if the master refused it. */
  async reload(): Promise<void> {
    const before = await this.masterView();
    this.signal('SIGUSR2');
    const after = await this.waitForMaster((v) => v.reloads > before.reloads, RELOAD_TIMEOUT_MS, 'reload');
    if (after.failed > before.failed) throw new Error('haproxy failed to load the new configuration');
  }

  /** Stops HAProxy (hard stop: the bridge is going away) and waits for it to exit. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopping = true;
    this.signal('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      this.options.log.warn('haproxy ignored SIGTERM; killing it', { pid: this.child.pid });
      this.signal('SIGKILL');
      await this.exited;
    }
  }

  /** For a process 'exit' handler, where nothing asynchronous runs any more. */
  killNow(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.stopping = true;
      this.signal('SIGTERM');
    }
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.child?.kill(signal);
    } catch {
      // already gone
    }
  }

  private async masterView(): Promise<MasterView> {
    return parseShowProc(await unixSocketCommand(this.options.masterSocket, 'show proc'));
  }

  private async waitForMaster(
    done: (view: MasterView) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<MasterView> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null || this.child?.signalCode !== null) {
        throw new Error(`haproxy exited during ${what}`);
      }
      try {
        const view = await this.masterView();
        if (done(view)) return view;
      } catch (error) {
        lastError = (error as Error).message; // the socket is not there yet, or the master is re-executing
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`haproxy ${what} did not finish within ${timeoutMs} ms${lastError ? `: ${lastError}` : ''}`);
  }
}

/**
 * The master CLI's `show proc` (HAProxy 2.6):
 *   #<PID>  <type>  <reloads>  <uptime>  <version>
 *   6578    master  10 [failed: 0]  0d00h00m01s  2.6.12
 *   # workers
 *   7415    worker  0  0d00h00m01s  2.6.12
 *   # old workers
 *   ...
 */
export function parseShowProc(text: string): MasterView {
  let reloads = -1;
  let failed = 0;
  const workers: number[] = [];
  let section = 'master';
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      section = line.slice(2).trim();
      continue;
    }
    const fields = line.trim().split(/\s+/);
    if (fields[1] === 'master') {
      reloads = Number(fields[2]);
      const failedMatch = /\[failed: (\d+)\]/.exec(line);
      if (failedMatch) failed = Number(failedMatch[1]);
    } else if (fields[1] === 'worker' && section === 'workers') {
      workers.push(Number(fields[0]));
    }
  }
  if (reloads < 0) throw new Error(`unexpected 'show proc' answer: ${JSON.stringify(text.slice(0, 200))}`);
  return { reloads, failed, workers };
}
