import {
  INITIAL_CLUSTER_VERSION,
  type DeploymentStartedData,
  type TaskLaunchedData,
  type TaskState,
} from '@cairn/events';
import type { Resources } from './resources';
import type { NoMatchReason } from './placement';
import { TaskTable } from './tasks/task-table';
import { AppTable } from './apps/app-table';
import { AgentTable } from './agents/agent-table';

/** An agent as the log knows it. */
export interface AgentRecord {
  readonly agentId: string;
  readonly hostname: string;
  readonly filesPort: number;
  readonly resources: Resources;
  readonly attributes: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly status: 'ACTIVE' | 'DISCONNECTED' | 'UNREACHABLE';
  /** When the status last changed (the event's time, ms since the epoch). */
  readonly sinceMs: number;
  /**
   * Maintenance (AgentDrainStarted … AgentReactivated); absent when none, so the records (and the
   * state hash) of a cluster that never drained are what they were before drains existed.
   */
  readonly drain?: AgentDrain;
}

/** An agent in maintenance: out of placement; DRAINING until no task is left on it (AgentDrained). */
export interface AgentDrain {
  readonly state: 'DRAINING' | 'DRAINED';
  /** The AgentDrainStarted's time. */
  readonly startedAt: string;
  /** When what still runs there is killed (decided once, recorded); null: never. */
  readonly deadline: string | null;
  /** Its AgentDrainStarted: what the deadline's kills and AgentDrained are caused by. */
  readonly by: EventRef;
}

/** Whether placement must avoid the agent (draining or drained: in maintenance). */
export function inMaintenance(agent: AgentRecord | undefined): boolean {
  return agent?.drain !== undefined;
}

/** One health check's verdict as of its last transition (Marathon's healthCheckResults item). */
export interface HealthResult {
  readonly alive: boolean;
  readonly consecutiveFailures: number;
  readonly firstSuccess: string | null;
  readonly lastSuccess: string | null;
  readonly lastFailure: string | null;
  readonly lastFailureCause: string | null;
}

/**
 * A task that is not terminal yet. Terminal tasks are expunged (their update ids are kept). Its
 * launch's placement record stays in the log only (it explains, it does not decide).
 */
export interface TaskRecord extends Omit<TaskLaunchedData, 'placement'> {
  readonly state: TaskState;
  readonly stagedAt: string;
  readonly startedAt: string | null;
  /** The master asked for the kill: its end is expected, not a failure. */
  readonly killRequested: boolean;
  /** One entry per health check of its launch: null until the agent reports a first verdict. */
  readonly health: readonly (HealthResult | null)[];
  /** Its readiness checks passed (true when it has none). */
  readonly ready: boolean;
  /** Its TaskLaunched: what its agent's reports about it are caused by. */
  readonly launchedBy: EventRef;
  /** Its agent is unreachable and its app's unreachableStrategy keeps it (TaskUnreachable); else null. */
  readonly unreachable: UnreachableRecord | null;
}

/** Marathon's Unreachable / UnreachableInactive instance, with the strategy's timers as decided. */
export interface UnreachableRecord {
  /** When it became unreachable (the TaskUnreachable's time). */
  readonly since: string;
  /** Null: never (the strategy is "disabled"). */
  readonly inactiveAfterSeconds: number | null;
  readonly expungeAfterSeconds: number | null;
  /** It stopped counting towards its app's instances (TaskUnreachableInactive): it is replaced. */
  readonly inactive: boolean;
  /** Its TaskUnreachable: what its inactivity, expunge or adoption is caused by. */
  readonly by: EventRef;
}

/**
 * Whether a task counts towards its app's `instances`: not being killed, and not an unreachable
 * task that went inactive (its replacement counts instead).
 */
export function countsAsInstance(task: TaskRecord): boolean {
  return !task.killRequested && !task.unreachable?.inactive;
}

/** An event in the log, as a cause: its id and the chain (correlation) it belongs to. */
export interface EventRef {
  readonly eventId: string;
  readonly correlationId: string;
}

/**
 * A group named by a group command (/v2/groups). Groups that only exist because an app's path
 * passes through them (`/prod` for `/prod/web`) have no record: see groups/group-tree.ts.
 */
export interface GroupRecord {
  readonly id: string;
  /** Absolute paths of apps or groups every app in this group (and below) starts after. */
  readonly dependencies: readonly string[];
  readonly enforceRole: boolean;
  /** The version of the last group command that touched it. */
  readonly version: string;
  /** The versions group commands gave it, oldest first, at most GROUP_VERSIONS_MAX. */
  readonly versions: readonly string[];
}

/** Versions remembered per group (Marathon's `--zk_max_versions` default, as for apps). */
export const GROUP_VERSIONS_MAX = 50;

/** A deployment in progress: its plan, and the step being worked on (0-based). */
export interface DeploymentRecord extends DeploymentStartedData {
  readonly currentStep: number;
  /** Its DeploymentStarted: what its kills, launches and steps are caused by. */
  readonly startedBy: EventRef;
}

/** Marathon's launch backoff of one app. */
export interface LaunchDelay {
  readonly failures: number;
  readonly untilMs: number;
}

export interface TaskFailure {
  readonly appId: string;
  readonly taskId: string;
  readonly host: string;
  readonly slaveId: string;
  readonly state: TaskState;
  readonly message: string;
  readonly timestamp: string;
  readonly version: string;
}

/**
 * How `evolve` may treat the records it finds in the state. `shared` (the default, live
 * operation): records may also be held by another state (the sequencer's speculative state) or
 * by an answer being written, so a change replaces the record. `owned` (start-up and offline
 * replay, where the state and the freshly decoded events belong to the replay alone): a change
 * updates the record in place, which spares a million-event replay a copy per event. Both give
 * equal states (a property test holds them to it).
 */
export type Ownership = 'shared' | 'owned';

/**
 * The whole folded state of a cluster. `evolve` updates it in place (replay of a million events
 * must not copy maps); in `shared` mode it never mutates a nested value (records are replaced),
 * so two states may share records. It is otherwise pure: no I/O, no clock, no randomness, so the same events
 * always give the same state.
 */
export interface ClusterState {
  /** Apps by absolute id, with their instances indexed (apps/app-table.ts). */
  readonly apps: AppTable;
  /** Groups named by group commands, by absolute id (`/` included once a command names it). */
  readonly groups: Map<string, GroupRecord>;
  /** Agents by id, with what a tick reads of all of them indexed (agents/agent-table.ts). */
  readonly agents: AgentTable;
  /** Non-terminal tasks by id, with the scheduling indexes kept beside them (tasks/task-table.ts). */
  readonly tasks: TaskTable;
  /**
   * Status update ids already applied (a duplicate changes nothing, also after a restart).
   * Insertion-ordered and bounded (appliedUpdateIdsBound): the oldest are forgotten first.
   */
  readonly appliedUpdateIds: Set<string>;
  readonly launchDelays: Map<string, LaunchDelay>;
  /** Offer filters (refuse seconds): `${frameworkId} ${agentId}` -> until (ms). */
  readonly offerFilters: Map<string, number>;
  /** Offers made and not answered yet: offer id -> agent id (empty between batches). */
  readonly pendingOffers: Map<string, string>;
  /** Why each waiting app did not fit the last offers it saw (for /v2/queue). */
  readonly queueReasons: Map<string, NoMatchReason[]>;
  readonly lastTaskFailure: Map<string, TaskFailure>;
  /**
   * Per app, the last event that changed what it wants (its spec, or a task of it ending): what a
   * launch for it outside a deployment is caused by.
   */
  readonly demandCauses: Map<string, EventRef>;
  /** Tasks ever launched: part of every new task id, so no id is ever used twice (see taskIdFor). */
  tasksLaunched: number;
  /** Deployments in progress by id (finished and cancelled ones are removed). */
  readonly deployments: Map<string, DeploymentRecord>;
  /** The deployment in progress that locks each app (an app is in at most one). */
  readonly deploymentOfApp: Map<string, string>;
  /**
   * Who writes the log now. Not part of the state hash: leadership says who writes, not what
   * the cluster is, and a restart (a new LeaderElected) must not change the hash.
   */
  leader: { instance: string; epoch: number } | null;
  /**
   * The last snapshot recorded in the log (SnapshotWritten), or null. Not hashed either: a
   * snapshot records the state, it does not change it, and an idle cluster writes no new one.
   */
  lastSnapshot: { offset: number; hash: string } | null;
  /**
   * The event format level every master of the cluster reads (ClusterVersionRaised; 1 before
   * any): the leader writes no event above it (cluster/format-gate.ts). Not hashed, like the
   * leader: it says what the log may hold, not what the cluster runs, and a log that never raised
   * it hashes as it did before levels existed (old and new masters compare during an upgrade).
   */
  clusterVersion: number;
}

/** Bound of remembered status update ids (~3 per task: plenty for agents' retries). */
export const APPLIED_UPDATE_IDS_MAX = 100_000;

/**
 * From this cluster version on, the bound grows with the tasks: UPDATE_IDS_PER_TASK per
 * non-terminal task, at least APPLIED_UPDATE_IDS_MAX. 200,000 tasks send ~600,000 updates, and a
 * fixed 100,000 would forget the ids of updates an agent may still retry. A level, because the
 * bound is part of the fold: a log written before folds as it always did.
 */
export const UPDATE_IDS_SCALE_LEVEL = 3;
export const UPDATE_IDS_PER_TASK = 4;

/** How many status update ids the state remembers now. */
export function appliedUpdateIdsBound(state: { clusterVersion: number; tasks: { readonly size: number } }): number {
  if (state.clusterVersion < UPDATE_IDS_SCALE_LEVEL) return APPLIED_UPDATE_IDS_MAX;
  return Math.max(APPLIED_UPDATE_IDS_MAX, UPDATE_IDS_PER_TASK * state.tasks.size);
}

export function initialState(): ClusterState {
  const tasks = new TaskTable();
  const apps = new AppTable();
  apps.countTasksIn(tasks);
  return {
    apps,
    groups: new Map(),
    agents: new AgentTable(),
    tasks,
    appliedUpdateIds: new Set(),
    launchDelays: new Map(),
    offerFilters: new Map(),
    pendingOffers: new Map(),
    queueReasons: new Map(),
    lastTaskFailure: new Map(),
    deployments: new Map(),
    deploymentOfApp: new Map(),
    demandCauses: new Map(),
    tasksLaunched: 0,
    leader: null,
    lastSnapshot: null,
    clusterVersion: INITIAL_CLUSTER_VERSION,
  };
}

/** The part of the state that the state hash covers: everything but leadership and snapshots. */
export function hashedView(state: ClusterState): unknown {
  const { leader: _leader, lastSnapshot: _lastSnapshot, clusterVersion: _clusterVersion, ...rest } = state;
  return rest;
}

/** A deep copy that shares nothing with `state` (the sequencer forks instead: dry-run/fork-state.ts). */
export function cloneState(state: ClusterState): ClusterState {
  // structuredClone sees the tables as empty Maps (their entries live in private fields).
  const { tasks, apps, agents, ...rest } = state;
  const clonedTasks = new TaskTable(structuredClone([...tasks]));
  const clonedApps = new AppTable(structuredClone([...apps]));
  clonedApps.countTasksIn(clonedTasks);
  return {
    ...structuredClone(rest),
    apps: clonedApps,
    agents: new AgentTable(structuredClone([...agents])),
    tasks: clonedTasks,
  };
}
