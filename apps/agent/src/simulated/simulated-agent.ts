import { randomUUID } from 'node:crypto';
import type { Clock } from '@cairn/common';
import type { Logger } from 'pino';
import type { MasterClient, Registration } from '../master/master-client';
import { STATUS_BATCH_MAX, type StatusUpdate, type WireResources } from '../protocol/agent-protocol';
import { AgentSession } from '../session/agent-session';
import { StatusUpdateQueue, type SendOutcome, type SettledOutcome } from '../status/status-update-queue';
import { TaskManager } from '../tasks/task-manager';
import { SimulatedChecks } from './simulated-checks';
import { SimulatedExecutor } from './simulated-executor';
import { NullStatusUpdateStore } from './null-status-update-store';
import type { FateSettings } from './task-fate';

/** Container types a simulated agent advertises: it "runs" what a process agent runs. */
const SIMULATED_CAPABILITIES = ['MESOS'];
/** No files server: a simulated task has no sandbox to read. */
const NO_FILES_PORT = 0;

export interface SimulatedAgentSetup {
  /** Tried in turn, as a process agent's `--master` list. */
  masters: string[];
  hostname: string;
  resources: WireResources;
  attributes: Record<string, string>;
  /** Shared by all agents: one keep-alive pool for registrations and status updates. */
  client: MasterClient;
  clock: Clock;
  logger: Logger;
  fate: FateSettings;
  /** TASK_RUNNING → a task's check results (SimulatedChecks). */
  healthyAfterMs: number;
  /** [0, 1): reconnect and retry jitter. */
  random: () => number;
  onFatal(error: Error): void;
}

/**
 * One simulated agent: the real agent's session (register, command stream, reconnect with
 * backoff), task manager and reliable status update queue, over the simulated executor and a
 * store that keeps nothing on disk. What the master sees is what a process agent sends.
 */
export class SimulatedAgent {
  agentId: string | undefined;
  registrations = 0;
  acked = 0;
  dropped = 0;
  readonly executor: SimulatedExecutor;
  readonly checks: SimulatedChecks;
  readonly queue: StatusUpdateQueue;
  private readonly tasks: TaskManager;
  private readonly session: AgentSession;
  /** The master that answered the registration (after redirects), while registered. */
  private target: string | undefined;

  constructor(private readonly setup: SimulatedAgentSetup) {
    const { client, clock, logger } = setup;
    this.executor = new SimulatedExecutor({ clock, fate: setup.fate });
    this.checks = new SimulatedChecks({ clock, fate: setup.fate, healthyAfterMs: setup.healthyAfterMs });
    this.queue = new StatusUpdateQueue({
      store: new NullStatusUpdateStore(),
      transport: { send: (update) => this.send(update), sendBatch: (updates) => this.sendBatch(updates) },
      maxBatch: STATUS_BATCH_MAX,
      clock,
      ids: { uuid: () => randomUUID() }, // unique across runs: a master drops a repeated update id
      logger,
      random: setup.random,
      onSettled: (update, outcome) => this.onSettled(update, outcome),
    });
    this.tasks = new TaskManager({
      executor: this.executor,
      queue: this.queue,
      clock,
      logger,
      hostname: setup.hostname,
      checks: this.checks,
    });
    this.tasks.attach();
    this.session = new AgentSession({
      masters: setup.masters,
      client,
      clock,
      logger,
      random: setup.random,
      registration: () => ({
        ...(this.agentId === undefined ? {} : { agentId: this.agentId }),
        hostname: setup.hostname,
        filesPort: NO_FILES_PORT,
        resources: setup.resources,
        attributes: setup.attributes,
        capabilities: [...SIMULATED_CAPABILITIES],
        tasks: this.tasks.registeredTasks(),
      }),
      onRegistered: async (registration) => this.onRegistered(registration),
      onDisconnected: () => {
        this.target = undefined;
        this.queue.pause();
      },
      onLine: (line) => this.tasks.handleLine(line),
      onFatal: (error) => setup.onFatal(error),
    });
  }

  start(): void {
    this.session.start();
  }

  async stop(): Promise<void> {
    await this.session.stop();
    this.queue.close();
    this.tasks.detach();
    this.executor.close();
  }

  private onRegistered(registration: Registration): void {
    const given = registration.answer.agentId;
    if (this.agentId !== undefined && given !== this.agentId) {
      this.setup.logger.warn({ was: this.agentId, now: given }, 'the master gave this agent a new id');
    }
    this.agentId = given;
    this.registrations++;
    this.target = registration.masterUrl;
    for (const taskId of registration.answer.reconcile.kill) this.tasks.kill(taskId);
    this.queue.resume();
  }

  private send(update: StatusUpdate): Promise<SendOutcome> {
    if (this.target === undefined || this.agentId === undefined) {
      return Promise.resolve({ kind: 'failed', reason: 'not registered' });
    }
    return this.setup.client.postStatus(this.target, this.agentId, update);
  }

  private sendBatch(updates: readonly StatusUpdate[]): Promise<SendOutcome[]> {
    if (this.target === undefined || this.agentId === undefined) {
      return Promise.resolve(updates.map(() => ({ kind: 'failed', reason: 'not registered' })));
    }
    return this.setup.client.postStatuses(this.target, this.agentId, updates);
  }

  private async onSettled(update: StatusUpdate, outcome: SettledOutcome): Promise<void> {
    if (outcome === 'acked') this.acked++;
    else this.dropped++;
    await this.tasks.onSettled(update, outcome);
  }
}
