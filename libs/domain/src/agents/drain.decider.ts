import { isoTime } from '@cairn/common/iso-time';
import type { CairnEvent } from '@cairn/events';
import { CommandRejected, draft, EventDraft } from '../command';
import type { DeploymentStep } from '../deployments/plan';
import { withDeployment } from '../deployments/deployment.decider';
import type { AgentRecord, ClusterState } from '../state';
import type { DrainAgent, ReactivateAgent } from './agent.commands';

/** The longest drain deadline (about 31 years): beyond it a time is not worth writing down. */
export const MAX_DRAIN_DEADLINE_SECONDS = 1_000_000_000;

/**
 * Agent maintenance (Mesos's DRAIN_AGENT / REACTIVATE_AGENT, Nomad's node drain), as pure decisions:
 *
 * - DrainAgent: `AgentDrainStarted` (with the deadline, decided once from the command's time), then
 *   ONE deployment of a RestartApplication per app with tasks on the agent. A rolling restart counts a
 *   task on an agent in maintenance as "old" (reconcile.ts), so this deployment replaces exactly those
 *   tasks, elsewhere (placement skips the agent), within the app's `upgradeStrategy`: replacements
 *   launch up to `maximumOverCapacity`, and a healthy task on the agent is killed only while the app
 *   keeps `minimumHealthCapacity` × instances healthy tasks. Locked apps: 409 unless `force`.
 * - On every tick (drainTick): at the deadline, what still runs on the agent is killed; once no
 *   task is left on it, `AgentDrained`. A drained agent runs nothing: a task back there is killed.
 * - DrainAgent again: a new deadline and a deployment for what is still there; nothing for a
 *   drained agent with no task.
 * - ReactivateAgent: `AgentReactivated`; placement uses the agent again.
 */
export function decideDrainAgent(command: DrainAgent, state: ClusterState): EventDraft[] {
  const { agentId, meta } = command;
  const agent = state.agents.get(agentId);
  if (!agent) throw new CommandRejected('not-found', `Agent '${agentId}' does not exist`);
  const seconds = command.deadlineSeconds;
  if (seconds !== null && !(seconds >= 0 && seconds <= MAX_DRAIN_DEADLINE_SECONDS)) {
    throw new CommandRejected(
      'invalid',
      `deadlineSeconds must be a number of seconds from 0 to ${MAX_DRAIN_DEADLINE_SECONDS}, got ${seconds}`,
    );
  }
  const deadline = command.deadlineSeconds === null ? null : isoTime(meta.now + command.deadlineSeconds * 1000);
  const onAgent = [...state.tasks.onAgent(agentId)].filter((t) => !t.unreachable?.inactive);
  // Drained and empty: a repeat changes nothing. A drain in progress (or a drained agent that got a
  // task back) is drained again, as Mesos's DRAIN_AGENT and Nomad's drain update theirs: a new
  // deadline, and a new deployment for what is still there (e.g. after a forced change cancelled
  // the first one).
  if (agent.drain?.state === 'DRAINED' && onAgent.length === 0) return [];
  const appIds = [...new Set(onAgent.filter((t) => state.apps.has(t.appId)).map((t) => t.appId))].sort();
  const deploymentIds = appIds.length > 0 ? [meta.commandId] : [];
  const started = draft('AgentDrainStarted', { agentId, deadline, deploymentIds });
  const events: EventDraft[] = [started];
  // A task whose app is gone has nothing to replace it: it just goes.
  for (const task of onAgent) {
    if (state.apps.has(task.appId) || task.killRequested) continue;
    events.push(
      draft(
        'TaskKillRequested',
        { taskId: task.taskId, agentId, reason: `agent ${agent.hostname} drains` },
        { draft: started },
      ),
    );
  }
  if (onAgent.length === 0) {
    events.push(draft('AgentDrained', { agentId }, { draft: started }));
    return events;
  }
  if (appIds.length === 0) return events;
  const changes = new Map(appIds.map((id) => [id, { original: state.apps.get(id)!, target: state.apps.get(id)! }]));
  const steps: DeploymentStep[] = [{ actions: appIds.map((app) => ({ action: 'RestartApplication', app })) }];
  return withDeployment(state, meta, changes, command.force, events, { steps });
}

export function decideReactivateAgent(command: ReactivateAgent, state: ClusterState): EventDraft[] {
  const agent = state.agents.get(command.agentId);
  if (!agent) throw new CommandRejected('not-found', `Agent '${command.agentId}' does not exist`);
  // Not in maintenance: nothing to do (a repeated reactivation is not an error).
  if (!agent.drain) return [];
  return [draft('AgentReactivated', { agentId: command.agentId }, agent.drain.by)];
}

/**
 * A tick's work on the agents in maintenance: past a deadline, kill what still runs there (the
 * deployment launches the replacements it still owes); with no task left, AgentDrained.
 * `ended`: tasks this tick already ends.
 */
export function drainTick(state: ClusterState, now: number, ended: ReadonlySet<string>): EventDraft[] {
  const draining: AgentRecord[] = [];
  const drained = new Set<string>();
  for (const agent of state.agents.inMaintenance()) {
    if (agent.drain?.state === 'DRAINING') draining.push(agent);
    else if (agent.drain?.state === 'DRAINED') drained.add(agent.agentId);
  }
  if (draining.length === 0 && drained.size === 0) return [];
  const events: EventDraft[] = drained.size > 0 ? drainedLeftovers(state, drained, ended) : [];
  const nowIso = isoTime(now);
  // Only the tasks of agents in maintenance are read (the task table's per-agent index).
  for (const agent of draining) {
    const drain = agent.drain!;
    let left = 0;
    for (const task of state.tasks.onAgent(agent.agentId)) {
      if (ended.has(task.taskId) || task.unreachable?.inactive) continue;
      left++;
      if (task.killRequested || task.unreachable || drain.deadline === null || drain.deadline > nowIso) continue;
      events.push(
        draft(
          'TaskKillRequested',
          { taskId: task.taskId, agentId: task.agentId, reason: `agent drain deadline ${drain.deadline} passed` },
          drain.by,
        ),
      );
    }
    if (left === 0) events.push(draft('AgentDrained', { agentId: agent.agentId }, drain.by));
  }
  return events;
}

/**
 * A drained agent runs nothing: a task found there (one kept unreachable that came back after its
 * replacement started) is killed; it does not count towards its app any more than any surplus.
 */
function drainedLeftovers(state: ClusterState, drained: ReadonlySet<string>, ended: ReadonlySet<string>): EventDraft[] {
  const events: EventDraft[] = [];
  for (const agentId of drained) {
    const agent = state.agents.get(agentId)!;
    for (const task of state.tasks.onAgent(agentId)) {
      if (task.killRequested || task.unreachable || ended.has(task.taskId)) continue;
      events.push(
        draft(
          'TaskKillRequested',
          { taskId: task.taskId, agentId: task.agentId, reason: `agent ${agent.hostname} is drained` },
          agent.drain!.by,
        ),
      );
    }
  }
  return events;
}

export function evolveDrain(state: ClusterState, event: CairnEvent): void {
  switch (event.type) {
    case 'AgentDrainStarted': {
      const agent = state.agents.get(event.data.agentId);
      if (!agent) return;
      const by = { eventId: event.id, correlationId: event.correlationId };
      state.agents.set(agent.agentId, {
        ...agent,
        drain: { state: 'DRAINING', startedAt: event.at, deadline: event.data.deadline, by },
      });
      return;
    }
    case 'AgentDrained': {
      const agent = state.agents.get(event.data.agentId);
      if (!agent?.drain) return;
      state.agents.set(agent.agentId, { ...agent, drain: { ...agent.drain, state: 'DRAINED' } });
      return;
    }
    case 'AgentReactivated': {
      const agent = state.agents.get(event.data.agentId);
      if (!agent) return;
      const { drain: _drain, ...rest } = agent;
      state.agents.set(agent.agentId, rest);
      return;
    }
    default:
      return;
  }
}
