import { freePort } from '../core/free-port';
import { CairnProcess } from './cairn-process';
import { MasterHttp, waitUntilServing } from './master-http';

/** A master on the file log answers once it has replayed (an empty log here): seconds at most. */
const READY_TIMEOUT_MS = 30_000;

export interface BenchMasterOptions {
  readonly dataDir: string;
  readonly agentToken: string;
  /** CAIRN_TICK_MS: how often the scheduler ticks (it also ticks at once when demand changes). */
  readonly tickMs: number;
  readonly seed: string;
  /** More of the master's environment (CAIRN_AGENT_UNREACHABLE_SECONDS, …), over the defaults above. */
  readonly env?: Record<string, string>;
  /** How long it may take to answer (a restart on a large log replays first); default READY_TIMEOUT_MS. */
  readonly readyTimeoutMs?: number;
}

/** `cairn master` (compiled) on the file log in its own data dir, on a free loopback port. */
export class BenchMaster {
  private constructor(
    readonly process: CairnProcess,
    readonly url: string,
    readonly http: MasterHttp,
  ) {}

  static async start(options: BenchMasterOptions): Promise<BenchMaster> {
    const port = await freePort();
    const proc = CairnProcess.spawn('master', ['master'], {
      logDir: options.dataDir,
      env: {
        CAIRN_LOG: 'file',
        CAIRN_DATA_DIR: options.dataDir,
        CAIRN_HOST: '127.0.0.1',
        CAIRN_PORT: String(port),
        CAIRN_AGENT_TOKEN: options.agentToken,
        CAIRN_TICK_MS: String(options.tickMs),
        CAIRN_SEED: options.seed,
        CAIRN_LOG_LEVEL: 'warn',
        ...options.env,
      },
    });
    const url = `http://127.0.0.1:${port}`;
    const http = new MasterHttp(url);
    try {
      await waitUntilServing(http, {
        timeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
        exited: () => proc.exitStatus() !== undefined,
        describe: () => proc.logTail(),
      });
    } catch (error) {
      http.close();
      await proc.stop('SIGKILL').catch(() => undefined);
      throw error;
    }
    return new BenchMaster(proc, url, http);
  }

  /** SIGTERM and wait; an error (with its output) if it did not exit cleanly. */
  async stop(): Promise<void> {
    this.http.close();
    const status = await this.process.stop('SIGTERM');
    if (status.code !== 0 && status.signal !== 'SIGTERM') {
      throw new Error(`the master exited with ${status.code ?? status.signal}\n${this.process.logTail()}`);
    }
  }
}
