import type { AgentReregisteredData, CairnEvent } from '@cairn/events';
import { Cause, causedBy, CommandRejected, draft, EventDraft, ROOT } from '../command';
import { countsAsInstance, type AgentRecord, type ClusterState, type LaunchDelay, type TaskRecord } from '../state';
import { selectScaleDownVictims } from '../apps/kill-selection';
import { isTerminal } from '../tasks/task-states';
import { failureBackoff } from '../tasks/backoff';
import type { AgentCommand, DisconnectAgent, RegisterAgent } from './agent.commands';
import { decideDrainAgent, decideReactivateAgent } from './drain.decider';

/** Container types this release's agents can run: plain processes. */
export const SUPPORTED_CAPABILITIES: ReadonlySet<string> = new Set(['MESOS']);

export function decideAgent(command: AgentCommand, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'RegisterAgent':
      return registerAgent(command, state);
    case 'DisconnectAgent':
      return disconnectAgent(command, state);
    case 'DrainAgent':
      return decideDrainAgent(command, state);
    case 'ReactivateAgent':
      return decideReactivateAgent(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * Registration and reconciliation (Mesos: the agent's word against the log's). Tasks the agent
 * runs that the log does not place there are killed; tasks the log places there that the agent
 * lacks are GONE (and replaced). Terminal states the agent reports arrive as status updates.
 */
function registerAgent(command: RegisterAgent, state: ClusterState): EventDraft[] {
  const known = command.agentId !== null && state.agents.has(command.agentId);
  if (command.agentId === null && state.agents.has(command.newAgentId)) {
    // Ids come from the caller's seeded source; a repeat (a reused CAIRN_SEED) must not take over an agent.
    throw new CommandRejected('conflict', `agent id ${command.newAgentId} is taken; register again`);
  }
  const agentId = command.agentId ?? command.newAgentId;
  const info = {
    agentId,
    hostname: command.info.hostname,
    filesPort: command.info.filesPort,
    resources: toEventResources(command.info.resources),
    attributes: { ...command.info.attributes },
    // Only what this release can run: a DOCKER claim would get image apps run as plain processes.
    capabilities: command.info.capabilities.filter((c) => SUPPORTED_CAPABILITIES.has(c)),
  };
  const reported: AgentReregisteredData['tasks'] = command.tasks.map((t) => ({ taskId: t.taskId, state: t.state }));
  // An agent's (re-)registration starts a chain: what reconciliation decides follows from it.
  const registered = known
    ? draft('AgentReregistered', { ...info, tasks: reported }, ROOT)
    : draft('AgentRegistered', info, ROOT);
  const because = { draft: registered };
  const events: EventDraft[] = [registered];
  const onAgent = new Set(reported.map((t) => t.taskId));
  const delays = new Map<string, LaunchDelay>();
  for (const task of state.tasks.onAgent(agentId)) {
    if (onAgent.has(task.taskId)) continue;
    // A launch the agent never got (lost with a stream, e.g. its master died right after deciding
    // it) is sent again when its command stream opens (the gateway sends every STAGING task's
    // launch): the task is not gone, and its app did not fail. The launch timeout still bounds it.
    if (task.state === 'TASK_STAGING' && !task.killRequested && state.apps.has(task.appId)) continue;
    const gone = draft(
      'TaskStatusUpdated',
      {
        taskId: task.taskId,
        agentId,
        state: 'TASK_GONE',
        updateId: null,
        reason: 'REASON_RECONCILIATION',
        message: 'the agent re-registered without this task',
        exitCode: null,
      },
      because,
    );
    events.push(gone);
    if (!task.killRequested) {
      events.push(...failureBackoff(task, state, command.meta.now, delays).map((d) => causedBy(d, { draft: gone })));
    }
  }
  const adopted: TaskRecord[] = [];
  for (const { taskId, state: reportedState } of reported) {
    const logged = state.tasks.get(taskId);
    if (logged && logged.agentId === agentId && logged.unreachable && !isTerminal(reportedState)) {
      // Back before its expunge: the task is adopted (its own word on its state), counted again.
      events.push(
        draft(
          'TaskStatusUpdated',
          {
            taskId,
            agentId,
            state: reportedState,
            updateId: null,
            reason: 'REASON_RECONCILIATION',
            message: `adopted back: agent ${info.hostname} returned before the task was expunged`,
            exitCode: null,
          },
          because,
        ),
      );
      adopted.push({ ...logged, state: reportedState, unreachable: null });
      continue;
    }
    if ((logged && logged.agentId === agentId) || isTerminal(reportedState)) continue;
    events.push(
      draft(
        'TaskKillRequested',
        { taskId, agentId, reason: 'the log does not place this task on this agent' },
        because,
      ),
    );
  }
  events.push(...surplusAfterAdoption(state, adopted, because));
  return events;
}

/**
 * Adopted tasks count again, so an app whose inactive tasks were replaced meanwhile has too many:
 * the surplus is killed, tasks of an older config version first, then in the app's kill order
 * (Marathon). An app a deployment works on is left to the deployment, which reaches its own counts.
 */
function surplusAfterAdoption(state: ClusterState, adopted: readonly TaskRecord[], because: Cause): EventDraft[] {
  const events: EventDraft[] = [];
  const adoptedIds = new Map(adopted.map((t) => [t.taskId, t]));
  for (const appId of new Set(adopted.map((t) => t.appId))) {
    const app = state.apps.get(appId);
    if (!app || state.deploymentOfApp.has(appId)) continue;
    // The adopted tasks as they are once adopted: in the state their agent reported.
    const live = [...state.tasks.ofApp(appId)]
      .filter((t) => adoptedIds.has(t.taskId) || countsAsInstance(t))
      .map((t) => adoptedIds.get(t.taskId) ?? t);
    const surplus = live.length - app.instances;
    if (surplus <= 0) continue;
    const current = app.versionInfo.lastConfigChangeAt;
    const outdated = live.filter((t) => t.appVersion < current);
    const victims = selectScaleDownVictims({ killSelection: 'OLDEST_FIRST' }, outdated, surplus);
    const upToDate = live.filter((t) => t.appVersion >= current);
    victims.push(...selectScaleDownVictims(app, upToDate, surplus - victims.length, state.agents));
    for (const task of victims) {
      events.push(
        draft(
          'TaskKillRequested',
          { taskId: task.taskId, agentId: task.agentId, reason: 'surplus after an unreachable task came back' },
          because,
        ),
      );
    }
  }
  return events;
}

function disconnectAgent(command: DisconnectAgent, state: ClusterState): EventDraft[] {
  const agent = state.agents.get(command.agentId);
  if (!agent || agent.status !== 'ACTIVE') return [];
  return [draft('AgentDisconnected', { agentId: command.agentId }, ROOT)];
}

export function evolveAgent(state: ClusterState, event: CairnEvent): void {
  switch (event.type) {
    case 'AgentRegistered':
    case 'AgentReregistered': {
      const info = event.data;
      // Maintenance outlives a restart of the agent: only AgentReactivated ends it.
      const drain = state.agents.get(info.agentId)?.drain;
      // Every member named (see TaskLaunched in task.decider.ts): one hidden class for all agents.
      const agent: AgentRecord = {
        agentId: info.agentId,
        hostname: info.hostname,
        filesPort: info.filesPort,
        resources: info.resources,
        attributes: info.attributes,
        capabilities: info.capabilities,
        status: 'ACTIVE',
        sinceMs: Date.parse(event.at),
      };
      state.agents.set(info.agentId, drain ? { ...agent, drain } : agent);
      return;
    }
    case 'AgentDisconnected':
    case 'AgentUnreachable': {
      const agent = state.agents.get(event.data.agentId);
      if (!agent) return;
      const status = event.type === 'AgentDisconnected' ? 'DISCONNECTED' : 'UNREACHABLE';
      state.agents.set(agent.agentId, { ...agent, status, sinceMs: Date.parse(event.at) });
      return;
    }
    default:
      return;
  }
}

function toEventResources(r: RegisterAgent['info']['resources']) {
  return { cpus: r.cpus, mem: r.mem, disk: r.disk, ports: r.ports.map(([b, e]) => [b, e] as [number, number]) };
}
