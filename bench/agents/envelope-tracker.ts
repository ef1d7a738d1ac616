import { endsTask } from '@cairn/domain';
import type { TaskState } from '@cairn/events';
import type { RecordedEventJson } from './log-pages';

/** A state that ends a task in the master's fold (terminal, or UNREACHABLE/UNKNOWN with Marathon's default strategy). */
const endsTaskState = (state: string): boolean => endsTask(state as TaskState);

interface TaskFacts {
  appId: string;
  agentId: string;
  /** The last state recorded: a Mesos state, or 'UNREACHABLE' (kept by its unreachable strategy). */
  state: string;
  inactive: boolean;
}

/**
 * Reads the whole log of an envelope run, event by event, and keeps what its checks need: every
 * task's last recorded state, the agents the master took for unreachable or disconnected, the
 * leader elections, and per window (a phase) when the last task was recorded RUNNING and when
 * the last deployment finished.
 */
export class EnvelopeTracker {
  private readonly tasks = new Map<string, TaskFacts>();
  readonly unreachableAgents = new Set<string>();
  readonly disconnectedAgents = new Set<string>();
  readonly registeredAgents = new Set<string>();
  reregistrations = 0;
  leaderElections = 0;
  /** Tasks that ended in a state other than KILLED or UNREACHABLE (none expected: no task fails). */
  readonly unexpectedEnds: RecordedEventJson[] = [];
  private window = emptyWindow();

  accept(event: RecordedEventJson): void {
    const data = event.data;
    const w = this.window;
    w.events++;
    w.types.set(event.type, (w.types.get(event.type) ?? 0) + 1);
    const atMs = Date.parse(event.at);
    w.firstAtMs = Math.min(w.firstAtMs, atMs);
    switch (event.type) {
      case 'LeaderElected':
        this.leaderElections++;
        return;
      case 'AgentRegistered':
        this.registeredAgents.add(data.agentId as string);
        w.lastRegisteredAtMs = Math.max(w.lastRegisteredAtMs, atMs);
        return;
      case 'AgentReregistered':
        this.reregistrations++;
        return;
      case 'AgentDisconnected':
        this.disconnectedAgents.add(data.agentId as string);
        return;
      case 'AgentUnreachable':
        this.unreachableAgents.add(data.agentId as string);
        w.lastUnreachableAtMs = Math.max(w.lastUnreachableAtMs, atMs);
        return;
      case 'AppCreated':
        w.lastAppCreatedAtMs = Math.max(w.lastAppCreatedAtMs, atMs);
        return;
      case 'DeploymentFinished':
        w.lastDeploymentFinishedAtMs = Math.max(w.lastDeploymentFinishedAtMs, atMs);
        return;
      case 'TaskLaunched':
        this.tasks.set(data.taskId as string, {
          appId: data.appId as string,
          agentId: data.agentId as string,
          state: 'TASK_STAGING',
          inactive: false,
        });
        w.launched++;
        return;
      case 'TaskUnreachable': {
        const task = this.tasks.get(data.taskId as string);
        if (task) task.state = 'UNREACHABLE';
        return;
      }
      case 'TaskUnreachableInactive': {
        const task = this.tasks.get(data.taskId as string);
        if (task) task.inactive = true;
        return;
      }
      case 'TaskStatusUpdated': {
        const task = this.tasks.get(data.taskId as string);
        const state = data.state as string;
        if (task) task.state = state;
        if (state === 'TASK_RUNNING') {
          w.running++;
          w.lastRunningAtMs = Math.max(w.lastRunningAtMs, atMs);
        } else if (endsTaskState(state)) {
          w.ended.set(state, (w.ended.get(state) ?? 0) + 1);
          if (state !== 'TASK_KILLED' && state !== 'TASK_UNREACHABLE') this.unexpectedEnds.push(event);
        }
        return;
      }
    }
  }

  /** Starts a new window and returns the one that ends. */
  endWindow(): TrackerWindow {
    const ended = this.window;
    this.window = emptyWindow();
    return ended;
  }

  /** Tasks by where they stand now: live (not ended) per state, and on which agents. */
  census(lostAgents: ReadonlySet<string>): TaskCensus {
    const census: TaskCensus = {
      launched: this.tasks.size,
      running: 0,
      runningOnLostAgents: 0,
      staging: 0,
      unreachableKept: 0,
      ended: 0,
      runningPerApp: new Map(),
    };
    for (const task of this.tasks.values()) {
      if (endsTaskState(task.state)) census.ended++;
      else if (task.state === 'UNREACHABLE') census.unreachableKept++;
      else if (task.state === 'TASK_RUNNING') {
        if (lostAgents.has(task.agentId)) census.runningOnLostAgents++;
        else {
          census.running++;
          census.runningPerApp.set(task.appId, (census.runningPerApp.get(task.appId) ?? 0) + 1);
        }
      } else census.staging++;
    }
    return census;
  }

  /** Tasks recorded RUNNING on these agents now (what losing them takes away). */
  runningOn(agents: ReadonlySet<string>): number {
    let n = 0;
    for (const task of this.tasks.values()) if (task.state === 'TASK_RUNNING' && agents.has(task.agentId)) n++;
    return n;
  }
}

export interface TrackerWindow {
  events: number;
  types: Map<string, number>;
  firstAtMs: number;
  launched: number;
  running: number;
  ended: Map<string, number>;
  lastRunningAtMs: number;
  lastRegisteredAtMs: number;
  lastAppCreatedAtMs: number;
  lastDeploymentFinishedAtMs: number;
  lastUnreachableAtMs: number;
}

export interface TaskCensus {
  launched: number;
  /** RUNNING on an agent that was not lost. */
  running: number;
  /** RUNNING in the log on an agent that was lost: a task the master did not replace. */
  runningOnLostAgents: number;
  /** Launched and neither RUNNING nor ended (STAGING, STARTING, KILLING). */
  staging: number;
  /** Kept by their app's unreachable strategy (not ended). */
  unreachableKept: number;
  ended: number;
  runningPerApp: Map<string, number>;
}

function emptyWindow(): TrackerWindow {
  return {
    events: 0,
    types: new Map(),
    firstAtMs: Infinity,
    launched: 0,
    running: 0,
    ended: new Map(),
    lastRunningAtMs: -Infinity,
    lastRegisteredAtMs: -Infinity,
    lastAppCreatedAtMs: -Infinity,
    lastDeploymentFinishedAtMs: -Infinity,
    lastUnreachableAtMs: -Infinity,
  };
}
