import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_AGENT_TOKEN } from './agent';
import { agentIdIn, readSandboxTasks, recordTaskGroups, SandboxTask, sweepWorkDirAtFileEnd } from './agent-work-dir';
import { baseChildEnv, withEnv } from './child-env';
import { describeLogs, openLogFiles, ProcessLogFiles, readLog } from './process-logs';
import { ExitStatus, spawnTracked, TrackedProcess } from './process-registry';
import { requireBuiltCli } from './repo-paths';
import { tempDir } from './temp-dir';
import { onFileEnd } from './test-run';
import { waitFor } from './wait-for';

/**
 * A real, packet-level network partition: a network namespace joined to the host's by a veth pair
 * (`ip netns`, `ip link`; iproute2, run as root). A process started in the namespace reaches the
 * host only over the veth (the host's end has `hostAddress`); `cut()` sets the host's end down, so
 * every packet between the two is dropped (no RST, no FIN: established connections just go
 * silent, as with a pulled cable), and `heal()` sets it up again.
 *
 * Names are unique per call and carry the creating process's pid (`cairn-pt-<pid>-<n>`): the
 * namespace is deleted at the end of the test file, and a namespace left by a test process that
 * died (SIGKILLed jest worker) is deleted by the next call. Nothing here skips: without `ip`, or
 * without the privileges for namespaces, creating a partition throws.
 */
export interface NetworkPartition {
  /** The namespace's name (`ip netns exec <name> ...`). */
  readonly namespace: string;
  /** The host's end of the veth: masters listening on 0.0.0.0 are reached there from the namespace. */
  readonly hostAddress: string;
  /** The namespace's end of the veth. */
  readonly namespaceAddress: string;
  /** Drops every packet between the namespace and the host (the host's end of the veth goes down). */
  cut(): void;
  /** Restores the link and waits until the host's end is up again. */
  heal(): Promise<void>;
  /** Whether the link is cut now. */
  readonly isCut: boolean;
  /** Spawns a tracked process inside the namespace (`ip netns exec` execs: the pid is the process's). */
  spawn(command: string, args: readonly string[], options?: Parameters<typeof spawnTracked>[2]): TrackedProcess;
  /** Deletes the namespace (and with it the veth pair). Idempotent. */
  remove(): void;
}

const NAME_PREFIX = 'cairn-pt-';
const HEAL_TIMEOUT_MS = 10_000;
const open = new Set<NetworkPartition>();
let counter = 0;

function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error(
        'network partition tests need iproute2 (`ip`) and root: `ip` was not found on PATH. ' +
          'These tests never skip; install iproute2 (apt-get install iproute2) or run as root where it is.',
      );
    }
    throw new Error(`\`ip ${args.join(' ')}\` failed: ${err.stderr?.trim() || err.message}`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces of earlier test processes that died before their cleanup ran. */
function removeStaleNamespaces(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.trim().split(/\s+/)[0];
    const match = name && new RegExp(`^${NAME_PREFIX}(\\d+)-\\d+$`).exec(name);
    if (match && Number(match[1]) !== process.pid && !processAlive(Number(match[1]))) {
      try {
        ip('netns', 'delete', name);
      } catch {
        // another process removed it first
      }
    }
  }
}

/** A /30 in 10.213.0.0/16 that no interface of the host uses yet. */
function freeSubnet(): { host: string; peer: string } {
  const used = ip('-o', '-4', 'addr', 'show');
  for (let attempt = 0; attempt < 64; attempt++) {
    const block = Math.floor(Math.random() * 16_384); // 65,536 addresses / 4
    const base = block * 4;
    const third = Math.floor(base / 256);
    const fourth = base % 256;
    const host = `10.213.${third}.${fourth + 1}`;
    const peer = `10.213.${third}.${fourth + 2}`;
    if (!used.includes(` ${host}/`) && !used.includes(` ${peer}/`)) return { host, peer };
  }
  throw new Error('no free /30 in 10.213.0.0/16 for a test network namespace');
}

/** Creates the namespace and its veth pair, both ends up; removed at the end of the test file. */
export function createNetworkPartition(): NetworkPartition {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `network partition tests need root (network namespaces); this test runs as uid ${process.getuid?.()}. ` +
        'They never skip: run them as root (CI does).',
    );
  }
  removeStaleNamespaces();
  counter += 1;
  const namespace = `${NAME_PREFIX}${process.pid}-${counter}`;
  // Interface names hold at most 15 characters.
  const tag = `${(process.pid % 100_000).toString(36)}${counter.toString(36)}`.slice(0, 9);
  const hostVeth = `cpth${tag}`;
  const peerVeth = `cptn${tag}`;
  const { host, peer } = freeSubnet();
  let removed = false;
  let isCut = false;

  const remove = () => {
    if (removed) return;
    removed = true;
    open.delete(partition);
    // Deleting the namespace destroys its end of the veth, and with it the pair; the explicit delete
    // covers a failure half-way through the set-up (the pair made, not yet moved).
    try {
      ip('netns', 'delete', namespace);
    } catch {
      // not created, or already gone
    }
    if (existsSync(`/sys/class/net/${hostVeth}`)) {
      try {
        ip('link', 'delete', hostVeth);
      } catch {
        // gone meanwhile
      }
    }
  };

  const partition: NetworkPartition = {
    namespace,
    hostAddress: host,
    namespaceAddress: peer,
    get isCut() {
      return isCut;
    },
    cut() {
      ip('link', 'set', hostVeth, 'down');
      isCut = true;
    },
    async heal() {
      ip('link', 'set', hostVeth, 'up');
      isCut = false;
      await waitFor(
        () => {
          const state = readFileSync(`/sys/class/net/${hostVeth}/operstate`, 'utf8').trim();
          return state === 'up';
        },
        { timeoutMs: HEAL_TIMEOUT_MS, describe: `${hostVeth} to be up again` },
      );
    },
    spawn(command, args, options = {}) {
      return spawnTracked('ip', ['netns', 'exec', namespace, command, ...args], options);
    },
    remove,
  };
  open.add(partition);
  try {
    ip('netns', 'add', namespace);
    ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', peerVeth);
    ip('link', 'set', peerVeth, 'netns', namespace);
    ip('addr', 'add', `${host}/30`, 'dev', hostVeth);
    ip('link', 'set', hostVeth, 'up');
    ip('-n', namespace, 'addr', 'add', `${peer}/30`, 'dev', peerVeth);
    ip('-n', namespace, 'link', 'set', peerVeth, 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
  } catch (error) {
    remove();
    throw error;
  }
  return partition;
}

// After the processes are swept (order 0), before the temp dirs go (order 1).
onFileEnd(0.5, () => {
  for (const partition of [...open]) partition.remove();
});

export interface NamespacedAgentOptions {
  /** Master URLs as the agent reaches them from inside the namespace. */
  readonly masterUrls: readonly string[];
  readonly hostname: string;
  readonly resources?: string;
  readonly env?: Record<string, string | undefined>;
}

/**
 * A `cairn agent` running inside a partition's namespace (with its tasks: they are its children and
 * inherit the namespace). Its work dir is swept at the end of the test file like AgentHandle's.
 */
export class NamespacedAgent {
  readonly workDir = tempDir('agent-netns');
  private current!: TrackedProcess;
  private starts = 0;
  private logs!: ProcessLogFiles;
  private readonly logDir = tempDir('agent-netns-logs');

  constructor(
    private readonly partition: NetworkPartition,
    private readonly options: NamespacedAgentOptions,
  ) {
    mkdirSync(this.workDir, { recursive: true });
    sweepWorkDirAtFileEnd(this.workDir);
  }

  get pid(): number {
    return this.current.pid;
  }
  get process(): TrackedProcess {
    return this.current;
  }

  start(): void {
    if (this.current && !this.current.exitStatus()) throw new Error('agent is already running');
    this.starts += 1;
    this.logs = {
      stdoutPath: join(this.logDir, `agent-${this.starts}.stdout.log`),
      stderrPath: join(this.logDir, `agent-${this.starts}.stderr.log`),
    };
    const files = openLogFiles(this.logs);
    const args = [
      requireBuiltCli(),
      'agent',
      '--master',
      this.options.masterUrls.join(','),
      '--work-dir',
      this.workDir,
      '--port',
      '0',
      '--hostname',
      this.options.hostname,
    ];
    if (this.options.resources) args.push('--resources', this.options.resources);
    try {
      this.current = this.partition.spawn(process.execPath, args, {
        env: withEnv(baseChildEnv(), { CAIRN_AGENT_TOKEN: TEST_AGENT_TOKEN, ...this.options.env }),
        stdio: ['ignore', files.fds[0], files.fds[1]],
      });
    } finally {
      files.close();
    }
  }

  /** The id the master gave it (agent.json), once it registered. */
  agentId(): string | undefined {
    return agentIdIn(this.workDir);
  }

  sandboxTasks(): SandboxTask[] {
    recordTaskGroups(this.workDir);
    return readSandboxTasks(this.workDir);
  }

  /** The network namespace a process lives in (`net:[inode]`), e.g. to check a task's. */
  static namespaceOf(pid: number): string | undefined {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return undefined;
    }
  }

  describeLogs(): string {
    return describeLogs(`agent ${this.options.hostname} in ${this.partition.namespace} (pid ${this.pid})`, this.logs);
  }

  stdout(): string {
    return readLog(this.logs.stdoutPath);
  }

  /** SIGUSR1: the agent kills its tasks and exits (SIGKILL to its group after `timeoutMs`). */
  async killTasksAndStop(timeoutMs = 20_000): Promise<ExitStatus> {
    this.sandboxTasks();
    const proc = this.current;
    const done = proc.exitStatus();
    if (done) return done;
    proc.child.kill('SIGUSR1');
    const status = await Promise.race([
      proc.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref()),
    ]);
    if (status) return status;
    proc.signalGroup('SIGKILL');
    return proc.exited;
  }
}
