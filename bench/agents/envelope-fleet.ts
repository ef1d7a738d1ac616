import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noSimulatedAgentsStats, type SimulatedAgentsStats } from '../../apps/agent/src/simulated';
import { repoRoot } from '../core/repo-root';
import { processCpuSeconds } from './cpu-time';
import type {
  EnvelopeSimulatorCommand,
  EnvelopeSimulatorMessage,
  EnvelopeSimulatorRequest,
} from './envelope-simulator';

const STATS_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 30_000;
const LOG_TAIL_CHARS = 3_000;

/** One simulator process (envelope-simulator.ts, compiled) and the agents it runs. */
export class SimulatorProcess {
  agentIds: string[] = [];
  hostnames: string[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, (stats: SimulatedAgentsStats) => void>();
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  /** CPU seconds when last read while alive (a killed process's /proc entry is gone). */
  private lastCpu = 0;

  private constructor(
    readonly name: string,
    readonly count: number,
    private readonly child: ChildProcess,
    private readonly logPath: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve();
      }),
    );
    child.on('message', (message: EnvelopeSimulatorMessage) => {
      if (message.type === 'stats') {
        this.waiting.get(message.id)?.(message.stats);
        this.waiting.delete(message.id);
      }
    });
  }

  static start(name: string, request: EnvelopeSimulatorRequest, logDir: string): SimulatorProcess {
    const script = join(repoRoot(), 'dist', 'bench', 'agents', 'envelope-simulator.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm run bench does)`);
    const logPath = join(logDir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    try {
      const child = spawn(process.execPath, [script, JSON.stringify(request)], {
        stdio: ['ignore', fd, fd, 'ipc'],
        env: { ...process.env, CAIRN_LOG_LEVEL: 'warn' },
      });
      if (child.pid === undefined) throw new Error(`could not spawn the simulator ${name}`);
      return new SimulatorProcess(name, request.count, child, logPath);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitStatus === undefined;
  }

  /** Resolves once every agent holds an open command stream; rejects if the process fails or exits first. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: EnvelopeSimulatorMessage) => {
        if (message.type === 'ready') {
          this.agentIds = message.agentIds;
          this.hostnames = message.hostnames;
          done();
          resolve();
        } else if (message.type === 'failed') {
          done();
          reject(new Error(`simulator ${this.name} failed: ${message.message}`));
        }
      };
      const onExit = () => {
        done();
        reject(new Error(`simulator ${this.name} exited before its agents were ready\n${this.logTail()}`));
      };
      const done = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  stats(): Promise<SimulatedAgentsStats> {
    if (!this.alive) return Promise.reject(new Error(`simulator ${this.name} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`simulator ${this.name} did not answer for its stats within ${STATS_TIMEOUT_MS} ms`));
      }, STATS_TIMEOUT_MS);
      this.waiting.set(id, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.child.send({ type: 'stats', id } satisfies EnvelopeSimulatorCommand);
    });
  }

  cpuSeconds(): number {
    if (this.alive) {
      try {
        this.lastCpu = processCpuSeconds(this.pid);
      } catch {
        // exited between the check and the read: the last figure stands
      }
    }
    return this.lastCpu;
  }

  /** SIGKILL: its agents vanish without a word (their connections reset by the kernel). */
  async kill(): Promise<void> {
    this.cpuSeconds();
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Closes its agents (streams closed, the master sees them disconnect) and waits for the exit; SIGKILL after a timeout. */
  async close(): Promise<void> {
    if (!this.alive) return;
    this.cpuSeconds();
    if (this.child.connected) this.child.send({ type: 'close' } satisfies EnvelopeSimulatorCommand);
    else this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), CLOSE_TIMEOUT_MS)));
    const late = await Promise.race([this.exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  exitDescription(): string | undefined {
    return this.exitStatus ? `${this.exitStatus.code ?? this.exitStatus.signal}` : undefined;
  }

  logTail(): string {
    try {
      const text = readFileSync(this.logPath, 'utf8');
      return `--- ${this.name} (${this.logPath}), last ${LOG_TAIL_CHARS} chars ---\n${text.slice(-LOG_TAIL_CHARS)}`;
    } catch {
      return `--- ${this.name}: no output ---`;
    }
  }
}

/** The simulator processes of a run: the doomed one (its agents are lost in phase 3) and the rest. */
export class SimulatorFleet {
  constructor(
    readonly doomed: SimulatorProcess,
    readonly survivors: readonly SimulatorProcess[],
  ) {}

  get all(): SimulatorProcess[] {
    return [this.doomed, ...this.survivors];
  }

  alive(): SimulatorProcess[] {
    return this.all.filter((p) => p.alive);
  }

  /** Counts summed over the simulators still running. */
  async stats(of: readonly SimulatorProcess[] = this.alive()): Promise<SimulatedAgentsStats> {
    const each = await Promise.all(of.map((p) => p.stats()));
    const sum: SimulatedAgentsStats = noSimulatedAgentsStats();
    for (const s of each) for (const key of Object.keys(sum) as (keyof SimulatedAgentsStats)[]) sum[key] += s[key];
    return sum;
  }

  /** CPU seconds of every simulator so far (a killed one counts what it used while alive). */
  cpuSeconds(): number {
    return this.all.reduce((total, p) => total + p.cpuSeconds(), 0);
  }

  /** An error when a simulator that should run has exited. */
  failure(): Error | undefined {
    for (const p of this.all) {
      if (p === this.doomed && p.exitDescription() === 'SIGKILL') continue;
      const exit = p.exitDescription();
      if (exit) return new Error(`simulator ${p.name} exited (${exit})\n${p.logTail()}`);
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((p) => p.close()));
  }
}
