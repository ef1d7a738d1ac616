import { SeededIdSource } from '@cairn/common';
import type { Resources } from '@cairn/domain';
import type { TaskLaunchedData, TaskState } from '@cairn/events';
import type { AgentCommandMessage } from '../../apps/master/src/agents/agent-channel';
import {
  DisconnectAgentCommand,
  RegisterAgentCommand,
  ReportTaskStatusCommand,
} from '../../apps/master/src/commands/cluster.commands';
import type { InProcessMaster } from '../../apps/master/src/testing/in-process-master';

/** A task as the agent runs it: what it was sent, and how far its life has gone. */
interface AgentTask {
  readonly launch: Omit<TaskLaunchedData, 'placement'>;
  state: TaskState;
  ready: boolean;
  alive: boolean;
}

/**
 * An agent without processes, driven step by step by a script: it registers through the same
 * command the agent API sends, holds an in-memory command stream on the leader's gateway, and
 * answers launches and kills with status updates when told to `work`. Its update ids come from its
 * own seed, so the whole exchange is a function of the seeds and the script.
 */
export class ScriptedAgent {
  agentId: string | null = null;
  private master: InProcessMaster | null = null;
  private dropStream: (() => boolean) | null = null;
  private readonly inbox: AgentCommandMessage[] = [];
  private readonly tasks = new Map<string, AgentTask>();
  private readonly ids: SeededIdSource;
  /** Apps whose next task to run fails instead (a crash at start). */
  private readonly failNextOf = new Set<string>();

  constructor(
    readonly hostname: string,
    private readonly address: string,
    private readonly resources: Resources,
    private readonly attributes: Record<string, string> = {},
  ) {
    this.ids = new SeededIdSource(`golden-agent:${hostname}`);
  }

  /** Registers (again, with its id and tasks, once it has one) with `master` and opens its stream there. */
  async register(master: InProcessMaster): Promise<void> {
    const outcome = await master.commands.execute(
      new RegisterAgentCommand(
        {
          kind: 'RegisterAgent',
          agentId: this.agentId,
          newAgentId: master.runtime.ids.uuid(),
          info: {
            hostname: this.hostname,
            filesPort: 5051,
            resources: this.resources,
            attributes: this.attributes,
            capabilities: ['MESOS'], // runs processes, as the real agent does
          },
          tasks: [...this.tasks.values()].map((t) => ({ taskId: t.launch.taskId, state: t.state })),
        },
        `agent@${this.address}`,
      ),
    );
    for (const event of outcome.events) {
      if (event.type === 'AgentRegistered' || event.type === 'AgentReregistered') this.agentId = event.data.agentId;
      // Reconciliation: what the log does not place here is killed (as the real agent does at once).
      if (event.type === 'TaskKillRequested' && !master.runtime.projection.state.tasks.has(event.data.taskId)) {
        this.tasks.delete(event.data.taskId);
      }
    }
    this.master = master;
    this.dropStream = master.gateway.connect(
      this.agentId!,
      { send: (message) => this.inbox.push(message), close: () => undefined },
      this.address,
      master.runtime.projection.state,
      { answersPings: false, nowMs: master.runtime.clock.now() },
    );
  }

  /** Its command stream breaks (the agent stops or the network drops it): the leader records it. */
  async disconnect(): Promise<void> {
    const master = this.requireMaster();
    if (this.dropStream?.()) {
      await master.commands.execute(
        new DisconnectAgentCommand({ kind: 'DisconnectAgent', agentId: this.agentId! }, 'system'),
      );
    }
    this.forget();
  }

  /** The leader it talked to is gone: the stream is gone with it, nothing is recorded. */
  forget(): void {
    this.master = null;
    this.dropStream = null;
    this.inbox.length = 0;
  }

  /** The next task of `appId` that would start running crashes instead. */
  failNextTaskOf(appId: string): void {
    this.failNextOf.add(appId);
  }

  /** Forgets the crashes still armed. */
  clearFailures(): void {
    this.failNextOf.clear();
  }

  /** Ids of the tasks it runs now. */
  runningTaskIds(appId?: string): string[] {
    return [...this.tasks.values()]
      .filter((t) => t.state === 'TASK_RUNNING' && (appId === undefined || t.launch.appId === appId))
      .map((t) => t.launch.taskId);
  }

  /**
   * One step of every task's life, reported as the real agent reports it: a launch starts running
   * (or crashes), a kill ends the task, then a running task's readiness check passes, then its
   * first health check does. Returns how many updates it sent.
   */
  async work(): Promise<number> {
    if (!this.master) return 0;
    let sent = 0;
    for (const message of this.inbox.splice(0)) {
      if (message.type === 'launch' && !this.tasks.has(message.task.taskId)) {
        const task: AgentTask = { launch: message.task, state: 'TASK_STAGING', ready: false, alive: false };
        this.tasks.set(message.task.taskId, task);
        if (this.failNextOf.delete(task.launch.appId)) {
          await this.report(task, 'TASK_FAILED', { reason: 'REASON_COMMAND_EXECUTOR_FAILED', exitCode: 1 });
        } else await this.report(task, 'TASK_RUNNING');
        sent++;
      } else if (message.type === 'kill') {
        const task = this.tasks.get(message.taskId);
        if (task) await this.report(task, 'TASK_KILLED', { reason: 'REASON_TASK_KILLED_DURING_LAUNCH', exitCode: 143 });
        if (task) sent++;
      }
    }
    for (const task of [...this.tasks.values()]) {
      if (task.state !== 'TASK_RUNNING') continue;
      if (task.launch.readinessChecks.length > 0 && !task.ready) {
        task.ready = true;
        const check = task.launch.readinessChecks[0];
        await this.send(task, {
          readiness: {
            name: check.name,
            ready: true,
            lastResponse: { status: 200, contentType: 'text/plain', body: 'ready' },
          },
        });
        sent++;
      } else if (task.launch.healthChecks.length > 0 && !task.alive) {
        task.alive = true;
        const at = new Date(this.requireMaster().runtime.clock.now()).toISOString();
        await this.send(task, {
          health: {
            checkIndex: 0,
            alive: true,
            consecutiveFailures: 0,
            firstSuccess: at,
            lastSuccess: at,
            lastFailure: null,
            lastFailureCause: null,
          },
        });
        sent++;
      }
    }
    return sent;
  }

  /** The task's first health check fails `failures` times in a row (its agent reports the transition). */
  async failHealth(taskId: string, failures: number): Promise<void> {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`${this.hostname} does not run ${taskId}`);
    const at = new Date(this.requireMaster().runtime.clock.now()).toISOString();
    task.alive = false;
    await this.send(task, {
      health: {
        checkIndex: 0,
        alive: false,
        consecutiveFailures: failures,
        firstSuccess: at,
        lastSuccess: at,
        lastFailure: at,
        lastFailureCause: 'HTTP GET /health answered 503',
      },
    });
  }

  private async report(
    task: AgentTask,
    state: TaskState,
    end: { reason: string; exitCode: number } | null = null,
  ): Promise<void> {
    task.state = state;
    await this.send(task, {}, end);
    if (state !== 'TASK_RUNNING') this.tasks.delete(task.launch.taskId);
  }

  private async send(
    task: AgentTask,
    checks: Pick<ConstructorParameters<typeof ReportTaskStatusCommand>[0], 'health' | 'readiness'>,
    end: { reason: string; exitCode: number } | null = null,
  ): Promise<void> {
    const master = this.requireMaster();
    master.gateway.heard(this.agentId!, master.runtime.clock.now());
    await master.commands.execute(
      new ReportTaskStatusCommand(
        {
          kind: 'ReportTaskStatus',
          agentId: this.agentId!,
          taskId: task.launch.taskId,
          state: task.state,
          updateId: this.ids.uuid(),
          reason: end?.reason ?? null,
          message: end ? `exited with ${end.exitCode}` : null,
          exitCode: end?.exitCode ?? null,
          health: checks.health ?? null,
          readiness: checks.readiness ?? null,
        },
        `agent:${this.agentId}`,
      ),
    );
  }

  private requireMaster(): InProcessMaster {
    if (!this.master) throw new Error(`${this.hostname} is not registered with a master`);
    return this.master;
  }
}
