import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { SystemClock, type Clock, type IdSource } from '@cairn/common';
import type { Logger } from 'pino';
import type { AgentOptions } from './config/agent-options';
import { detectResources, realMachine, type MachineFacts } from './config/detect-resources';
import { ProcessExecutor } from './executor';
import { startFilesServer } from './files/files-server';
import { ProbeChecks } from './health/probe-checks';
import type { TaskChecks } from './health/task-checks';
import { readAgentCheckpoint, writeAgentCheckpoint } from './identity/agent-checkpoint';
import { lockWorkDir } from './identity/work-dir-lock';
import { createAgentLogger } from './logging/agent-logger';
import { MasterClient, type Registration } from './master/master-client';
import {
  PROCESS_CAPABILITIES,
  STATUS_BATCH_MAX,
  type StatusUpdate,
  type WireResources,
} from './protocol/agent-protocol';
import { AgentSession } from './session/agent-session';
import type { BackoffPolicy } from './session/backoff';
import { FileStatusUpdateStore } from './status/file-status-update-store';
import { StatusUpdateQueue, type SendOutcome, type StatusUpdateTransport } from './status/status-update-queue';
import type { StatusUpdateStore } from './status/status-update-store';
import type { TaskExecutor } from './tasks/task-executor';
import { TaskManager } from './tasks/task-manager';

/** Exit codes `done` resolves with (the CLI's: 1 = refused by the master). */
export const AgentExitCode = { Ok: 0, TokenRefused: 1 } as const;

/** `close({ killTasks: true })`: the grace period every task gets (Mesos's default), then SIGKILL. */
export const KILL_ALL_GRACE_PERIOD_SECONDS = 3;
/** ... and how long it waits for the ends beyond that grace period. */
export const KILL_ALL_MARGIN_MS = 2_000;

/** Seams for tests, the simulator and `cairn dev`; production uses the defaults. */
export interface AgentDependencies {
  clock?: Clock;
  logger?: Logger;
  /** Status update ids; default random uuids. */
  ids?: IdSource;
  /** [0, 1): backoff jitter. */
  random?: () => number;
  createExecutor?: (context: { workDir: string; clock: Clock; logger: Logger }) => TaskExecutor;
  createStatusStore?: (workDir: string) => StatusUpdateStore;
  /** Health and readiness checks; default real probes next to each task (health/probe-checks.ts). */
  createChecks?: (context: { clock: Clock; logger: Logger }) => TaskChecks;
  machine?: MachineFacts;
  reconnectBackoff?: BackoffPolicy;
  statusBackoff?: BackoffPolicy;
  streamIdleTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface RunningAgent {
  /**
   * Stops the agent: closes the command stream and the files server; tasks keep running (they are
   * detached; the next agent on this work dir adopts them). With `killTasks` (`cairn dev`'s
   * Ctrl-C), kills every task first and waits for their ends. Resolves `done` with 0.
   */
  close(options?: { killTasks?: boolean }): Promise<void>;
  /** Resolves with an exit code when the agent has stopped: 0 after close(), 1 when the token was refused. */
  readonly done: Promise<number>;
  /** The id the master gave this agent (checkpointed), undefined until the first registration. */
  agentId(): string | undefined;
  /** Where the files server listens (useful with `--port 0`). */
  readonly filesPort: number;
}

/**
 * Starts an agent: locks the work dir, loads its checkpoints (agent id, unacked status updates),
 * adopts the tasks left running, serves sandbox files, then registers with a master and holds
 * the command stream (reconnecting with backoff) until close().
 */
export async function startAgent(options: AgentOptions, deps: AgentDependencies = {}): Promise<RunningAgent> {
  const logger = deps.logger ?? createAgentLogger();
  const clock = deps.clock ?? new SystemClock();
  const { workDir } = options;
  logger.info({ workDir, hostname: options.hostname, masters: options.masters }, 'agent starting');

  await mkdir(workDir, { recursive: true });
  const lock = await lockWorkDir(workDir);
  const cleanups = new Cleanups();
  cleanups.add(() => lock.release());
  try {
    const checkpoint = await readAgentCheckpoint(workDir);
    const resources = await detectResources(workDir, options.resources, deps.machine ?? realMachine);
    const client = new MasterClient({ token: options.token, clock, requestTimeoutMs: deps.requestTimeoutMs });
    cleanups.add(() => client.close());
    const link = new MasterLink(client);
    const queue: StatusUpdateQueue = new StatusUpdateQueue({
      store: (deps.createStatusStore ?? ((dir) => new FileStatusUpdateStore(dir)))(workDir),
      transport: link,
      maxBatch: STATUS_BATCH_MAX,
      clock,
      ids: deps.ids ?? { uuid: () => randomUUID() },
      logger,
      random: deps.random,
      backoff: deps.statusBackoff,
      // Called only once updates are sent, which is after `tasks` exists.
      onSettled: (update, outcome): Promise<void> => tasks.onSettled(update, outcome),
    });
    cleanups.add(() => queue.close());

    const executor = (deps.createExecutor ?? ((context) => new ProcessExecutor(context)))({ workDir, clock, logger });
    cleanups.add(() => executor.close());
    const checks = (deps.createChecks ?? ((context) => new ProbeChecks(context)))({ clock, logger });
    const tasks: TaskManager = new TaskManager({ executor, queue, clock, logger, hostname: options.hostname, checks });
    tasks.attach();
    cleanups.add(() => tasks.detach()); // also stops the checks
    await tasks.recover(await queue.load());

    const files = await startFilesServer({
      workDir,
      host: options.ip,
      port: options.port,
      token: options.token,
      logger,
    });
    cleanups.add(() => files.close());
    logger.info({ resources: describe(resources), agentId: checkpoint?.agentId }, 'registering with the master');

    const agent = new Agent(options, deps, { logger, clock, client, link, queue, tasks, cleanups });
    agent.connect({ agentId: checkpoint?.agentId, filesPort: files.port, resources });
    return {
      done: agent.done,
      filesPort: files.port,
      agentId: () => agent.agentId,
      close: (closeOptions) => agent.shutdown(AgentExitCode.Ok, closeOptions?.killTasks ?? false),
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}

/** Status updates go to the master the agent is registered with, and wait while there is none. */
class MasterLink implements StatusUpdateTransport {
  target?: { masterUrl: string; agentId: string };

  constructor(private readonly client: MasterClient) {}

  send(update: StatusUpdate): Promise<SendOutcome> {
    return this.target
      ? this.client.postStatus(this.target.masterUrl, this.target.agentId, update)
      : Promise.resolve({ kind: 'failed', reason: 'not registered' });
  }

  sendBatch(updates: readonly StatusUpdate[]): Promise<SendOutcome[]> {
    return this.target
      ? this.client.postStatuses(this.target.masterUrl, this.target.agentId, updates)
      : Promise.resolve(updates.map(() => ({ kind: 'failed', reason: 'not registered' })));
  }
}

/** What a running agent is made of, once started. */
interface AgentParts {
  logger: Logger;
  clock: Clock;
  client: MasterClient;
  link: MasterLink;
  queue: StatusUpdateQueue;
  tasks: TaskManager;
  cleanups: Cleanups;
}

/** The running agent: its registration with the masters, and its shutdown. */
class Agent {
  agentId?: string;
  readonly done: Promise<number>;
  private resolveDone!: (code: number) => void;
  private session?: AgentSession;
  private closing?: Promise<void>;

  constructor(
    private readonly options: AgentOptions,
    private readonly deps: AgentDependencies,
    private readonly parts: AgentParts,
  ) {
    this.done = new Promise<number>((resolve) => (this.resolveDone = resolve));
  }

  connect(facts: { agentId?: string; filesPort: number; resources: WireResources }): void {
    const { logger, clock, client, tasks } = this.parts;
    this.agentId = facts.agentId;
    this.session = new AgentSession({
      masters: this.options.masters,
      client,
      clock,
      logger,
      random: this.deps.random ?? Math.random,
      backoff: this.deps.reconnectBackoff,
      streamIdleTimeoutMs: this.deps.streamIdleTimeoutMs,
      registration: () => ({
        ...(this.agentId === undefined ? {} : { agentId: this.agentId }),
        hostname: this.options.hostname,
        filesPort: facts.filesPort,
        resources: facts.resources,
        attributes: this.options.attributes,
        capabilities: [...PROCESS_CAPABILITIES],
        tasks: tasks.registeredTasks(),
      }),
      onRegistered: (registration) => this.onRegistered(registration),
      onDisconnected: () => {
        this.parts.link.target = undefined;
        this.parts.queue.pause();
      },
      onLine: (line) => tasks.handleLine(line),
      onFatal: (error) => {
        logger.error({ err: error.message }, 'stopping: the master refused this agent');
        void this.shutdown(AgentExitCode.TokenRefused, false);
      },
    });
    this.session.start();
  }

  shutdown(code: number, killTasks: boolean): Promise<void> {
    this.closing ??= (async () => {
      const { tasks, logger } = this.parts;
      if (killTasks) {
        await tasks.killAll(KILL_ALL_GRACE_PERIOD_SECONDS, KILL_ALL_GRACE_PERIOD_SECONDS * 1000 + KILL_ALL_MARGIN_MS);
      }
      await this.session?.stop();
      const left = tasks.liveTaskIds().length;
      await this.parts.cleanups.run();
      logger.info({ code, tasksLeftRunning: left }, 'agent stopped');
      logger.flush();
      this.resolveDone(code);
    })();
    return this.closing;
  }

  /** Checkpoints the id, kills what the master does not know, and starts sending updates. */
  private async onRegistered(registration: Registration): Promise<void> {
    const { logger, link, queue, tasks } = this.parts;
    const given = registration.answer.agentId;
    if (given !== this.agentId) {
      if (this.agentId !== undefined)
        logger.warn({ was: this.agentId, now: given }, 'the master gave this agent a new id');
      await writeAgentCheckpoint(this.options.workDir, given, registration.masterUrl);
      this.agentId = given;
    }
    link.target = { masterUrl: registration.masterUrl, agentId: given };
    const kill = registration.answer.reconcile.kill;
    logger.info({ agentId: given, master: registration.masterUrl, kill }, 'registered');
    for (const taskId of kill) tasks.kill(taskId);
    queue.resume();
  }
}

/** Undo steps, run last-first (also when start fails half-way); errors are ignored. */
class Cleanups {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }
  }
}

function describe(resources: WireResources): string {
  const ports = resources.ports.map(([begin, end]) => `${begin}-${end}`).join(',');
  return `cpus:${resources.cpus};mem:${resources.mem};disk:${resources.disk};ports:[${ports}]`;
}
