import type { ClusterState } from '@cairn/domain';
import {
  type CairnEvent,
  type DeploymentStartedData,
  isTerminalTaskState,
  type RecordedEvent,
  type TaskLaunchedData,
} from '@cairn/events';

export type HealthCheckSpec = TaskLaunchedData['healthChecks'][number];

/** What a task's later events lack and Marathon's events carry: where it runs and what it is. */
export interface TaskEntry {
  readonly taskId: string;
  readonly appId: string;
  readonly appVersion: string;
  readonly agentId: string;
  readonly host: string;
  readonly ports: readonly number[];
  readonly healthChecks: readonly HealthCheckSpec[];
  /** Per check: the verdict as of the last event rendered (null: none yet). */
  readonly health: (boolean | null)[];
}

/** A deployment in progress: its plan (deployment events carry only its id) and current step (0-based). */
export interface DeploymentEntry {
  readonly plan: DeploymentStartedData;
  currentStep: number;
}

/**
 * The small state one stream keeps beside the log while rendering: tasks that have not ended,
 * deployments in progress and agents' host names. Built from the master's projection when a
 * stream starts (that state is exactly "the log up to here"), then moved forward by `observe`
 * with every event the stream reads, so it never depends on anything but the log.
 */
export class RenderLookup {
  readonly tasks = new Map<string, TaskEntry>();
  readonly deployments = new Map<string, DeploymentEntry>();
  readonly hosts = new Map<string, string>();

  /** A copy of what the projection knows (copied: the projection keeps moving). */
  static fromState(state: ClusterState): RenderLookup {
    const lookup = new RenderLookup();
    for (const agent of state.agents.values()) lookup.hosts.set(agent.agentId, agent.hostname);
    for (const task of state.tasks.values()) {
      lookup.tasks.set(task.taskId, {
        taskId: task.taskId,
        appId: task.appId,
        appVersion: task.appVersion,
        agentId: task.agentId,
        host: task.host,
        ports: task.ports,
        healthChecks: task.healthChecks,
        health: task.health.map((h) => (h === null ? null : h.alive)),
      });
    }
    for (const d of state.deployments.values()) {
      const { currentStep, startedBy: _startedBy, ...plan } = d;
      lookup.deployments.set(d.deploymentId, { plan, currentStep });
    }
    return lookup;
  }

  /** Moves the lookup past `event` (call after rendering it: rendering reads the state before it). */
  observe(event: RecordedEvent<CairnEvent>): void {
    switch (event.type) {
      case 'AgentRegistered':
      case 'AgentReregistered':
        this.hosts.set(event.data.agentId, event.data.hostname);
        return;
      case 'TaskLaunched': {
        const d = event.data;
        this.tasks.set(d.taskId, {
          taskId: d.taskId,
          appId: d.appId,
          appVersion: d.appVersion,
          agentId: d.agentId,
          host: d.host,
          ports: d.ports,
          healthChecks: d.healthChecks,
          health: d.healthChecks.map(() => null),
        });
        return;
      }
      case 'TaskStatusUpdated':
        // An ended task gets no more events worth rendering: forget it, so the lookup stays as small as the cluster.
        if (isTerminalTaskState(event.data.state)) this.tasks.delete(event.data.taskId);
        return;
      case 'TaskHealthChanged': {
        const task = this.tasks.get(event.data.taskId);
        if (task && event.data.checkIndex < task.health.length) task.health[event.data.checkIndex] = event.data.alive;
        return;
      }
      case 'DeploymentStarted':
        this.deployments.set(event.data.deploymentId, { plan: event.data, currentStep: 0 });
        return;
      case 'DeploymentStepFinished': {
        const entry = this.deployments.get(event.data.deploymentId);
        if (entry) entry.currentStep = event.data.step;
        return;
      }
      case 'DeploymentFinished':
      case 'DeploymentCancelled':
        this.deployments.delete(event.data.deploymentId);
        return;
      default:
        return;
    }
  }
}
