import type { AppDefinition, TaskLaunchedData, TaskState } from '@cairn/events';
import { CommandMeta, draft, EventDraft } from '../command';
import type { AgentInfo, DisconnectAgent, RegisterAgent } from '../agents/agent.commands';
import type { CreateApp, DeleteApp, UpdateApp } from '../apps/app.commands';
import { withAppDefaults } from '../apps/app-defaults';
import type { Tick } from '../scheduler/scheduler.commands';
import type { ReportTaskStatus } from '../tasks/task.commands';
import { parseResources } from '../resources';
import { iso, meta, T0 } from './decider-spec';

/**
 * Builders for agents, tasks, apps, commands and events, after Marathon's TestInstanceBuilder:
 *
 *   anAgent('a1').withResources('cpus:2;mem:1024').registered()
 *   aTask('/web', 'web.1').onAgent('a1').launched()
 *   reportStatus('web.1', 'a1', 'TASK_FAILED', { updateId: 'u1', now: T0 + 1_000 })
 *
 * Every default is written out here (not taken from the code under test), so a spec reads the
 * numbers it depends on.
 */

/** What the unreachable timeout is in specs unless they say otherwise. */
export const AGENT_UNREACHABLE_MS = 60_000;
export const DEFAULT_AGENT_RESOURCES = 'cpus:4;mem:4096;disk:1000;ports:[31000-31009]';

// ---------------------------------------------------------------------------------------------
// Agents

/** Immutable: every `with...` returns a new builder, so a shared one is never changed by a spec. */
export class AgentBuilder {
  constructor(
    readonly agentId: string,
    private readonly info: AgentInfo = {
      hostname: `${agentId}.example`,
      filesPort: 5051,
      resources: parseResources(DEFAULT_AGENT_RESOURCES),
      attributes: {},
      capabilities: ['MESOS'],
    },
  ) {}

  withResources(text: string): AgentBuilder {
    return new AgentBuilder(this.agentId, { ...this.info, resources: parseResources(text) });
  }

  withHostname(hostname: string): AgentBuilder {
    return new AgentBuilder(this.agentId, { ...this.info, hostname });
  }

  withCapabilities(capabilities: string[]): AgentBuilder {
    return new AgentBuilder(this.agentId, { ...this.info, capabilities });
  }

  withAttributes(attributes: Record<string, string>): AgentBuilder {
    return new AgentBuilder(this.agentId, { ...this.info, attributes });
  }

  build(): AgentInfo {
    return this.info;
  }

  /** The event data both registration events share. */
  eventInfo() {
    const r = this.info.resources;
    return {
      agentId: this.agentId,
      hostname: this.info.hostname,
      filesPort: this.info.filesPort,
      resources: { cpus: r.cpus, mem: r.mem, disk: r.disk, ports: r.ports.map(([b, e]) => [b, e] as [number, number]) },
      attributes: { ...this.info.attributes },
      capabilities: [...this.info.capabilities],
    };
  }

  registered(): EventDraft {
    return draft('AgentRegistered', this.eventInfo());
  }

  reregistered(tasks: { taskId: string; state: TaskState }[] = []): EventDraft {
    return draft('AgentReregistered', { ...this.eventInfo(), tasks });
  }

  /** A first registration: the agent has no id yet, the master gives it this one. */
  register(options: { now?: number; tasks?: RegisterAgent['tasks'] } = {}): RegisterAgent {
    return {
      kind: 'RegisterAgent',
      agentId: null,
      newAgentId: this.agentId,
      info: this.info,
      tasks: options.tasks ?? [],
      meta: meta(options.now ?? T0),
    };
  }

  /** A re-registration with the checkpointed id and what runs in its work dir. */
  reregister(tasks: RegisterAgent['tasks'], options: { now?: number; newAgentId?: string } = {}): RegisterAgent {
    return {
      kind: 'RegisterAgent',
      agentId: this.agentId,
      newAgentId: options.newAgentId ?? `${this.agentId}-unused`,
      info: this.info,
      tasks,
      meta: meta(options.now ?? T0),
    };
  }
}

export const anAgent = (agentId = 'agent-1'): AgentBuilder => new AgentBuilder(agentId);

export const disconnectAgent = (agentId: string, now = T0): DisconnectAgent => ({
  kind: 'DisconnectAgent',
  agentId,
  meta: meta(now),
});

export const agentDisconnected = (agentId: string): EventDraft => draft('AgentDisconnected', { agentId });
export const agentUnreachable = (agentId: string): EventDraft => draft('AgentUnreachable', { agentId });

// ---------------------------------------------------------------------------------------------
// Apps

/** An app body as the HTTP edge passes it on. */
export const appBody = (id: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  cmd: 'sleep 1000',
  cpus: 1,
  mem: 128,
  ...fields,
});

/**
 * The AppCreated `decide` records for that body at `at` (defaults filled by the real code), except
 * for service ports: a port 0 stays 0 here, as in an app logged before decide assigned them
 * (apps/service-ports.ts), so placement tests keep "0 = any host port".
 */
export function appCreated(id: string, fields: Record<string, unknown> = {}, at = T0): EventDraft {
  return draft('AppCreated', { app: definitionOf(id, fields, at) });
}

export function definitionOf(id: string, fields: Record<string, unknown> = {}, at = T0): AppDefinition {
  const version = iso(at);
  return withAppDefaults(appBody(id, fields), version, { lastScalingAt: version, lastConfigChangeAt: version });
}

export const createApp = (id: string, fields: Record<string, unknown> = {}, now = T0): CreateApp => ({
  kind: 'CreateApp',
  force: true,
  app: appBody(id, fields),
  meta: meta(now),
});

/** Marathon's `PUT /v2/apps/{id}` with only `instances`: a scale. */
export const scaleApp = (appId: string, instances: number, now = T0): UpdateApp => ({
  kind: 'UpdateApp',
  force: true,
  appId,
  body: { instances },
  partial: true,
  meta: meta(now),
});

export const updateApp = (appId: string, body: Record<string, unknown>, now = T0): UpdateApp => ({
  kind: 'UpdateApp',
  force: true,
  appId,
  body,
  partial: true,
  meta: meta(now),
});

export const deleteApp = (appId: string, now = T0): DeleteApp => ({
  kind: 'DeleteApp',
  force: true,
  appId,
  meta: meta(now),
});

// ---------------------------------------------------------------------------------------------
// Tasks

/** Immutable, as AgentBuilder. */
export class TaskBuilder {
  private readonly data: TaskLaunchedData;

  constructor(appId: string, taskId: string, data?: TaskLaunchedData) {
    this.data = data ?? {
      taskId,
      appId,
      appVersion: iso(T0),
      agentId: 'agent-1',
      host: 'agent-1.example',
      offerId: `offer-of-${taskId}`,
      resources: { cpus: 1, mem: 128, disk: 0, ports: [] },
      ports: [],
      portNames: [],
      command: { shell: true, value: 'sleep 1000' },
      env: {},
      killGracePeriodSeconds: null,
      healthChecks: [],
      readinessChecks: [],
      placement: null,
      fetch: [],
    };
  }

  onAgent(agentId: string, host = `${agentId}.example`): TaskBuilder {
    return new TaskBuilder(this.data.appId, this.data.taskId, { ...this.data, agentId, host });
  }

  /** Resources as Mesos text, e.g. 'cpus:1;mem:128;ports:[31000-31000]'; `ports` follow the ranges. */
  withResources(text: string): TaskBuilder {
    const r = parseResources(text);
    const ports = r.ports.flatMap(([b, e]) => Array.from({ length: e - b + 1 }, (_, i) => b + i));
    return new TaskBuilder(this.data.appId, this.data.taskId, {
      ...this.data,
      resources: { cpus: r.cpus, mem: r.mem, disk: r.disk, ports: r.ports.map(([b, e]) => [b, e] as [number, number]) },
      ports,
      portNames: ports.map(() => null),
    });
  }

  build(): TaskLaunchedData {
    return this.data;
  }

  launched(): EventDraft {
    return draft('TaskLaunched', this.data);
  }

  /** Launched and then reported RUNNING by its agent (update id `<taskId>-running`). */
  running(): EventDraft[] {
    return [
      this.launched(),
      statusUpdated(this.data.taskId, this.data.agentId, 'TASK_RUNNING', `${this.data.taskId}-running`),
    ];
  }
}

export const aTask = (appId: string, taskId: string): TaskBuilder => new TaskBuilder(appId, taskId);

export function reportStatus(
  taskId: string,
  agentId: string,
  state: TaskState,
  options: {
    updateId?: string;
    now?: number;
    reason?: string | null;
    message?: string | null;
    exitCode?: number | null;
  } = {},
): ReportTaskStatus {
  return {
    kind: 'ReportTaskStatus',
    agentId,
    taskId,
    state,
    updateId: options.updateId ?? `${taskId}-${state}`,
    reason: options.reason ?? null,
    message: options.message ?? null,
    exitCode: options.exitCode ?? null,
    meta: meta(options.now ?? T0),
  };
}

/** The TaskStatusUpdated an agent's report becomes. */
export function statusUpdated(
  taskId: string,
  agentId: string,
  state: TaskState,
  updateId: string | null,
  extra: { reason?: string | null; message?: string | null; exitCode?: number | null } = {},
): EventDraft {
  return draft('TaskStatusUpdated', {
    taskId,
    agentId,
    state,
    updateId,
    reason: extra.reason ?? null,
    message: extra.message ?? null,
    exitCode: extra.exitCode ?? null,
  });
}

export const killRequested = (taskId: string, agentId: string, reason: string): EventDraft =>
  draft('TaskKillRequested', { taskId, agentId, reason });

export const launchDelayed = (appId: string, failures: number, untilMs: number): EventDraft =>
  draft('LaunchDelayed', { appId, failures, until: iso(untilMs) });

// ---------------------------------------------------------------------------------------------
// Ticks

/**
 * A tick. By default the master has led since the decision time and no agent stream is open, so
 * only DISCONNECTED agents can time out; a spec about failover sets `leaderSinceMs` and
 * `connectedAgentIds` (ClusterScenario passes the ACTIVE agents as connected).
 */
export function tick(
  now = T0,
  options: {
    seed?: string;
    agentUnreachableMs?: number;
    connectedAgentIds?: readonly string[];
    leaderSinceMs?: number;
    meta?: CommandMeta;
  } = {},
): Tick {
  return {
    kind: 'Tick',
    seed: options.seed ?? `seed-${now}`,
    agentUnreachableMs: options.agentUnreachableMs ?? AGENT_UNREACHABLE_MS,
    connectedAgentIds: options.connectedAgentIds ?? [],
    leaderSinceMs: options.leaderSinceMs ?? now,
    meta: options.meta ?? meta(now),
  };
}
