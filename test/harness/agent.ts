import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { agentIdIn, recordTaskGroups, readSandboxTasks, SandboxTask, sweepWorkDirAtFileEnd } from './agent-work-dir';
import { baseChildEnv, withEnv } from './child-env';
import { Json, sendRequest } from './http-client';
import { describeLogs, openLogFiles, ProcessLogFiles, readLog } from './process-logs';
import { ExitStatus, spawnTracked, TrackedProcess } from './process-registry';
import { requireBuiltCli } from './repo-paths';
import { assertTaskPortsOutsideEphemeral } from './task-port-range';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

/** The agent token the tests give masters and agents (set it explicitly: see TEST_MASTER_AGENT_ENV). */
export const TEST_AGENT_TOKEN = 'cairn-e2e-agent-token-0123456789';

/**
 * Master environment for tests with agents: the token above, and a fast scheduler tick (the
 * default 1 s would make every launch and replacement wait up to a second).
 */
export const TEST_MASTER_AGENT_ENV: Readonly<Record<string, string>> = {
  CAIRN_AGENT_TOKEN: TEST_AGENT_TOKEN,
  CAIRN_TICK_MS: '200',
};

export interface StartAgentOptions {
  /** One master URL or several (`--master a,b`). */
  readonly masterUrl: string | readonly string[];
  /** Default: a fresh temp dir. Reuse one to start an agent on another's tasks. */
  readonly workDir?: string;
  /** `--resources`, e.g. `cpus:2;mem:1024;ports:[31000-31009]` (default: detected). */
  readonly resources?: string;
  readonly hostname?: string;
  /** `--attributes`: `rack=a,zone=1` or `{ rack: 'a' }`. */
  readonly attributes?: string | Readonly<Record<string, string>>;
  /** CAIRN_AGENT_TOKEN for the agent: default TEST_AGENT_TOKEN; `null` starts it without a token. */
  readonly token?: string | null;
  /** Extra variables; `undefined` removes one. */
  readonly env?: Record<string, string | undefined>;
  /** Wait until a master lists the agent as connected (default true). */
  readonly waitUntilConnected?: boolean;
  /** A reader's token for asking the master whether the agent is connected (a master with CAIRN_AUTH_FILE). */
  readonly masterToken?: string;
  readonly connectTimeoutMs?: number;
}

/** One entry of GET /v1/agents. */
export interface AgentView {
  readonly agentId: string;
  readonly hostname: string;
  readonly status: string;
  readonly since: string;
  readonly connected: boolean;
  readonly tasks: number;
  readonly [field: string]: Json;
}

export interface AgentRestartOptions {
  /** SIGTERM (tasks stay, the default), SIGKILL (a crash, tasks stay) or SIGUSR1 (tasks killed). */
  readonly signal?: 'SIGTERM' | 'SIGKILL' | 'SIGUSR1';
}

const CONNECT_TIMEOUT_MS = 20_000;
/** SIGTERM: close the stream and files server. */
const STOP_TIMEOUT_MS = 15_000;
/** SIGUSR1: the tasks get 3 s (KILL_ALL_GRACE_PERIOD_SECONDS) and 2 s margin; more for a slow machine. */
const KILL_TASKS_TIMEOUT_MS = 20_000;

/**
 * A `cairn agent` process started by a test. The agent leads its own process group, but its tasks
 * run in their own sessions: stopping or killing the agent leaves them running (as in production).
 * The work dir is swept at the end of the test file (agent and task groups, also after a SIGKILL).
 */
export class AgentHandle {
  private current!: TrackedProcess;
  private starts = 0;
  private logs!: ProcessLogFiles;
  private spawnedAtMs = 0;
  private readonly logDir: string;

  constructor(
    readonly workDir: string,
    private readonly options: StartAgentOptions,
  ) {
    this.logDir = tempDir('agent-logs');
    sweepWorkDirAtFileEnd(workDir);
  }

  get pid(): number {
    return this.current.pid;
  }
  get process(): TrackedProcess {
    return this.current;
  }
  get exited(): Promise<ExitStatus> {
    return this.current.exited;
  }
  get masterUrls(): string[] {
    return typeof this.options.masterUrl === 'string' ? [this.options.masterUrl] : [...this.options.masterUrl];
  }
  get logFiles(): ProcessLogFiles {
    return this.logs;
  }

  stdout(): string {
    return readLog(this.logs.stdoutPath);
  }
  stderr(): string {
    return readLog(this.logs.stderrPath);
  }
  describeLogs(): string {
    return describeLogs(
      `agent ${this.options.hostname ?? ''} (pid ${this.current.pid}, start ${this.starts})`,
      this.logs,
    );
  }

  /** The id the master gave it (agent.json), once it registered. */
  agentId(): string | undefined {
    return agentIdIn(this.workDir);
  }

  /** The tasks its work dir holds (checkpoints), with their wrappers' pids; recorded for the run's sweep. */
  sandboxTasks(): SandboxTask[] {
    recordTaskGroups(this.workDir);
    return readSandboxTasks(this.workDir);
  }

  /** Spawns the agent (again, after stop/kill: same work dir, so it adopts its tasks). */
  async start(options: { waitUntilConnected?: boolean } = {}): Promise<void> {
    if (this.current && !this.current.exitStatus()) throw new Error(`agent on ${this.workDir} is already running`);
    this.starts += 1;
    this.logs = {
      stdoutPath: join(this.logDir, `agent-${this.starts}.stdout.log`),
      stderrPath: join(this.logDir, `agent-${this.starts}.stderr.log`),
    };
    const files = openLogFiles(this.logs);
    this.spawnedAtMs = Date.now();
    try {
      this.current = spawnTracked(process.execPath, [requireBuiltCli(), 'agent', ...this.args()], {
        env: this.env(),
        stdio: ['ignore', files.fds[0], files.fds[1]],
      });
    } finally {
      files.close();
    }
    if (options.waitUntilConnected ?? this.options.waitUntilConnected ?? true) await this.waitUntilConnected();
  }

  /**
   * Waits until a master lists this agent as ACTIVE and connected, registered at or after
   * `sinceMs` (default: this process's spawn), so a restart is not mistaken for the old session.
   */
  async waitUntilConnected(options: { sinceMs?: number; timeoutMs?: number } = {}): Promise<AgentView> {
    const proc = this.current;
    const sinceMs = options.sinceMs ?? this.spawnedAtMs;
    return waitFor(
      async () => {
        const status = proc.exitStatus();
        if (status) throw new AgentExitedError(`agent exited (code ${status.code}, signal ${status.signal})`);
        const agentId = this.agentId();
        if (agentId === undefined) return undefined;
        for (const url of this.masterUrls) {
          const res = await sendRequest<{ agents: AgentView[] }>(new URL('/v1/agents', url), 'GET', undefined, {
            timeoutMs: 2_000,
            headers: this.options.masterToken ? { authorization: `Bearer ${this.options.masterToken}` } : {},
          }).catch(() => undefined);
          const view = res?.status === 200 ? res.body.agents.find((a) => a.agentId === agentId) : undefined;
          if (view && view.connected && view.status === 'ACTIVE' && Date.parse(view.since) >= sinceMs) return view;
        }
        return undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
        describe: `agent on ${this.workDir} to be connected to ${this.masterUrls.join(',')}`,
        onTimeout: () => this.describeLogs(),
        abortOn: (err) => err instanceof AgentExitedError,
      },
    ).catch((err: Error) => {
      if (err instanceof AgentExitedError) throw new Error(`${err.message}\n${this.describeLogs()}`);
      throw err;
    });
  }

  /** SIGTERM: the agent closes its stream and exits; its tasks keep running. */
  stop(): Promise<ExitStatus> {
    return this.signalAndWait('SIGTERM', STOP_TIMEOUT_MS);
  }

  /** SIGUSR1: the agent kills its tasks (SIGTERM, SIGKILL after 3 s), waits for their ends, exits. */
  killTasksAndStop(): Promise<ExitStatus> {
    return this.signalAndWait('SIGUSR1', KILL_TASKS_TIMEOUT_MS);
  }

  /** SIGKILL: a crash; the tasks keep running (they are not in the agent's process group). */
  async kill(): Promise<ExitStatus> {
    this.sandboxTasks(); // record the task groups before the agent that knows them is gone
    const proc = this.current;
    const done = proc.exitStatus();
    if (done) return done;
    proc.signalGroup('SIGKILL');
    return proc.exited;
  }

  /** Stops the agent as `signal` says, starts it again on the same work dir; resolves with how it stopped. */
  async restart(options: AgentRestartOptions = {}): Promise<ExitStatus> {
    const signal = options.signal ?? 'SIGTERM';
    const status =
      signal === 'SIGKILL'
        ? await this.kill()
        : signal === 'SIGUSR1'
          ? await this.killTasksAndStop()
          : await this.stop();
    await this.start();
    return status;
  }

  private async signalAndWait(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus> {
    this.sandboxTasks();
    const proc = this.current;
    const done = proc.exitStatus();
    if (done) return done;
    proc.child.kill(signal); // the agent alone: its group holds only the agent
    const status = await Promise.race([
      proc.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref()),
    ]);
    if (status) return status;
    proc.signalGroup('SIGKILL');
    await proc.exited;
    throw new Error(
      `agent on ${this.workDir} did not exit within ${timeoutMs} ms of ${signal}\n${this.describeLogs()}`,
    );
  }

  private args(): string[] {
    const args = ['--master', this.masterUrls.join(','), '--work-dir', this.workDir, '--port', '0'];
    const { resources, hostname, attributes } = this.options;
    assertTaskPortsOutsideEphemeral(resources);
    if (resources !== undefined) args.push('--resources', resources);
    if (hostname !== undefined) args.push('--hostname', hostname);
    if (attributes !== undefined) {
      const text =
        typeof attributes === 'string'
          ? attributes
          : Object.entries(attributes)
              .map(([name, value]) => `${name}=${value}`)
              .join(',');
      args.push('--attributes', text);
    }
    return args;
  }

  private env(): NodeJS.ProcessEnv {
    const token = this.options.token === undefined ? TEST_AGENT_TOKEN : this.options.token;
    return withEnv(baseChildEnv(), { CAIRN_AGENT_TOKEN: token ?? undefined, ...this.options.env });
  }
}

/** The agent died while we waited: waiting longer is pointless. */
class AgentExitedError extends Error {}

/**
 * Starts `node dist/apps/cli/src/main.js agent` against `masterUrl` with its own work dir and a
 * free files port, and (by default) waits until the master lists it as connected.
 */
export async function startAgent(options: StartAgentOptions): Promise<AgentHandle> {
  const workDir = options.workDir ?? tempDir(`agent-${options.hostname ?? 'work'}`);
  mkdirSync(workDir, { recursive: true });
  const agent = new AgentHandle(workDir, options);
  await agent.start();
  return agent;
}

/**
 * One agent per rack, `<hostPrefix>-1` on the first rack and so on, each with its own port range
 * of 100 from `firstPort` on: the racked clusters that constraint tests place on.
 */
export async function startRackAgents(
  masterUrl: string,
  racks: readonly string[],
  options: { hostPrefix: string; firstPort: number },
): Promise<AgentHandle[]> {
  const agents: AgentHandle[] = [];
  for (const [i, rack] of racks.entries()) {
    const ports = options.firstPort + i * 100;
    agents.push(
      await startAgent({
        masterUrl,
        hostname: `${options.hostPrefix}-${i + 1}`,
        attributes: { rack },
        resources: `cpus:8;mem:8192;ports:[${ports}-${ports + 99}]`,
      }),
    );
  }
  return agents;
}
