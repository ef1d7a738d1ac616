import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { baseChildEnv, requireKafkaBrokers, withEnv } from './child-env';
import { freePort } from './free-port';
import { HttpClient, httpClient, Json } from './http-client';
import { describeLogs, openLogFiles, ProcessLogFiles, readLog } from './process-logs';
import { ExitStatus, spawnTracked, TrackedProcess } from './process-registry';
import { requireBuiltCli } from './repo-paths';
import { tempDir } from './temp-dir';
import { markFailed } from './test-run';
import { trackLogForVerification } from './verify-logs';
import { waitFor } from './wait-for';

export type Backend = 'file' | 'kafka';
export const BACKENDS: readonly Backend[] = ['file', 'kafka'];

export interface StartMasterOptions {
  readonly backend: Backend;
  /** Reuse a data dir (e.g. a second master on the same files); default: a fresh temp dir. */
  readonly dataDir?: string;
  /** Default: unique per call (`t-<hex>`), so Kafka topics never collide between tests. */
  readonly cluster?: string;
  /** Extra variables for the master; `undefined` removes one. */
  readonly env?: Record<string, string | undefined>;
  /** false: return as soon as the process is spawned (the caller watches it become ready). */
  readonly waitUntilReady?: boolean;
  readonly readyTimeoutMs?: number;
  /** Sent as `Authorization: Bearer` by the handle's client (a master with CAIRN_AUTH_FILE). */
  readonly token?: string;
}

/** GET /v1/info: Cairn's view of its log (Marathon's /v2/info carries no Cairn fields). */
export interface MasterInfo {
  readonly logBackend: string;
  readonly cluster: string;
  readonly appliedOffset: number;
  readonly endOffset: number;
  readonly [field: string]: Json;
}

export interface RestartOptions {
  /** SIGTERM (a clean stop, the default) or SIGKILL (a crash). */
  readonly signal?: 'SIGTERM' | 'SIGKILL';
}

const READY_TIMEOUT_MS: Record<Backend, number> = { file: 20_000, kafka: 60_000 };
const READY_POLL_INTERVAL_MS = 50;
const STOP_TIMEOUT_MS = 20_000;
const OFFSET_WAIT_TIMEOUT_MS = 20_000;

/** A `cairn master` process started by a test: its address, its files, and how to stop it. */
export class MasterHandle {
  readonly http: HttpClient = httpClient(
    () => this.url,
    (): Record<string, string> => (this.token ? { authorization: `Bearer ${this.token}` } : {}),
  );
  /** Sent as a Bearer token with every request of `http` (see StartMasterOptions.token). */
  token: string | undefined;
  private current!: TrackedProcess;
  private currentPort!: number;
  private starts = 0;
  private logs!: ProcessLogFiles;
  /** The log this master writes is verified when the test file ends (verify-logs.ts). */
  private readonly verification: { markServed(): void };

  constructor(
    readonly backend: Backend,
    readonly dataDir: string,
    readonly cluster: string,
    private readonly extraEnv: Record<string, string | undefined>,
    private readonly readyTimeoutMs: number,
  ) {
    this.verification = trackLogForVerification({
      backend,
      dataDir,
      cluster,
      env: { ...extraEnv, KAFKA_BROKERS: extraEnv.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS },
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.currentPort}`;
  }
  get port(): number {
    return this.currentPort;
  }
  get pid(): number {
    return this.current.pid;
  }
  get process(): TrackedProcess {
    return this.current;
  }
  /** Resolves when the current process exits. */
  get exited(): Promise<ExitStatus> {
    return this.current.exited;
  }
  get logFiles(): ProcessLogFiles {
    return this.logs;
  }

  /** What `cairn replay` and the API commands of the CLI need to reach the same log and master. */
  cliEnv(): Record<string, string> {
    const env: Record<string, string> = {
      CAIRN_MASTER: this.url,
      CAIRN_LOG: this.backend,
      CAIRN_DATA_DIR: this.dataDir,
      CAIRN_CLUSTER: this.cluster,
    };
    const brokers = this.extraEnv.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS; // a test's own cluster first
    if (brokers) env.KAFKA_BROKERS = brokers;
    if (this.token) env.CAIRN_TOKEN = this.token;
    return env;
  }

  stdout(): string {
    return readLog(this.logs.stdoutPath);
  }
  stderr(): string {
    return readLog(this.logs.stderrPath);
  }
  describeLogs(): string {
    return describeLogs(`master ${this.cluster} (pid ${this.current.pid}, start ${this.starts})`, this.logs);
  }

  /** Spawns the master (again, after stop/kill: same data dir and cluster, a new port). */
  async start(options: { waitUntilReady?: boolean } = {}): Promise<void> {
    if (this.current && !this.current.exitStatus()) throw new Error(`master ${this.cluster} is already running`);
    this.starts += 1;
    this.currentPort = await freePort();
    const logDir = join(this.dataDir, 'test-logs');
    mkdirSync(logDir, { recursive: true });
    this.logs = {
      stdoutPath: join(logDir, `master-${this.starts}.stdout.log`),
      stderrPath: join(logDir, `master-${this.starts}.stderr.log`),
    };
    const files = openLogFiles(this.logs);
    try {
      this.current = spawnTracked(process.execPath, [requireBuiltCli(), 'master'], {
        env: this.env(),
        stdio: ['ignore', files.fds[0], files.fds[1]],
      });
    } finally {
      files.close();
    }
    if (options.waitUntilReady ?? true) await this.waitUntilReady();
  }

  /** Polls /v1/info until it answers 200, then checks that the master runs the backend we asked for. */
  async waitUntilReady(timeoutMs = this.readyTimeoutMs): Promise<MasterInfo> {
    const proc = this.current;
    const info = await waitFor(
      async () => {
        const status = proc.exitStatus();
        if (status) {
          throw new FatalWaitError(`master exited before it was ready (code ${status.code}, signal ${status.signal})`);
        }
        const res = await this.http.get<MasterInfo>('/v1/info', { timeoutMs: 2_000 });
        return res.status === 200 ? res.body : undefined;
      },
      {
        timeoutMs,
        intervalMs: READY_POLL_INTERVAL_MS,
        describe: `master ${this.cluster} (${this.backend}) at ${this.url} to answer /v1/info with 200`,
        onTimeout: () => this.describeLogs(),
        abortOn: (err) => err instanceof FatalWaitError,
      },
    ).catch((err: Error) => {
      markFailed();
      if (err instanceof FatalWaitError) throw new Error(`${err.message}\n${this.describeLogs()}`);
      throw err;
    });
    this.verification.markServed();
    if (info.logBackend !== this.backend || info.cluster !== this.cluster) {
      throw new Error(
        `master reports backend ${info.logBackend} and cluster ${info.cluster}; ` +
          `the test asked for ${this.backend} and ${this.cluster}`,
      );
    }
    return info;
  }

  /** SIGTERM to the master's process group, then waits for a clean exit (SIGKILL and an error if none). */
  async stop(): Promise<ExitStatus> {
    const proc = this.current;
    const done = proc.exitStatus();
    if (done) return done;
    proc.signalGroup('SIGTERM');
    const status = await Promise.race([proc.exited, timeout(STOP_TIMEOUT_MS)]);
    if (status) return status;
    proc.signalGroup('SIGKILL');
    await proc.exited;
    throw new Error(
      `master ${this.cluster} did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${this.describeLogs()}`,
    );
  }

  /** SIGKILL: a crash, nothing flushed. */
  async kill(): Promise<ExitStatus> {
    const proc = this.current;
    const done = proc.exitStatus();
    if (done) return done;
    proc.signalGroup('SIGKILL');
    return proc.exited;
  }

  /** Stops (SIGTERM) or kills (SIGKILL) the master, starts it again; resolves with how it stopped. */
  async restart(options: RestartOptions = {}): Promise<ExitStatus> {
    const status = (options.signal ?? 'SIGTERM') === 'SIGKILL' ? await this.kill() : await this.stop();
    await this.start();
    return status;
  }

  async info(): Promise<MasterInfo> {
    const res = await this.http.get<MasterInfo>('/v1/info');
    if (res.status !== 200) throw new Error(`GET /v1/info answered ${res.status}: ${res.text}`);
    return res.body;
  }

  /** Waits until the master has applied the log up to `offset` (e.g. another writer's X-Cairn-Offset). */
  waitForOffset(offset: number, timeoutMs = OFFSET_WAIT_TIMEOUT_MS): Promise<MasterInfo> {
    return waitFor(
      async () => {
        const info = await this.info();
        return info.appliedOffset >= offset ? info : undefined;
      },
      { timeoutMs, describe: `master ${this.cluster} to apply offset ${offset}`, onTimeout: () => this.describeLogs() },
    );
  }

  private env(): NodeJS.ProcessEnv {
    return withEnv(baseChildEnv(), {
      CAIRN_PORT: String(this.currentPort),
      CAIRN_HOST: '127.0.0.1',
      CAIRN_LOG: this.backend,
      CAIRN_DATA_DIR: this.dataDir,
      CAIRN_CLUSTER: this.cluster,
      KAFKA_BROKERS:
        this.backend === 'kafka' ? (this.extraEnv.KAFKA_BROKERS ?? requireKafkaBrokers()) : process.env.KAFKA_BROKERS,
      // The suite loads both cores (jest, the broker, masters, agents): slow election timings, so a
      // starved master's late heartbeat never deposes it mid-test. HA tests set their own.
      CAIRN_ELECTION_HEARTBEAT_MS: String(TEST_ELECTION.heartbeatMs),
      CAIRN_ELECTION_TIMEOUT_MS: String(TEST_ELECTION.timeoutMs),
      ...this.extraEnv,
    });
  }
}

/** Election timings of the suite's masters (production defaults are faster: README). */
export const TEST_ELECTION = { heartbeatMs: 300, timeoutMs: 3_000 } as const;

/** A wait that cannot succeed any more (the process died): stop polling at once. */
class FatalWaitError extends Error {}

function timeout(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

export function uniqueCluster(): string {
  return `t-${randomBytes(5).toString('hex')}`;
}

/**
 * Starts `node dist/apps/cli/src/main.js master` on a free port with its own data dir and cluster,
 * and (by default) waits until /v1/info answers 200 on the requested backend.
 */
export async function startMaster(options: StartMasterOptions): Promise<MasterHandle> {
  if (options.backend === 'kafka' && !options.env?.KAFKA_BROKERS) requireKafkaBrokers();
  const master = new MasterHandle(
    options.backend,
    options.dataDir ?? tempDir(`master-${options.backend}`),
    options.cluster ?? uniqueCluster(),
    options.env ?? {},
    options.readyTimeoutMs ?? READY_TIMEOUT_MS[options.backend],
  );
  master.token = options.token;
  await master.start({ waitUntilReady: options.waitUntilReady });
  return master;
}
